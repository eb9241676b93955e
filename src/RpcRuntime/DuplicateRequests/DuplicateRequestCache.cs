using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// At-most-once execution. A client retransmits a call with the same XID until it hears back; the cache makes
/// sure the server runs it once. A call is the same call when its XID, program, version, procedure, a checksum of
/// its arguments (Linux knfsd's key) and its caller all match; the caller is the transport's address (UDP: address
/// and port; TCP: address, since a reconnecting client comes from a new port) together with the credential (its
/// flavor and body; for AUTH_SYS the machine name, uid, gid and gids, not the stamp), compared byte for byte, so
/// one caller's reply is never served to another. A duplicate of a call still running is dropped (its reply is
/// coming); a duplicate of a finished call gets the stored reply again.
/// <para>
/// Only calls that reach a handler enter it (the dispatcher keeps NULL and refused calls out), and an entry of a
/// call still running is never evicted: cheap traffic cannot make a running call, or one whose reply was lost, run
/// again. Finished entries are bounded by count and bytes; when over, the source holding the most (its address
/// without the port, and its credential) loses its least recently used entry, so one source flooding the cache
/// pushes out its own entries, not another's.
/// </para>
/// With a journal (<see cref="DuplicateRequestCacheOptions.JournalPath"/>) it outlives the process: a call that was
/// running when the server died, or whose records were damaged, is answered SYSTEM_ERR rather than run again.
/// Thread-safe.
/// </summary>
internal sealed class DuplicateRequestCache : IDisposable
{
    /// <summary>The most bytes of caller identity: a socket address, a flavor and a 400-byte credential body.</summary>
    public const int MaxCallerSize = 32 + 4 + OpaqueAuth.MaxBodyLength;

    private readonly DuplicateRequestCacheOptions _options;
    private readonly Dictionary<Key, Entry> _entries = new(KeyComparer.Instance);
    private readonly Dictionary<Key, Entry>.AlternateLookup<CallKey> _lookup;
    private readonly Dictionary<ulong, Source> _sources = [];
    private readonly SortedSet<(int Count, ulong Source)> _byCount = [];
    private readonly SortedSet<(long Bytes, ulong Source)> _byBytes = [];
    private readonly HashSet<ulong> _suspects = [];
    private readonly object _lock = new();
    private readonly RpcServerMetrics? _metrics;
    private readonly DuplicateRequestJournal? _journal;
    private readonly ILogger _logger;
    private int _finished;
    private long _bytes;
    private bool _closed;

    /// <summary>Makes a cache, reading back its journal when it has one.</summary>
    /// <param name="options">The bounds, and the journal.</param>
    /// <param name="name">What the cache serves ("udp", "tcp"): a journal written for another is refused.</param>
    /// <param name="metrics">Where lookups are counted.</param>
    /// <param name="logger">Where the journal's read-back is reported.</param>
    /// <exception cref="DuplicateRequestJournalException">The journal cannot be opened or read back safely.</exception>
    public DuplicateRequestCache(DuplicateRequestCacheOptions options, string name = "udp", RpcServerMetrics? metrics = null, ILogger? logger = null)
    {
        if (options.MaxEntries < 1 || options.MaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A duplicate request cache needs room for at least one entry and one byte.");
        }

        _options = options;
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        _lookup = _entries.GetAlternateLookup<CallKey>();
        if (options.JournalPath is { } path)
        {
            _journal = DuplicateRequestJournal.Open(path, name, options.MaxBytes, Replay, out DuplicateRequestJournal.Recovery recovery);
            int interrupted = 0;
            var digests = new HashSet<ulong>();
            foreach (Entry entry in _entries.Values)
            {
                digests.Add(entry.Key.Digest);
                if (entry.Reply is null)
                {
                    // Running when the server that wrote it died: it may have run.
                    entry.Interrupted = true;
                    MakeFinished(entry);
                    interrupted++;
                }
            }

            // Calls named only by the records that followed damaged ones: their fate is unknown, so they may have run.
            foreach (ulong digest in recovery.LostCalls)
            {
                if (!digests.Contains(digest))
                {
                    _suspects.Add(digest);
                }
            }

            EvictWhileOver();
            RpcServerLog.JournalRead(_logger, path, _entries.Count, interrupted + _suspects.Count);
            if (recovery.DamagedBytes > 0)
            {
                RpcServerLog.JournalDamaged(_logger, path, recovery.DamagedBytes, recovery.LostRecords, _suspects.Count);
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

    /// <summary>Bytes of records in the journal file, 0 without one.</summary>
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
    /// A TCP caller's address as the cache knows it: its IP address without the port. A client that reconnects and
    /// resends its calls (the Linux client; NetRpc's with <c>RetryOnConnectionLoss</c>) comes from a new port, and
    /// must still be recognised. Over UDP the caller is address and port, as retransmissions come from the same socket.
    /// </summary>
    public static byte[] StreamCaller(System.Net.IPEndPoint? remote) => remote?.Address.GetAddressBytes() ?? [];

    /// <summary>
    /// The part of a credential that says who the caller is: the flavor and the body, without AUTH_SYS's stamp
    /// (RFC 5531 appendix A: an arbitrary id the client may change, which says nothing of who calls).
    /// </summary>
    public static int WriteCredential(in OpaqueAuth credential, Span<byte> destination)
    {
        ReadOnlySpan<byte> body = credential.Body.Span;
        if (credential.Flavor == AuthFlavor.Sys && body.Length >= 4)
        {
            body = body[4..];
        }

        BinaryPrimitives.WriteInt32BigEndian(destination, (int)credential.Flavor);
        body.CopyTo(destination[4..]);
        return 4 + body.Length;
    }

    /// <summary>
    /// Looks a call up, and if it is new, records it as running.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="key">The key under which a new call is recorded, for <see cref="Complete"/> and <see cref="Abandon"/>.</param>
    /// <param name="reply">The stored reply, when the call is done.</param>
    /// <returns>
    /// <see cref="Lookup.New"/> (run it, then <see cref="Complete"/>), <see cref="Lookup.Running"/> (drop it),
    /// <see cref="Lookup.Done"/> with the stored reply, <see cref="Lookup.Interrupted"/> (it may have run under an
    /// earlier server: do not run it, answer and <see cref="Complete"/>), or <see cref="Lookup.Unrecorded"/> (the
    /// journal cannot be written, so running it could not be remembered: do not run it, answer SYSTEM_ERR).
    /// </returns>
    public Lookup Begin(in CallKey call, out Key key, out byte[]? reply)
    {
        lock (_lock)
        {
            if (_lookup.TryGetValue(call, out Entry? entry))
            {
                key = entry.Key;
                reply = entry.Reply;
                if (entry.Interrupted)
                {
                    entry.Interrupted = false;
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
                Touch(entry);
                return Lookup.Done;
            }

            Misses++;
            _metrics?.Duplicate("miss");
            reply = null;
            key = KeyComparer.Instance.Create(call);
            if (_suspects.Count > 0 && _suspects.Remove(key.Digest))
            {
                // Named in a damaged journal with no record of its fate: answered like a call that was running.
                entry = Add(key);
                MakeFinished(entry);
                _metrics?.Duplicate("interrupted");
                return Lookup.Interrupted;
            }

            if (!TryJournal(DuplicateRequestJournal.Kind.Begun, key))
            {
                key = default;
                return Lookup.Unrecorded;
            }

            Add(key);
            return Lookup.New;
        }
    }

    /// <summary>Stores the reply of a call begun with <see cref="Begin"/>; a reply over the byte bound is not kept.</summary>
    public void Complete(in Key key, ReadOnlySpan<byte> reply)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out Entry? entry))
            {
                return;
            }

            if (reply.Length > _options.MaxBytes)
            {
                TryJournal(DuplicateRequestJournal.Kind.Forgotten, key);
                Remove(entry);
                return;
            }

            TryJournal(DuplicateRequestJournal.Kind.Replied, key, reply);
            if (entry.Node is not null)
            {
                Account(entry.Source, 0, -(entry.Reply?.Length ?? 0));
            }

            entry.Reply = reply.ToArray();
            if (entry.Node is null)
            {
                MakeFinished(entry);
            }
            else
            {
                Account(entry.Source, 0, reply.Length);
                Touch(entry);
            }

            EvictWhileOver();
            if (_journal is not null && !_closed)
            {
                try
                {
                    _journal.CompactIfLarge(Entries, _suspects);
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
            if (_entries.TryGetValue(key, out Entry? entry) && entry.Reply is null && !entry.Interrupted)
            {
                TryJournal(DuplicateRequestJournal.Kind.Forgotten, key);
                Remove(entry);
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
        _entries.TryGetValue(key, out Entry? entry);
        if (kind == DuplicateRequestJournal.Kind.Forgotten)
        {
            if (entry is not null)
            {
                Remove(entry);
            }

            return;
        }

        entry ??= Add(key);
        if (entry.Node is not null)
        {
            // Begun again (it had been evicted and ran anew), or answered again: the later record decides.
            entry.Source.Finished.Remove(entry.Node);
            entry.Node = null;
            Account(entry.Source, -1, -(entry.Reply?.Length ?? 0));
        }

        // A reply whose bytes were damaged (null) leaves the call as if it were still running: it may have run.
        entry.Reply = kind == DuplicateRequestJournal.Kind.Replied ? reply : null;
        if (entry.Reply is not null)
        {
            MakeFinished(entry);
            EvictWhileOver();
        }
    }

    private Entry Add(in Key key)
    {
        if (!_sources.TryGetValue(key.Source, out Source? source))
        {
            source = new Source(key.Source);
            _sources.Add(key.Source, source);
        }

        source.Live++;
        var entry = new Entry(key, source);
        _entries.Add(key, entry);
        return entry;
    }

    /// <summary>Every entry: key and reply (null for a call that runs or may have run), a source's oldest first.</summary>
    private IEnumerable<(Key Key, byte[]? Reply)> Entries()
    {
        foreach (Entry entry in _entries.Values)
        {
            if (entry.Node is null || entry.Interrupted)
            {
                yield return (entry.Key, null);
            }
        }

        foreach (Source source in _sources.Values)
        {
            for (LinkedListNode<Entry>? node = source.Finished.Last; node is not null; node = node.Previous)
            {
                if (!node.Value.Interrupted)
                {
                    yield return (node.Value.Key, node.Value.Reply);
                }
            }
        }
    }

    /// <summary>A call is answered: it joins its source's finished entries, which may be evicted.</summary>
    private void MakeFinished(Entry entry)
    {
        entry.Node = entry.Source.Finished.AddFirst(entry);
        Account(entry.Source, 1, entry.Reply?.Length ?? 0);
    }

    private void Touch(Entry entry)
    {
        LinkedList<Entry> finished = entry.Source.Finished;
        finished.Remove(entry.Node!);
        finished.AddFirst(entry.Node!);
    }

    /// <summary>Changes a source's counts, keeping the cache's totals and the by-size orders in step.</summary>
    private void Account(Source source, int entries, long bytes)
    {
        if (entries == 0 && bytes == 0)
        {
            return;
        }

        _byCount.Remove((source.Count, source.Id));
        _byBytes.Remove((source.Bytes, source.Id));
        source.Count += entries;
        source.Bytes += bytes;
        _finished += entries;
        _bytes += bytes;
        if (source.Count > 0)
        {
            _byCount.Add((source.Count, source.Id));
            _byBytes.Add((source.Bytes, source.Id));
        }
    }

    /// <summary>While over a bound, the source holding the most (entries, or bytes) loses its least recently used entry.</summary>
    private void EvictWhileOver()
    {
        while (_finished > 0 && (_finished > _options.MaxEntries || _bytes > _options.MaxBytes))
        {
            ulong id = _finished > _options.MaxEntries ? _byCount.Max.Source : _byBytes.Max.Source;
            Remove(_sources[id].Finished.Last!.Value);
            Evictions++;
            _metrics?.Duplicate("evicted");
        }
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        if (entry.Node is not null)
        {
            entry.Source.Finished.Remove(entry.Node);
            entry.Node = null;
            Account(entry.Source, -1, -(entry.Reply?.Length ?? 0));
        }

        if (--entry.Source.Live == 0)
        {
            _sources.Remove(entry.Source.Id);
        }
    }

    internal enum Lookup
    {
        New,
        Running,
        Done,
        Interrupted,
        Unrecorded,
    }

    /// <summary>A call's identity as it arrives: views of its bytes, copied only when the call is recorded.</summary>
    internal readonly ref struct CallKey
    {
        /// <summary>Identifies a call.</summary>
        /// <param name="header">Its header (XID, program, version, procedure).</param>
        /// <param name="caller">Who calls, exactly: the transport's address bytes, then <see cref="WriteCredential">the credential</see>.</param>
        /// <param name="addressLength">How many of <paramref name="caller"/>'s bytes are the transport's address.</param>
        /// <param name="source">The caller's IP address without a port: with the credential, whom eviction is fair to.</param>
        /// <param name="arguments">The arguments' bytes.</param>
        public CallKey(in CallHeader header, ReadOnlySpan<byte> caller, int addressLength, ReadOnlySpan<byte> source, ReadOnlySpan<byte> arguments)
        {
            Xid = header.Xid;
            Program = header.Program;
            Version = header.Version;
            Procedure = header.Procedure;
            ArgumentLength = arguments.Length;
            ArgumentHash = XxHash64.HashToUInt64(arguments);
            Caller = caller;
            CallerHash = XxHash64.HashToUInt64(caller);
            Credential = caller[addressLength..];
            SourceAddress = source;
        }

        public uint Xid { get; }

        public uint Program { get; }

        public uint Version { get; }

        public uint Procedure { get; }

        public int ArgumentLength { get; }

        public ulong ArgumentHash { get; }

        public ReadOnlySpan<byte> Caller { get; }

        public ulong CallerHash { get; }

        public ReadOnlySpan<byte> Credential { get; }

        public ReadOnlySpan<byte> SourceAddress { get; }
    }

    /// <summary>A recorded call's identity: what <see cref="CallKey"/> holds, with the caller's bytes copied.</summary>
    internal readonly struct Key(uint xid, uint program, uint version, uint procedure, int argumentLength, ulong argumentHash, byte[] caller, ulong callerHash, ulong source)
    {
        public uint Xid { get; } = xid;

        public uint Program { get; } = program;

        public uint Version { get; } = version;

        public uint Procedure { get; } = procedure;

        public int ArgumentLength { get; } = argumentLength;

        public ulong ArgumentHash { get; } = argumentHash;

        public byte[] Caller { get; } = caller;

        public ulong CallerHash { get; } = callerHash;

        /// <summary>Who calls, for fair eviction: a hash of the source address (no port) and the credential.</summary>
        public ulong Source { get; } = source;

        /// <summary>A 64-bit name of the call, for the journal's records of the calls before each one.</summary>
        public ulong Digest
        {
            get
            {
                Span<byte> bytes = stackalloc byte[36];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, Xid);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], Program);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Version);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], Procedure);
                BinaryPrimitives.WriteInt32LittleEndian(bytes[16..], ArgumentLength);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes[20..], ArgumentHash);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes[28..], CallerHash);
                return XxHash64.HashToUInt64(bytes);
            }
        }
    }

    /// <summary>Compares keys by every field and the caller's bytes; a call as it arrives is compared without copying it.</summary>
    private sealed class KeyComparer : IEqualityComparer<Key>, IAlternateEqualityComparer<CallKey, Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) =>
            x.Xid == y.Xid && x.ArgumentHash == y.ArgumentHash && x.Program == y.Program && x.Version == y.Version &&
            x.Procedure == y.Procedure && x.ArgumentLength == y.ArgumentLength && x.CallerHash == y.CallerHash &&
            x.Caller.AsSpan().SequenceEqual(y.Caller);

        public int GetHashCode(Key key) => Hash(key.Xid, key.ArgumentHash, key.CallerHash);

        public bool Equals(CallKey x, Key y) =>
            x.Xid == y.Xid && x.ArgumentHash == y.ArgumentHash && x.Program == y.Program && x.Version == y.Version &&
            x.Procedure == y.Procedure && x.ArgumentLength == y.ArgumentLength && x.CallerHash == y.CallerHash &&
            x.Caller.SequenceEqual(y.Caller);

        public int GetHashCode(CallKey key) => Hash(key.Xid, key.ArgumentHash, key.CallerHash);

        public Key Create(CallKey call)
        {
            ulong source = XxHash64.HashToUInt64(call.Credential, (long)XxHash64.HashToUInt64(call.SourceAddress));
            return new Key(call.Xid, call.Program, call.Version, call.Procedure, call.ArgumentLength, call.ArgumentHash, call.Caller.ToArray(), call.CallerHash, source);
        }

        private static int Hash(uint xid, ulong argumentHash, ulong callerHash) => (int)(xid ^ (uint)argumentHash ^ (uint)(argumentHash >> 32) ^ (uint)callerHash ^ (uint)(callerHash >> 32));
    }

    private sealed class Entry(Key key, Source source)
    {
        public Key Key { get; } = key;

        public Source Source { get; } = source;

        public byte[]? Reply { get; set; }

        /// <summary>In its source's list of finished entries (evictable), or null while the call runs.</summary>
        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>It may have run under an earlier server (running when that one died, or named by a damaged journal).</summary>
        public bool Interrupted { get; set; }
    }

    /// <summary>One source's finished entries, most recently used first, and what they hold.</summary>
    private sealed class Source(ulong id)
    {
        public ulong Id { get; } = id;

        public LinkedList<Entry> Finished { get; } = new();

        /// <summary>Entries of this source, running ones included: the source is forgotten when none is left.</summary>
        public int Live { get; set; }

        public int Count { get; set; }

        public long Bytes { get; set; }
    }
}
