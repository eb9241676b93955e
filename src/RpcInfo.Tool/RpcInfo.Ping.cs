using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool;

internal sealed partial class RpcInfo
{
    /// <summary><c>rpcinfo -T netid host prognum [versnum]</c>: where rpcbind says, a NULL call to each version.</summary>
    private async Task<int> ProgramPingAsync(string? netId, string[] operands)
    {
        if (operands.Length is < 2 or > 3 || netId is null)
        {
            throw new UsageException();
        }

        uint program = ProgramNumber(operands[1]);
        uint? version = operands.Length == 3 ? VersionNumber(operands[2]) : null;
        if (!NetIds.IsKnown(netId))
        {
            throw Fail($"rpcinfo: Could not find {netId}");
        }

        if (NetIds.IsLocal(netId))
        {
            return await LocalPingAsync(program, version).ConfigureAwait(false);
        }

        if (NetIds.Ip(netId) is not { } ip)
        {
            throw Fail(new RpcError(ClntStat.UnknownProtocol).Create("rpcinfo"));
        }

        IPAddress host = await Binder.ResolveAsync(operands[0], ip.Family).ConfigureAwait(false) ?? throw Fail(new RpcError(ClntStat.UnknownHost).Create("rpcinfo"));
        IPEndPoint at = await LocateAsync(host, program, version ?? 0, ip.Transport, "rpcinfo").ConfigureAwait(false);
        return await PingAsync(at, ip.Transport, program, version, "rpcinfo").ConfigureAwait(false);
    }

    /// <summary>
    /// <c>rpcinfo [-n portnum] -t|-u host prognum [versnum]</c>: as -T tcp or udp (IPv4, else IPv6), with failures to find
    /// the program named after the host. With -n the port is taken as given, and rpcbind is not asked.
    /// </summary>
    private async Task<int> IpPingAsync(int port, RpcTransport transport, string[] operands)
    {
        if (operands.Length is < 2 or > 3)
        {
            throw new UsageException();
        }

        string hostName = operands[0];
        uint program = ProgramNumber(operands[1]);
        uint? version = operands.Length == 3 ? VersionNumber(operands[2]) : null;
        IPEndPoint at = await LocateForPingAsync(hostName, program, version ?? 0, transport, port, hostName).ConfigureAwait(false);
        return await PingAsync(at, transport, program, version, hostName).ConfigureAwait(false);
    }

    /// <summary><c>rpcinfo -a serv_address -T netid prognum [versnum]</c>: a NULL call to each version at a universal address, without rpcbind.</summary>
    private async Task<int> AddressPingAsync(string address, string? netId, string[] operands)
    {
        if (operands.Length is < 1 or > 2 || netId is null)
        {
            throw new UsageException();
        }

        if (!NetIds.IsKnown(netId))
        {
            throw Fail($"rpcinfo: Could not find {netId}");
        }

        uint program = ProgramNumber(operands[0]);
        uint? version = operands.Length == 2 ? VersionNumber(operands[1]) : null;
        if (NetIds.IsLocal(netId))
        {
            return await PingAsync(new UnixDomainSocketEndPoint(address), RpcTransport.Tcp, program, version, "rpcinfo").ConfigureAwait(false);
        }

        if (NetIds.Ip(netId) is not { } ip || !UniversalAddress.TryParse(address, out IPEndPoint? at) || at.AddressFamily != ip.Family)
        {
            throw Fail("rpcinfo: rpcinfo: no address for client handle");
        }

        return await PingAsync(at, ip.Transport, program, version, "rpcinfo").ConfigureAwait(false);
    }

    /// <summary>-T local: rpcbind's address for the program on the local socket (GETADDR asked there answers for it), then the calls there.</summary>
    private async Task<int> LocalPingAsync(uint program, uint? version)
    {
        if (settings.LocalSocket is not { } path)
        {
            // What native rpcinfo says here (observed): libtirpc tries rpcbind's abstract socket last, and it refuses.
            throw Fail(new RpcError(ClntStat.SystemError, "Connection refused").Create("rpcinfo"));
        }

        var query = new RpcbMapping { Prog = program, Vers = version ?? 0, Netid = "local", Address = string.Empty, Owner = string.Empty };
        string address;
        try
        {
            address = await _binder.CallLocalAsync(path, Rpcbind.RpcbindV4.Version, c => new RpcbindV4Client(c).GetAddrAsync(query)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCallFailure(e))
        {
            throw Fail(RpcError.From(e, RpcTransport.Tcp).Create("rpcinfo"));
        }

        return address.Length == 0
            ? throw Fail(new RpcError(ClntStat.ProgramNotRegistered).Create("rpcinfo"))
            : await PingAsync(new UnixDomainSocketEndPoint(address), RpcTransport.Tcp, program, version, "rpcinfo").ConfigureAwait(false);
    }

    /// <summary>The host's address and where rpcbind there serves the program (or the -n port), failures named after <paramref name="createPrefix"/>.</summary>
    private async Task<IPEndPoint> LocateForPingAsync(string hostName, uint program, uint version, RpcTransport transport, int port, string createPrefix)
    {
        IPAddress host = await Binder.ResolveAsync(hostName, null).ConfigureAwait(false) ?? throw Fail(new RpcError(ClntStat.UnknownHost).Create(createPrefix));
        return port != 0 ? new IPEndPoint(host, port) : await LocateAsync(host, program, version, transport, createPrefix).ConfigureAwait(false);
    }

    /// <summary>Where rpcbind on the host serves the program; failing that, libtirpc's create error, after <paramref name="createPrefix"/>.</summary>
    private async Task<IPEndPoint> LocateAsync(IPAddress host, uint program, uint version, RpcTransport transport, string createPrefix)
    {
        try
        {
            return await _binder.LocateAsync(host, program, version, transport).ConfigureAwait(false)
                ?? throw Fail(new RpcError(ClntStat.ProgramNotRegistered).Create(createPrefix));
        }
        catch (Exception e) when (IsCallFailure(e))
        {
            throw Fail(RpcError.From(e, transport).Create(createPrefix));
        }
    }

    /// <summary>
    /// NULL to one version, or, without one, to version 0 first: its PROG_MISMATCH gives the range to call (if version 0
    /// answers, the highest version's does; if both answer, every version is called), as native rpcinfo does.
    /// </summary>
    private async Task<int> PingAsync(EndPoint at, RpcTransport transport, uint program, uint? version, string createPrefix)
    {
        if (version is { } known)
        {
            return Status(await NullAsync(at, transport, program, known, createPrefix).ConfigureAwait(false), program, known) ? 0 : 1;
        }

        uint low, high;
        RpcError? probe = await NullAsync(at, transport, program, 0, createPrefix).ConfigureAwait(false);
        if (probe?.Status == ClntStat.ProgramVersionMismatch)
        {
            (low, high) = (probe.Low, probe.High);
        }
        else if (probe is null)
        {
            probe = await NullAsync(at, transport, program, uint.MaxValue, createPrefix).ConfigureAwait(false);
            if (probe?.Status == ClntStat.ProgramVersionMismatch)
            {
                (low, high) = (probe.Low, probe.High);
            }
            else if (probe is null)
            {
                (low, high) = (0, uint.MaxValue);
            }
            else
            {
                Status(probe, program, uint.MaxValue);
                return 1;
            }
        }
        else
        {
            Status(probe, program, 0);
            return 1;
        }

        bool failed = false;
        for (ulong v = low; v <= high; v++)
        {
            failed |= !Status(await NullAsync(at, transport, program, (uint)v, createPrefix).ConfigureAwait(false), program, (uint)v);
        }

        return failed ? 1 : 0;
    }

    /// <summary>
    /// One NULL call: null when it was answered, else why not. A connection that cannot be made is libtirpc's failed
    /// clnt_create: printed at once, after <paramref name="createPrefix"/>, and the run ends.
    /// </summary>
    private async Task<RpcError?> NullAsync(EndPoint at, RpcTransport transport, uint program, uint version, string createPrefix)
    {
        var options = Binder.Options(settings.PingTimeout);
        using RpcClient client = transport == RpcTransport.Tcp ? RpcClient.CreateTcp(at, program, version, options) : RpcClient.CreateUdp(at, program, version, options);
        try
        {
            await client.CallAsync<XdrVoid, XdrVoid>(0, default).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (IsCallFailure(e))
        {
            RpcError failure = RpcError.From(e, transport);
            return failure.IsConnectFailure ? throw Fail(failure.Create(createPrefix)) : failure;
        }
    }

    /// <summary>rpcinfo's pstatus: "ready and waiting", or the reason and "is not available".</summary>
    private bool Status(RpcError? failure, uint program, uint version)
    {
        if (failure is not null)
        {
            error.WriteLine(failure.Call("rpcinfo"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"program {program} version {version} is not available"));
            return false;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"program {program} version {version} ready and waiting"));
        return true;
    }
}
