using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.Binding;

/// <summary>What the binder knows of a caller: where it is, what transport it used, and what it may do.</summary>
internal readonly record struct Caller(IPEndPoint Remote, RpcTransport Transport, LocalPeer? Local = null)
{
    public static Caller Of(RpcCallContext context) =>
        new(context.RemoteEndPoint ?? new IPEndPoint(IPAddress.Loopback, 0), context.Transport, context.Local);

    /// <summary>On this host's local (AF_UNIX) socket.</summary>
    public bool IsLocal => Local is not null;

    /// <summary>The caller's address with IPv4-mapped IPv6 written as IPv4 (meaningless for a local caller).</summary>
    public IPAddress Address => Remote.Address.IsIPv4MappedToIPv6 ? Remote.Address.MapToIPv4() : Remote.Address;

    /// <summary>The address family of the transport the call came on: Unix for the local socket.</summary>
    public AddressFamily Family => IsLocal ? AddressFamily.Unix : Address.AddressFamily;

    /// <summary>
    /// The netid of the transport the call came on (<c>local</c> on the local socket, as native rpcbind's
    /// /etc/netconfig names it): GETADDR answers for it, whatever the query says, and the statistics count under it.
    /// </summary>
    public string NetId => IsLocal ? Netconfig.Local : UniversalAddress.NetId(Transport, Family);

    /// <summary>On a datagram transport: the only kind native rpcbind forwards calls from.</summary>
    public bool IsDatagram => !IsLocal && Transport == RpcTransport.Udp;

    /// <summary>On this host's loopback or its local socket: native rpcbind takes SET and UNSET only from such callers.</summary>
    public bool IsLoopback => IsLocal || IPAddress.IsLoopback(Address);

    /// <summary>
    /// The owner native rpcbind records: on the local socket the caller's user ("superuser" for root, else the
    /// uid); over the network "superuser" for a loopback caller on a privileged port, else "unknown".
    /// </summary>
    public string Owner => Local is { } local
        ? local.UserId switch { 0 => RpcbindRegistry.Superuser, uint uid => uid.ToString(CultureInfo.InvariantCulture), null => "unknown" }
        : IsLoopback && Remote.Port < 1024 ? RpcbindRegistry.Superuser : "unknown";
}
