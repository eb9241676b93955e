using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;

namespace NetRpc.RpcInfo.Tool;

/// <summary>Where rpcinfo looks for rpcbind, and how long it waits.</summary>
internal sealed record RpcInfoSettings
{
    /// <summary>The local socket asked when no host is named; null where there is none (then 127.0.0.1).</summary>
    public string? LocalSocket { get; init; }

    /// <summary>rpcbind's ports, tried in turn while a connection is refused: 111, then NetRpc's fallback port.</summary>
    public IReadOnlyList<int> Ports { get; init; } = [RpcbindClient.StandardPort];

    /// <summary>For the calls to rpcbind (native: a minute).</summary>
    public TimeSpan RpcbindTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>For the NULL calls of a ping (native: 10 seconds).</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>For a lookup of where a program is served (native: up to a minute).</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a broadcast collects answers (native: 4 s, then 8 s more after sending again).</summary>
    public TimeSpan BroadcastTimeout { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Program names.</summary>
    public required ServiceNames Names { get; init; }

    /// <summary>This host's: the local socket where native rpcbind (or netrpc-rpcbind) serves one, ports 111 and the fallback port.</summary>
    public static RpcInfoSettings ForThisHost() => new()
    {
        LocalSocket = RpcbindClient.LocalSocketPaths.FirstOrDefault(File.Exists),
        Ports = [.. new[] { RpcbindClient.StandardPort, RpcbindClient.FallbackPort }.Distinct()],
        Names = ServiceNames.Load(),
    };
}

/// <summary>The calls to rpcbind itself: over TCP or UDP to a host, or over the local socket.</summary>
internal sealed class Binder(RpcInfoSettings settings)
{
    /// <summary>The address of <paramref name="host"/> for a netid's family (IPv4 first when none is named), or null when it has none.</summary>
    public static async Task<IPAddress?> ResolveAsync(string host, AddressFamily? family)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                return null;
            }
        }

        return family is { } wanted
            ? addresses.FirstOrDefault(a => a.AddressFamily == wanted)
            : addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6);
    }

    /// <summary>
    /// One call to rpcbind version <paramref name="version"/> on <paramref name="host"/>: on each of the ports in turn
    /// while the connection is refused. The first port's failure is the one reported, as native rpcinfo knows port 111 alone.
    /// </summary>
    public async Task<T> CallAsync<T>(IPAddress host, RpcTransport transport, uint version, Func<RpcClient, Task<T>> call, int? port = null)
    {
        Exception? first = null;
        foreach (int candidate in port is { } known ? [known] : settings.Ports)
        {
            var endPoint = new IPEndPoint(host, candidate);
            using RpcClient client = transport == RpcTransport.Tcp
                ? RpcClient.CreateTcp(endPoint, Rpcbind.Program, version, Options(settings.RpcbindTimeout))
                : RpcClient.CreateUdp(endPoint, Rpcbind.Program, version, Options(settings.RpcbindTimeout));
            try
            {
                return await call(client).ConfigureAwait(false);
            }
            catch (RpcConnectionException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                first ??= e;
            }
        }

        throw first!;
    }

    /// <summary>One call to rpcbind over the local socket at <paramref name="path"/>.</summary>
    public async Task<T> CallLocalAsync<T>(string path, uint version, Func<RpcClient, Task<T>> call)
    {
        using RpcClient client = RpcClient.CreateTcp(new UnixDomainSocketEndPoint(path), Rpcbind.Program, version, Options(settings.RpcbindTimeout));
        return await call(client).ConfigureAwait(false);
    }

    /// <summary>Where <paramref name="program"/> version <paramref name="version"/> is served on a transport, as rpcbind on <paramref name="host"/> says (null: not registered).</summary>
    public async Task<IPEndPoint?> LocateAsync(IPAddress host, uint program, uint version, RpcTransport transport)
    {
        Exception? first = null;
        foreach (int port in settings.Ports)
        {
            try
            {
                return await new RpcbindClient(host, port, Options(settings.LookupTimeout)).ResolveAsync(program, version, transport).ConfigureAwait(false);
            }
            catch (RpcConnectionException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                first ??= e;
            }
        }

        throw first!;
    }

    /// <summary>Client options: this timeout, retransmitting over UDP from half a second on.</summary>
    public static RpcClientOptions Options(TimeSpan timeout) => new() { Timeout = timeout, ConnectTimeout = timeout < TimeSpan.FromSeconds(10) ? timeout : TimeSpan.FromSeconds(10) };
}
