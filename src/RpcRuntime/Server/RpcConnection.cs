using System.Net;
using NetRpc.Runtime.Auth;

namespace NetRpc.Runtime.Server;

/// <summary>
/// The TCP (or local stream) connection a call came on: which one it is, who is at each end, and when it closes.
/// Programs that keep state per connection (VXI-11's links and locks, NFSv4.0's client state, svc_getcaller's uses in
/// C) key it by <see cref="Id"/> and drop it when <see cref="Closed"/> fires. Calls over UDP have none.
/// </summary>
public sealed class RpcConnection
{
    private static long s_lastId;

    internal RpcConnection(EndPoint? remote, EndPoint? local, LocalPeer? peer, CancellationToken closed, RpcTlsSession? tls = null)
    {
        Tls = tls;
        Id = Interlocked.Increment(ref s_lastId);
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        Peer = peer;
        Closed = closed;
    }

    /// <summary>A number no other connection of this process has had.</summary>
    public long Id { get; }

    /// <summary>The caller's address and port; for a local (AF_UNIX) caller, the socket's path or null.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The server's end: the endpoint the caller connected to.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>A caller on this host's local socket: who the kernel says it is. Null for a network caller.</summary>
    public LocalPeer? Peer { get; }

    /// <summary>The TLS session the connection runs in (RPC-with-TLS, RFC 9289); null for a plain connection.</summary>
    public RpcTlsSession? Tls { get; }

    /// <summary>
    /// Signalled once the connection has closed (by the peer, by the server's limits, or because the server stops):
    /// no further call will come on it, and replies to calls still running will not be delivered.
    /// </summary>
    public CancellationToken Closed { get; }

    /// <inheritdoc/>
    public override string ToString() => $"connection {Id} from {RemoteEndPoint?.ToString() ?? "a local peer"}";
}
