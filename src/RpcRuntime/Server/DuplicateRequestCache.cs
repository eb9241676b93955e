using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Server;

/// <summary>
/// At-most-once execution. A client retransmits a call with the same XID until it hears back; the cache makes
/// sure the server runs it once. The key is the XID, the caller's address, the program, version and procedure,
/// and a checksum of the arguments (Linux knfsd's key: a client reusing an XID for a different call is not
/// mistaken for a retransmission). A duplicate of a call still running is dropped (its reply is coming);
/// a duplicate of a finished call gets the stored reply again. Bounded by entries and bytes, evicting the
/// least recently used. Thread-safe.
/// </summary>
internal sealed class DuplicateRequestCache
{
    private readonly DuplicateRequestCacheOptions _options;
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly object _lock = new();
    private readonly RpcServerMetrics? _metrics;
    private long _bytes;

    public DuplicateRequestCache(DuplicateRequestCacheOptions options, RpcServerMetrics? metrics = null)
    {
        if (options.MaxEntries < 1 || options.MaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A duplicate request cache needs room for at least one entry and one byte.");
        }

        _options = options;
        _metrics = metrics;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Hits;
    public long Misses;
    public long InProgressDrops;
    public long Evictions;

    /// <summary>The cache key of a call.</summary>
    /// <param name="header">The call header.</param>
    /// <param name="caller">The caller's address bytes (IP and port).</param>
    /// <param name="arguments">The arguments' bytes.</param>
    public static Key KeyOf(in CallHeader header, ReadOnlySpan<byte> caller, ReadOnlySpan<byte> arguments)
    {
        var hash = new HashCode();
        hash.AddBytes(caller);
        hash.AddBytes(arguments);
        return new Key(header.Xid, header.Program, header.Version, header.Procedure, arguments.Length, hash.ToHashCode());
    }

    /// <summary>
    /// Looks a call up, and if it is new, records it as running.
    /// </summary>
    /// <returns><see cref="Lookup.New"/> (run it, then <see cref="Complete"/>), <see cref="Lookup.Running"/> (drop it), or <see cref="Lookup.Done"/> with the stored reply.</returns>
    public Lookup Begin(in Key key, out byte[]? reply)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                reply = node.Value.Reply;
                if (reply is null)
                {
                    InProgressDrops++;
                    _metrics?.Duplicate("in_progress");
                    return Lookup.Running;
                }

                Hits++;
                _metrics?.Duplicate("hit");
                _lru.Remove(node);
                _lru.AddFirst(node);
                return Lookup.Done;
            }

            Misses++;
            _metrics?.Duplicate("miss");
            reply = null;
            node = _lru.AddFirst(new Entry(key));
            _entries.Add(key, node);
            EvictWhileOver();
            return Lookup.New;
        }
    }

    /// <summary>Stores the reply of a call begun with <see cref="Begin"/>; a reply over the byte bound is not kept.</summary>
    public void Complete(in Key key, ReadOnlySpan<byte> reply)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                return; // evicted while it ran
            }

            if (reply.Length > _options.MaxBytes)
            {
                Remove(node);
                return;
            }

            node.Value.Reply = reply.ToArray();
            _bytes += reply.Length;
            EvictWhileOver();
        }
    }

    /// <summary>Forgets a call begun with <see cref="Begin"/> that produced no reply to keep (it was dropped), so a retransmission runs it.</summary>
    public void Abandon(in Key key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node) && node.Value.Reply is null)
            {
                Remove(node);
            }
        }
    }

    private void EvictWhileOver()
    {
        while ((_entries.Count > _options.MaxEntries || _bytes > _options.MaxBytes) && _lru.Last is { } oldest)
        {
            Remove(oldest);
            Evictions++;
            _metrics?.Duplicate("evicted");
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Reply?.Length ?? 0;
    }

    internal enum Lookup
    {
        New,
        Running,
        Done,
    }

    internal readonly record struct Key(uint Xid, uint Program, uint Version, uint Procedure, int ArgumentLength, int Hash);

    private sealed class Entry(Key key)
    {
        public Key Key { get; } = key;

        public byte[]? Reply { get; set; }
    }
}
