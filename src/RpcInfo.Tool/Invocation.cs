using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NetRpc.RpcInfo.Tool;

/// <summary>What rpcinfo was asked to do: one function per run, as rpcinfo's getopt loop allows.</summary>
internal enum RpcInfoFunction
{
    None,
    PortmapperDump,
    TcpPing,
    UdpPing,
    Broadcast,
    Delete,
    AddressPing,
    ProgramPing,
    RpcbindDump,
    RpcbindDumpShort,
    AddressList,
    Statistics,
}

/// <summary>A parsed command line: the function, -T, -a, -n, and the operands (host, program, version).</summary>
internal sealed record Invocation(RpcInfoFunction Function, string? NetId, string? Address, int Port, string[] Operands);

/// <summary>What parsing gave: an invocation, or the error lines to print and whether the usage follows them.</summary>
internal sealed record ParseOutcome(Invocation? Invocation, IReadOnlyList<string> Errors, bool ShowUsage);

/// <summary>
/// rpcinfo's command line (getopt's <c>a:bdlmn:pstT:u</c>), parsed with System.CommandLine: one-letter options that
/// bundle (<c>-pT tcp</c>), option arguments joined or apart (<c>-Ttcp</c>, <c>-T tcp</c>), options anywhere among the
/// operands, <c>--</c> ending them. What System.CommandLine does not do as getopt does is done here: an unknown option
/// is an operand to it, so the operands are checked for one; a second function is an error; the last -T wins.
/// </summary>
internal static class RpcInfoCommandLine
{
    /// <summary>rpcinfo's usage, word for word, so that scripts and people who know it read the same lines.</summary>
    public static readonly string[] Usage =
    [
        "Usage: rpcinfo [-m | -s] [host]",
        "       rpcinfo -p [host]",
        "       rpcinfo -T netid host prognum [versnum]",
        "       rpcinfo -l host prognum versnum",
        "       rpcinfo [-n portnum] -u | -t host prognum [versnum]",
        "       rpcinfo -a serv_address -T netid prognum [version]",
        "       rpcinfo -b prognum versnum",
        "       rpcinfo -d [-T netid] prognum versnum",
    ];

    private const string Flags = "bdlmpstu";
    private const string WithArgument = "anT";

    /// <summary>Parses <paramref name="args"/>; <paramref name="command"/> names the program in getopt's messages.</summary>
    public static ParseOutcome Parse(string[] args, string command)
    {
        var root = new RootCommand("rpcinfo");
        root.Options.Clear();   // no --help, --version: rpcinfo has neither, and -h is not an option of it
        root.Directives.Clear(); // no [diagram] and the like: a bracketed operand is an operand
        var flags = Flags.ToDictionary(c => c, c => new Option<int>("-" + c) { Arity = ArgumentArity.Zero });
        var netId = new Option<string[]>("-T") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var address = new Option<string[]>("-a") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var port = new Option<string[]>("-n") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        foreach (Option option in flags.Values.Cast<Option>().Append(netId).Append(address).Append(port))
        {
            root.Options.Add(option);
        }

        var operands = new Argument<string[]>("operands") { Arity = ArgumentArity.ZeroOrMore };
        root.Arguments.Add(operands);

        // No response files: an operand that starts with @ is an operand.
        ParseResult result = root.Parse(JoinArguments(args), new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (GetoptErrors(args, command) is { Count: > 0 } errors)
        {
            return UsageError([.. errors]);
        }

        if (result.Errors.Count > 0)
        {
            return UsageError($"{command}: {result.Errors[0].Message}"); // not met: getopt's check has caught what this parser rejects
        }

        RpcInfoFunction function = RpcInfoFunction.None;
        bool conflict = false;
        foreach (Token token in result.Tokens.Where(t => t.Type == TokenType.Option))
        {
            RpcInfoFunction chosen = token.Value switch
            {
                "-p" => RpcInfoFunction.PortmapperDump,
                "-t" => RpcInfoFunction.TcpPing,
                "-u" => RpcInfoFunction.UdpPing,
                "-a" => RpcInfoFunction.AddressPing,
                "-b" => RpcInfoFunction.Broadcast,
                "-d" => RpcInfoFunction.Delete,
                "-l" => RpcInfoFunction.AddressList,
                "-m" => RpcInfoFunction.Statistics,
                "-s" => RpcInfoFunction.RpcbindDumpShort,
                _ => RpcInfoFunction.None,
            };
            if (chosen != RpcInfoFunction.None)
            {
                conflict |= function != RpcInfoFunction.None;
                function = chosen;
            }
        }

        int portNumber = 0;
        if (result.GetValue(port) is [.., string portText])
        {
            // strtol then a cast to u_short, as rpcinfo does: digits are required, the value wraps.
            if (!long.TryParse(portText, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out long value))
            {
                return new ParseOutcome(null, [$"rpcinfo: {portText} is illegal port number"], ShowUsage: false);
            }

            portNumber = (ushort)value;
        }

        string? netIdValue = result.GetValue(netId) is [.., string last] ? last : null;
        string? addressValue = result.GetValue(address) is [.., string lastAddress] ? lastAddress : null;
        if (conflict || (function == RpcInfoFunction.AddressPing && netIdValue is null))
        {
            return UsageError();
        }

        string[] rest = result.GetValue(operands) ?? [];
        if (function == RpcInfoFunction.None)
        {
            function = rest.Length > 1 ? RpcInfoFunction.ProgramPing : RpcInfoFunction.RpcbindDump;
        }

        return new ParseOutcome(new Invocation(function, netIdValue, addressValue, portNumber, rest), [], ShowUsage: false);
    }

    private static ParseOutcome UsageError(params string[] errors) => new(null, errors, ShowUsage: true);

    /// <summary>
    /// The arguments with each option argument given apart joined to its option (<c>-T --</c> becomes <c>-T--</c>), as
    /// getopt takes the next word whatever it is: System.CommandLine would take a <c>--</c> there for the end of the
    /// options and leave -T without its argument.
    /// </summary>
    private static string[] JoinArguments(string[] args)
    {
        var joined = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                joined.AddRange(args[i..]); // the rest are operands
                break;
            }

            if (arg.Length >= 2 && arg[0] == '-' && arg[1..].IndexOfAny(WithArgument.ToCharArray()) is int at && at >= 0 && at + 2 == arg.Length && i + 1 < args.Length)
            {
                arg += args[++i];
            }

            joined.Add(arg);
        }

        return [.. joined];
    }

    /// <summary>
    /// What getopt would say of the command line: each unknown option letter, and an option left without its argument.
    /// System.CommandLine cannot say it: it takes an unknown option for an operand, and splits <c>-px</c> into -p and
    /// the operand x, where getopt rejects the x.
    /// </summary>
    private static List<string> GetoptErrors(string[] args, string command)
    {
        var errors = new List<string>();
        for (int i = 0; i < args.Length && args[i] != "--"; i++)
        {
            string arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                continue;
            }

            for (int j = 1; j < arg.Length; j++)
            {
                if (WithArgument.Contains(arg[j]))
                {
                    if (j + 1 == arg.Length && ++i >= args.Length)
                    {
                        errors.Add($"{command}: option requires an argument -- '{arg[j]}'");
                    }

                    break; // the rest of the word, or the next one, is the option's argument
                }

                if (!Flags.Contains(arg[j]))
                {
                    errors.Add($"{command}: invalid option -- '{arg[j]}'");
                }
            }
        }

        return errors;
    }
}
