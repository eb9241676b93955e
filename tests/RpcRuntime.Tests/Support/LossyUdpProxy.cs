using System.Net;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// A UDP relay between one client and one server that loses a share of the server's replies at random (from a
/// fixed seed): the client must retransmit, and the server sees those calls again.
/// </summary>
internal sealed class LossyUdpProxy : IDisposable
{
    private readonly UdpRelay _relay;
    private readonly double _replyLoss;
    private readonly Random _random;
    private long _callsRelayed;
    private long _repliesRelayed;
    private long _repliesLost;

    public LossyUdpProxy(IPEndPoint server, double replyLoss, int seed)
    {
        _replyLoss = replyLoss;
        _random = new Random(seed);
        _relay = new UdpRelay(server, call: _ => Interlocked.Increment(ref _callsRelayed) > 0, reply: PassReply);
    }

    /// <summary>Where the client sends its calls.</summary>
    public IPEndPoint EndPoint => _relay.EndPoint;

    public long CallsRelayed => Interlocked.Read(ref _callsRelayed);

    public long RepliesRelayed => Interlocked.Read(ref _repliesRelayed);

    public long RepliesLost => Interlocked.Read(ref _repliesLost);

    public void Dispose() => _relay.Dispose();

    private bool PassReply(byte[] reply)
    {
        if (_random.NextDouble() < _replyLoss)
        {
            Interlocked.Increment(ref _repliesLost);
            return false;
        }

        Interlocked.Increment(ref _repliesRelayed);
        return true;
    }
}
