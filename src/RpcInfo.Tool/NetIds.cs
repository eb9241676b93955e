using System.Net.Sockets;
using NetRpc.Runtime;

namespace NetRpc.RpcInfo.Tool;

/// <summary>
/// The netids rpcinfo knows: libtirpc's /etc/netconfig as Debian ships it, built in, so that -T means the same on a
/// host without the file.
/// </summary>
internal static class NetIds
{
    private static readonly string[] s_known = ["udp", "tcp", "udp6", "tcp6", "rawip", "local", "unix"];

    /// <summary>Whether /etc/netconfig has the netid.</summary>
    public static bool IsKnown(string netId) => s_known.Contains(netId, StringComparer.Ordinal);

    /// <summary>The transport and address family of an IP netid; null for the others (rawip, local, unix).</summary>
    public static (RpcTransport Transport, AddressFamily Family)? Ip(string netId) => netId switch
    {
        "tcp" => (RpcTransport.Tcp, AddressFamily.InterNetwork),
        "udp" => (RpcTransport.Udp, AddressFamily.InterNetwork),
        "tcp6" => (RpcTransport.Tcp, AddressFamily.InterNetworkV6),
        "udp6" => (RpcTransport.Udp, AddressFamily.InterNetworkV6),
        _ => null,
    };

    /// <summary>The local (AF_UNIX) netids.</summary>
    public static bool IsLocal(string netId) => netId is "local" or "unix";
}
