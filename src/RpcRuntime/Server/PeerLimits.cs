using System.Net;
using System.Net.Sockets;

namespace NetRpc.Runtime.Server;

/// <summary>
/// Who a caller is, for limits per source: its IP address (an IPv4 caller is the same whether it arrives over IPv4
/// or as an IPv4-mapped IPv6 address; the port is not part of it, since one host can use any number of ports), or
/// for a caller on a local (AF_UNIX) socket, the user id the kernel reports.
/// </summary>
internal readonly record struct PeerKey(IPAddress? Address, uint? LocalUser)
{
    public static PeerKey Of(IPEndPoint? remote, LocalPeer? local) =>
        local is not null ? new PeerKey(null, local.UserId) : new PeerKey(Normalize(remote?.Address), null);

    public static PeerKey Of(SocketAddress address) => Of(RpcCallContext.ToEndPoint(address), null);

    public override string ToString() => Address?.ToString() ?? $"local uid {LocalUser?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}";

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}

/// <summary>How many of something each source holds (connections, calls in flight), with a cap per source. Thread-safe.</summary>
internal sealed class PeerCounter(int limitPerPeer)
{
    private readonly Dictionary<PeerKey, int> _counts = [];
    private readonly object _lock = new();

    public int LimitPerPeer => limitPerPeer;

    /// <summary>Counts one more for <paramref name="peer"/>, unless it already holds its limit.</summary>
    public bool TryEnter(PeerKey peer)
    {
        lock (_lock)
        {
            _counts.TryGetValue(peer, out int count);
            if (count >= limitPerPeer)
            {
                return false;
            }

            _counts[peer] = count + 1;
            return true;
        }
    }

    /// <summary>Counts one more for <paramref name="peer"/>, whatever it holds.</summary>
    public void Enter(PeerKey peer)
    {
        lock (_lock)
        {
            _counts.TryGetValue(peer, out int count);
            _counts[peer] = count + 1;
        }
    }

    /// <summary>True when <paramref name="peer"/> holds its limit.</summary>
    public bool IsFull(PeerKey peer)
    {
        lock (_lock)
        {
            return _counts.TryGetValue(peer, out int count) && count >= limitPerPeer;
        }
    }

    public void Exit(PeerKey peer)
    {
        lock (_lock)
        {
            if (_counts.TryGetValue(peer, out int count))
            {
                if (count <= 1)
                {
                    _counts.Remove(peer); // the table holds only sources with something in it
                }
                else
                {
                    _counts[peer] = count - 1;
                }
            }
        }
    }
}

/// <summary>
/// Reply bytes waiting for TCP peers to read them, across a server (<see cref="RpcServerOptions.MaxQueuedReplyBytes"/>).
/// Connections add what they queue and subtract what their peers take. Thread-safe.
/// </summary>
internal sealed class ReplyBacklog(long limit)
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>True when the server holds as many queued reply bytes as it allows.</summary>
    public bool IsFull => Interlocked.Read(ref _bytes) >= limit;

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

/// <summary>
/// UDP calls whose handlers are still running, across a server, bounded in all and per source address
/// (<see cref="RpcServerOptions.MaxUdpCallsInFlight"/>, <see cref="RpcServerOptions.MaxUdpCallsInFlightPerAddress"/>).
/// A datagram is admitted before it is dispatched and counted once its handler goes on asynchronously, so
/// the receive threads may overshoot a bound by one call each. Thread-safe.
/// </summary>
internal sealed class UdpCallsInFlight(int limit, int limitPerAddress)
{
    private readonly PeerCounter _perAddress = new(limitPerAddress);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether a datagram from <paramref name="from"/> may be dispatched; if not, the reason it is dropped.</summary>
    public string? Refusal(SocketAddress from)
    {
        int count = Volatile.Read(ref _count);
        if (count >= limit)
        {
            return "server_busy";
        }

        // No source can hold its limit while fewer calls than that run in all: the common case looks nothing up.
        return count >= limitPerAddress && _perAddress.IsFull(PeerKey.Of(from)) ? "address_busy" : null;
    }

    /// <summary>A call from <paramref name="from"/> goes on asynchronously; returns what to give <see cref="Exit"/>.</summary>
    public PeerKey Enter(SocketAddress from)
    {
        PeerKey peer = PeerKey.Of(from);
        _perAddress.Enter(peer);
        Interlocked.Increment(ref _count);
        return peer;
    }

    public void Exit(PeerKey peer)
    {
        _perAddress.Exit(peer);
        Interlocked.Decrement(ref _count);
    }
}
