using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool;

/// <summary>
/// rpcinfo: one run of one function, printing what native rpcinfo (rpcbind 1.2.6's) prints, to the same stream, with
/// the same exit code. Every failure is a line of libtirpc's wording and exit code 1; nothing from the network is
/// trusted (a reply that does not decode is "RPC: Can't decode result").
/// </summary>
internal sealed partial class RpcInfo(RpcInfoSettings settings, TextWriter output, TextWriter error)
{
    private const string CantContactRpcbind = "rpcinfo: can't contact rpcbind";
    private const string CantContactPortmapper = "rpcinfo: can't contact portmapper";

    private readonly Binder _binder = new(settings);

    /// <summary>
    /// Parses the command line and runs it; the exit code. Messages start "rpcinfo:" as native rpcinfo's do (getopt's
    /// too, which name the program), so that what reads them reads the same.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, RpcInfoSettings settings, TextWriter output, TextWriter error, string command = "rpcinfo")
    {
        ParseOutcome parsed = RpcInfoCommandLine.Parse(args, command);
        var rpcinfo = new RpcInfo(settings, output, error);
        foreach (string line in parsed.Errors)
        {
            error.WriteLine(line);
        }

        if (parsed.Invocation is not { } invocation)
        {
            if (parsed.ShowUsage)
            {
                rpcinfo.PrintUsage();
            }

            return 1;
        }

        try
        {
            return await rpcinfo.RunAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException)
        {
            rpcinfo.PrintUsage();
            return 1;
        }
        catch (FailedException)
        {
            return 1;
        }
    }

    private Task<int> RunAsync(Invocation invocation) => invocation.Function switch
    {
        RpcInfoFunction.PortmapperDump when invocation.Port != 0 => throw new UsageException(),
        RpcInfoFunction.PortmapperDump => PortmapperDumpAsync(invocation.Operands),
        RpcInfoFunction.TcpPing => IpPingAsync(invocation.Port, RpcTransport.Tcp, invocation.Operands),
        RpcInfoFunction.UdpPing => IpPingAsync(invocation.Port, RpcTransport.Udp, invocation.Operands),
        RpcInfoFunction.Broadcast => BroadcastAsync(invocation.Operands),
        RpcInfoFunction.Delete => DeleteAsync(invocation.NetId, invocation.Operands),
        RpcInfoFunction.AddressPing => AddressPingAsync(invocation.Address!, invocation.NetId, invocation.Operands),
        RpcInfoFunction.ProgramPing => ProgramPingAsync(invocation.NetId, invocation.Operands),
        RpcInfoFunction.RpcbindDump or RpcInfoFunction.RpcbindDumpShort => DumpAsync(invocation.Function == RpcInfoFunction.RpcbindDumpShort, invocation.NetId, invocation.Operands),
        RpcInfoFunction.AddressList => AddressListAsync(invocation.NetId, invocation.Operands),
        RpcInfoFunction.Statistics => StatisticsAsync(invocation.Operands),
        _ => throw new UsageException(),
    };

    private void PrintUsage()
    {
        foreach (string line in RpcInfoCommandLine.Usage)
        {
            error.WriteLine(line);
        }
    }

    /// <summary>Prints a failure and ends the run with exit code 1.</summary>
    private FailedException Fail(string line)
    {
        error.WriteLine(line);
        return new FailedException();
    }

    /// <summary>
    /// The program operand, as rpcinfo's getprognum reads it: digits are a number; anything with a letter, or more after
    /// its first non-digit, is a name from /etc/rpc; the rest (<c>12-</c>) is an illegal number.
    /// </summary>
    private uint ProgramNumber(string text)
    {
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits < text.Length && (digits + 1 < text.Length || char.IsAsciiLetter(text[digits])))
        {
            return settings.Names.TryGetNumber(text, out uint number) ? number : throw Fail($"rpcinfo: {text} is unknown service");
        }

        return digits == text.Length && digits > 0 ? ParseNumber(text) : throw Fail($"rpcinfo: {text} is illegal program number");
    }

    /// <summary>The version operand: decimal digits, with strtol's optional sign (rpcinfo's getvers).</summary>
    private uint VersionNumber(string text)
    {
        string digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw Fail($"rpcinfo: {text} is illegal version number");
        }

        uint value = ParseNumber(digits);
        return text.StartsWith('-') ? unchecked(0u - value) : value;
    }

    /// <summary>Decimal digits as strtol reads them into a 64-bit long (saturating), then cut to 32 bits as the protocol carries them.</summary>
    private static uint ParseNumber(string digits) =>
        unchecked((uint)(ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) && value <= long.MaxValue ? value : long.MaxValue));

    /// <summary>Strings from the network are printed as they came, but for control characters, which could rewrite a terminal's screen.</summary>
    private static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? '?' : c)) : text;

    private string Name(uint program, string missing = "-") => settings.Names.NameOf(program) is { } name ? Printable(name) : missing;

    private static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A usage error: rpcinfo prints its usage and exits 1.</summary>
    private sealed class UsageException : Exception;

    /// <summary>A failure already printed: the run exits 1.</summary>
    private sealed class FailedException : Exception;
}
