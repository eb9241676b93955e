using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// At-most-once execution. A client retransmits a call with the same XID until it hears back; the cache makes
/// sure the server runs it once. The key is the XID, the caller's address, the program, version and procedure,
/// and a checksum of the arguments (Linux knfsd's key: a client reusing an XID for a different call is not
/// mistaken for a retransmission). A duplicate of a call still running is dropped (its reply is coming);
/// a duplicate of a finished call gets the stored reply again. Bounded by entries and bytes, evicting the
/// least recently used. With a journal (<see cref="DuplicateRequestCacheOptions.JournalPath"/>) it outlives the
/// process: a call that was running when the server died is answered SYSTEM_ERR rather than run again. Thread-safe.
/// </summary>
internal sealed class DuplicateRequestCache : IDisposable
{
    private readonly DuplicateRequestCacheOptions _options;
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly object _lock = new();
    private readonly RpcServerMetrics? _metrics;
    private readonly DuplicateRequestJournal? _journal;
    private readonly ILogger _logger;
    private long _bytes;
    private bool _closed;

    /// <summary>Makes a cache, reading back its journal when it has one.</summary>
    /// <exception cref="InvalidDataException">The journal path names a file that is not a journal.</exception>
    /// <exception cref="IOException">The journal cannot be opened, or another server has it open.</exception>
    public DuplicateRequestCache(DuplicateRequestCacheOptions options, RpcServerMetrics? metrics = null, ILogger? logger = null)
    {
        if (options.MaxEntries < 1 || options.MaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A duplicate request cache needs room for at least one entry and one byte.");
        }

        _options = options;
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        if (options.JournalPath is { } path)
        {
            _journal = DuplicateRequestJournal.Open(path, options.MaxBytes, Replay, out long discarded);
            int interrupted = 0;
            foreach (Entry entry in _lru)
            {
                if (entry.Reply is null)
                {
                    entry.Interrupted = true;
                    interrupted++;
                }
            }

            RpcServerLog.JournalRead(_logger, path, _entries.Count, interrupted);
            if (discarded > 0)
            {
                RpcServerLog.JournalTailDiscarded(_logger, path, discarded);
            }
        }
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

    /// <summary>Bytes in the journal file, 0 without one.</summary>
    public long JournalLength
    {
        get
        {
            lock (_lock)
            {
                return _journal?.Length ?? 0;
            }
        }
    }

    /// <summary>
    /// A TCP caller as the cache knows it: its IP address without the port. A client that reconnects and resends
    /// its calls (the Linux client; NetRpc's with <c>RetryOnConnectionLoss</c>) comes from a new port, and must still
    /// be recognised. Over UDP the caller is address and port, as retransmissions come from the same socket.
    /// </summary>
    public static byte[] StreamCaller(System.Net.IPEndPoint? remote) => remote?.Address.GetAddressBytes() ?? [];

    /// <summary>The cache key of a call.</summary>
    /// <param name="header">The call header.</param>
    /// <param name="caller">The caller's address bytes (IP and port).</param>
    /// <param name="arguments">The arguments' bytes.</param>
    public static Key KeyOf(in CallHeader header, ReadOnlySpan<byte> caller, ReadOnlySpan<byte> arguments) =>
        new(header.Xid, header.Program, header.Version, header.Procedure, arguments.Length, XxHash64.Hash(arguments, XxHash64.Hash(caller)));

    /// <summary>
    /// Looks a call up, and if it is new, records it as running.
    /// </summary>
    /// <returns>
    /// <see cref="Lookup.New"/> (run it, then <see cref="Complete"/>), <see cref="Lookup.Running"/> (drop it),
    /// <see cref="Lookup.Done"/> with the stored reply, or <see cref="Lookup.Interrupted"/> (it was running when an
    /// earlier server died: do not run it, answer and <see cref="Complete"/>), or <see cref="Lookup.Unrecorded"/> (the
    /// journal cannot be written, so running it could not be remembered: do not run it, answer SYSTEM_ERR).
    /// </returns>
    public Lookup Begin(in Key key, out byte[]? reply)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                reply = node.Value.Reply;
                if (node.Value.Interrupted)
                {
                    node.Value.Interrupted = false;
                    _metrics?.Duplicate("interrupted");
                    return Lookup.Interrupted;
                }

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
            if (!TryJournal(DuplicateRequestJournal.Kind.Begun, key))
            {
                return Lookup.Unrecorded;
            }

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
                TryJournal(DuplicateRequestJournal.Kind.Forgotten, key);
                Remove(node);
                return;
            }

            TryJournal(DuplicateRequestJournal.Kind.Replied, key, reply);
            node.Value.Reply = reply.ToArray();
            _bytes += reply.Length;
            EvictWhileOver();
            if (_journal is not null && !_closed)
            {
                try
                {
                    _journal.CompactIfLarge(_bytes + ((long)_entries.Count * DuplicateRequestJournal.RecordOverhead), Oldest);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    RpcServerLog.JournalFailed(_logger, e, _options.JournalPath!, "rewrite");
                }
            }
        }
    }

    /// <summary>Forgets a call begun with <see cref="Begin"/> that produced no reply to keep (it was dropped), so a retransmission runs it.</summary>
    public void Abandon(in Key key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node) && node.Value.Reply is null)
            {
                TryJournal(DuplicateRequestJournal.Kind.Forgotten, key);
                Remove(node);
            }
        }
    }

    /// <summary>Closes the journal, which stays for the next server.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _journal?.Dispose();
        }
    }

    /// <summary>Writes a record, when there is a journal; false (and logged) when the write fails (a full disk, say).</summary>
    private bool TryJournal(DuplicateRequestJournal.Kind kind, in Key key, ReadOnlySpan<byte> reply = default)
    {
        if (_journal is null || _closed)
        {
            return true;
        }

        try
        {
            _journal.Append(kind, key, reply);
            return true;
        }
        catch (IOException e)
        {
            RpcServerLog.JournalFailed(_logger, e, _options.JournalPath!, kind.ToString());
            return false;
        }
    }

    /// <summary>Applies a record of the journal while it is read back.</summary>
    private void Replay(DuplicateRequestJournal.Kind kind, in Key key, byte[]? reply)
    {
        _entries.TryGetValue(key, out LinkedListNode<Entry>? node);
        if (kind == DuplicateRequestJournal.Kind.Forgotten)
        {
            if (node is not null)
            {
                Remove(node);
            }

            return;
        }

        if (node is null)
        {
            node = _lru.AddFirst(new Entry(key));
            _entries.Add(key, node);
        }

        if (reply is not null)
        {
            _bytes += reply.Length - (node.Value.Reply?.Length ?? 0);
            node.Value.Reply = reply;
        }

        EvictWhileOver();
    }

    /// <summary>The entries, least recently used first: the order in which a rewritten journal reads back right.</summary>
    private IEnumerable<(Key Key, byte[]? Reply)> Oldest()
    {
        for (LinkedListNode<Entry>? node = _lru.Last; node is not null; node = node.Previous)
        {
            yield return (node.Value.Key, node.Value.Reply);
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
        Interrupted,
        Unrecorded,
    }

    internal readonly record struct Key(uint Xid, uint Program, uint Version, uint Procedure, int ArgumentLength, ulong Hash);

    private sealed class Entry(Key key)
    {
        public Key Key { get; } = key;

        public byte[]? Reply { get; set; }

        /// <summary>Read back from the journal with no reply: it was running when the server that wrote it died.</summary>
        public bool Interrupted { get; set; }
    }
}
