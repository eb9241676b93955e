using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool;

internal sealed partial class RpcInfo
{
    /// <summary>Where rpcbind is asked: its local socket, or a host over a transport (on the ports the settings give).</summary>
    private sealed record BinderTarget(string? LocalPath, IPAddress? Host, RpcTransport Transport, int? Port = null)
    {
        /// <summary>The netid of the transport rpcbind is asked on.</summary>
        public string NetId => LocalPath is not null ? "local" : Runtime.Binding.UniversalAddress.NetId(Transport, Host!.AddressFamily);
    }

    /// <summary>One call to rpcbind version <paramref name="version"/> where the target says.</summary>
    private Task<T> CallAsync<T>(BinderTarget target, uint version, Func<RpcClient, Task<T>> call) =>
        target.LocalPath is { } path ? _binder.CallLocalAsync(path, version, call) : _binder.CallAsync(target.Host!, target.Transport, version, call, target.Port);

    /// <summary>
    /// Asks rpcbind as rpcinfo's dump, -l and -m do: without a host, over the local socket (127.0.0.1 where there is
    /// none); with one, over the netid given, or TCP and then, when no connection can be made, UDP (libtirpc's
    /// circuit_n, then datagram_v). A failure is printed as rpcinfo prints it: <paramref name="prefix"/>, then the
    /// reason (a client that could not be made), or <paramref name="prefix"/> and ": " and the reason (a call that failed).
    /// </summary>
    private async Task<T> AskRpcbindAsync<T>(string? host, string? netId, string prefix, Func<BinderTarget, Task<T>> ask)
    {
        BinderTarget[] targets;
        if (host is null)
        {
            targets = [settings.LocalSocket is { } path ? new BinderTarget(path, null, RpcTransport.Tcp) : new BinderTarget(null, IPAddress.Loopback, RpcTransport.Tcp)];
        }
        else if (netId is null)
        {
            IPAddress address = await Binder.ResolveAsync(host, null).ConfigureAwait(false)
                ?? throw Fail(new RpcError(ClntStat.NameToAddressFailure).Create(prefix));
            targets = [new BinderTarget(null, address, RpcTransport.Tcp), new BinderTarget(null, address, RpcTransport.Udp)];
        }
        else
        {
            if (!NetIds.IsKnown(netId))
            {
                throw Fail("rpcinfo: invalid transport: Netid not found in netconfig database");
            }

            IPAddress? address = NetIds.Ip(netId) is { } ip ? await Binder.ResolveAsync(host, ip.Family).ConfigureAwait(false) : null;
            targets = address is not null ? [new BinderTarget(null, address, NetIds.Ip(netId)!.Value.Transport)] : throw Fail(new RpcError(ClntStat.UnknownHost).Create(prefix));
        }

        for (int i = 0; ; i++)
        {
            try
            {
                return await ask(targets[i]).ConfigureAwait(false);
            }
            catch (Exception e) when (IsCallFailure(e))
            {
                RpcError failure = RpcError.From(e, targets[i].Transport);
                if (failure.IsConnectFailure && i + 1 < targets.Length)
                {
                    continue;
                }

                throw Fail(failure.IsConnectFailure ? NoConnection(failure, host is null).Create(prefix) : failure.Call(prefix + ": "));
            }
        }
    }

    /// <summary>
    /// Why no connection could be made, as native rpcinfo would say it: where there is no local socket and 127.0.0.1
    /// stood in for it, that the socket is not there (native rpcinfo asks nowhere else).
    /// </summary>
    private RpcError NoConnection(RpcError failure, bool local) =>
        local && settings.LocalSocket is null ? new RpcError(ClntStat.SystemError, "No such file or directory") { IsConnectFailure = true } : failure;

    /// <summary>A call that failed for a reason of the network or the peer: what rpcinfo reports, never a crash.</summary>
    private static bool IsCallFailure(Exception e) => e is RpcException or XdrException or SocketException or IOException;
}
