using System.Net;
using System.Net.Sockets;

namespace NetRpc.Testing;

/// <summary>
/// A UDP relay on loopback between clients and one server. Each datagram, each way, is shown to a filter that may
/// look at it (to record it) and says whether to pass it on (false drops it, as a lossy network would). Replies go to
/// the client that sent the latest call.
/// </summary>
internal sealed class UdpRelay : IDisposable
{
    private readonly Socket _front;
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Func<byte[], bool> _call;
    private readonly Func<byte[], bool> _reply;
    private readonly Thread _calls;
    private readonly Thread _replies;
    private volatile EndPoint? _client;

    /// <param name="server">Where calls go.</param>
    /// <param name="front">The socket clients send to, bound; null for a new one on a free loopback port. The relay owns it.</param>
    /// <param name="call">Sees each call; false drops it. Null passes every call.</param>
    /// <param name="reply">Sees each reply; false drops it. Null passes every reply.</param>
    public UdpRelay(IPEndPoint server, Socket? front = null, Func<byte[], bool>? call = null, Func<byte[], bool>? reply = null)
    {
        _front = front ?? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (front is null)
        {
            _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        _call = call ?? (_ => true);
        _reply = reply ?? (_ => true);
        _back.Connect(server);
        _calls = new Thread(RelayCalls) { IsBackground = true, Name = "relay calls" };
        _replies = new Thread(RelayReplies) { IsBackground = true, Name = "relay replies" };
        _calls.Start();
        _replies.Start();
    }

    /// <summary>Where clients send their calls.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    public void Dispose()
    {
        _front.Dispose();
        _back.Dispose();
        _calls.Join();
        _replies.Join();
    }

    private void RelayCalls()
    {
        byte[] buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (true)
            {
                int n = _front.ReceiveFrom(buffer, ref from);
                _client = from;
                if (_call(buffer[..n]))
                {
                    try
                    {
                        _back.Send(buffer.AsSpan(0, n));
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                    {
                        // An ICMP port unreachable for an earlier datagram: the server is down (killed, restarting); this one is lost.
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed: the test is over.
        }
    }

    private void RelayReplies()
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = _back.Receive(buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    continue; // an ICMP port unreachable for an earlier datagram
                }

                if (_reply(buffer[..n]) && _client is { } client)
                {
                    _front.SendTo(buffer.AsSpan(0, n), client);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed: the test is over.
        }
    }
}
