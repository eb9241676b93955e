using System.Net;
using System.Net.Sockets;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// A UDP relay between one client and one server that loses a share of the server's replies at random (from a
/// fixed seed): the client must retransmit, and the server sees those calls again.
/// </summary>
internal sealed class LossyUdpProxy : IDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly double _replyLoss;
    private readonly Random _random;
    private readonly Thread _calls;
    private readonly Thread _replies;
    private volatile IPEndPoint? _client;
    private long _callsRelayed;
    private long _repliesRelayed;
    private long _repliesLost;

    public LossyUdpProxy(IPEndPoint server, double replyLoss, int seed)
    {
        _replyLoss = replyLoss;
        _random = new Random(seed);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Connect(server);
        _calls = new Thread(RelayCalls) { IsBackground = true, Name = "proxy calls" };
        _replies = new Thread(RelayReplies) { IsBackground = true, Name = "proxy replies" };
        _calls.Start();
        _replies.Start();
    }

    /// <summary>Where the client sends its calls.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    public long CallsRelayed => Interlocked.Read(ref _callsRelayed);

    public long RepliesRelayed => Interlocked.Read(ref _repliesRelayed);

    public long RepliesLost => Interlocked.Read(ref _repliesLost);

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
                _client = (IPEndPoint)from;
                _back.Send(buffer.AsSpan(0, n));
                Interlocked.Increment(ref _callsRelayed);
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
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue;
                }

                if (_random.NextDouble() < _replyLoss)
                {
                    Interlocked.Increment(ref _repliesLost);
                    continue;
                }

                if (_client is { } client)
                {
                    _front.SendTo(buffer.AsSpan(0, n), client);
                    Interlocked.Increment(ref _repliesRelayed);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed: the test is over.
        }
    }
}
