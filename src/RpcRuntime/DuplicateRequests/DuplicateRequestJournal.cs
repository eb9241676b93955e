using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// The file behind a <see cref="DuplicateRequestCache"/> that outlives the server: every call begun and every reply
/// kept is written down before the handler runs or the reply is sent, so a server started again after dying
/// (even by SIGKILL) knows which calls it ran. Each record is one write(2) straight into the kernel: it survives
/// the process, not the machine (it is not fsync'ed, as NFS servers' caches are not kept at all).
/// <para>
/// It fails closed. A file that is damaged, cut short, empty or foreign is never taken for a new journal, and a
/// call whose fate its records no longer tell is answered SYSTEM_ERR, never run again:
/// </para>
/// <list type="bullet">
/// <item>A header page names the journal (magic <c>NRPCDRC2</c>, a random epoch, what it serves, the length the file
/// was given). Records are self-delimiting: a sync word, then a header with its own XXH64, then the reply with
/// another. Reading resynchronises on the next sync word after damage, so every intact record is read back;
/// records carry the epoch, so bytes of another journal (or a reply that looks like a record) are not taken.</item>
/// <item>Records are numbered, and each carries the digests of the calls of the <see cref="BackReferences"/> records
/// before it: a run of up to that many destroyed records is named by the next intact one, and its calls are
/// treated as running when the last server died. A longer run loses calls nobody can name: the journal is refused.</item>
/// <item>A record's header never straddles a page (padding before it is written in the same write), so a write cut
/// short by the process's death leaves either no header or a whole one: a torn Begun record means the handler never
/// ran, a torn reply means the call may have run. The file is extended ahead in chunks, its length written in the
/// header first: a file shorter than that, with records up to where it ends, was cut, and is refused.</item>
/// </list>
/// The file is rewritten from the cache when it has grown past twice what the cache holds, so it stays bounded.
/// Not thread-safe: the cache calls it under its lock.
/// </summary>
internal sealed class DuplicateRequestJournal : IDisposable
{
    /// <summary>How many earlier records each record names (a run of that many destroyed records is recoverable).</summary>
    public const int BackReferences = 8;

    private const int PageSize = 4096;
    private const int HeaderPageSize = PageSize;
    private const int HeaderUsed = 64;
    private const int MaxNameLength = 23;
    private const uint Sync = 0x3243_5244; // "DRC2" in little-endian order
    private const int FixedHeaderSize = 4 + 4 + 8 + 8 + 1 + 16 + 4 + 8 + 8 + 8 + 2 + 1 + 4 + 8 + 8;
    private const int MaxRecordHeaderSize = FixedHeaderSize + DuplicateRequestCache.MaxCallerSize + (8 * BackReferences);
    private const long GrowthChunk = 1 << 20;
    private const long MinimumCompactionSize = 1 << 20;
    private const byte Padding = 0xFF;
    private static readonly byte[] Magic = "NRPCDRC2"u8.ToArray();
    private static readonly byte[] OldMagic = "NRPCDRC1"u8.ToArray();

    private readonly string _path;
    private readonly string _name;
    private readonly long _maxReply;
    private SafeFileHandle _file;
    private ulong _epoch;
    private long _end;
    private long _allocated;
    private ulong _sequence;
    private readonly Queue<ulong> _recent = new(BackReferences);
    private byte[] _record = new byte[1024];

    private DuplicateRequestJournal(string path, string name, long maxReply, SafeFileHandle file)
    {
        _path = path;
        _name = name;
        _maxReply = maxReply;
        _file = file;
    }

    /// <summary>What a record says happened to a call.</summary>
    public enum Kind : byte
    {
        /// <summary>The call began to run.</summary>
        Begun = 1,

        /// <summary>The call was answered with the reply in the record.</summary>
        Replied = 2,

        /// <summary>The call is forgotten: it produced no reply to keep, and a retransmission runs it.</summary>
        Forgotten = 3,

        /// <summary>
        /// A call known only by its digest (named by a record that followed damaged ones) whose fate is unknown; the
        /// record's key is empty but for the digest, in the argument hash's place. A rewritten journal carries such calls on.
        /// </summary>
        Unknown = 4,
    }

    /// <summary>Bytes of records in the file (the file itself is extended ahead of them).</summary>
    public long Length => _end;

    /// <summary>What reading a journal back found beside its intact records.</summary>
    /// <param name="DamagedBytes">Bytes that were neither intact records nor padding.</param>
    /// <param name="LostRecords">Records destroyed by the damage (known from the numbering).</param>
    /// <param name="LostCalls">The digests of the calls of destroyed records, as later records name them.</param>
    public sealed record Recovery(long DamagedBytes, long LostRecords, IReadOnlyCollection<ulong> LostCalls);

    /// <summary>A record read back from the journal; <paramref name="reply"/> is null for a reply whose bytes were damaged.</summary>
    public delegate void ReplayRecord(Kind kind, in DuplicateRequestCache.Key key, byte[]? reply);

    /// <summary>
    /// Opens the journal at a path, creating it when there is no file there, and reads back its records. The file
    /// is locked: a second server on the same journal is refused.
    /// </summary>
    /// <param name="path">The journal's path.</param>
    /// <param name="name">What the cache serves ("udp", "tcp"); a journal written for another is refused.</param>
    /// <param name="maxReply">The largest reply a record may carry (the cache's byte bound).</param>
    /// <param name="replay">Called with each intact record, oldest first.</param>
    /// <param name="recovery">What damage was found and what it cost.</param>
    /// <exception cref="DuplicateRequestJournalException">The file cannot be opened, is not this cache's journal, or lost calls nobody can name.</exception>
    public static DuplicateRequestJournal Open(string path, string name, long maxReply, ReplayRecord replay, out Recovery recovery)
    {
        if (Encoding.ASCII.GetByteCount(name) > MaxNameLength)
        {
            throw new ArgumentOutOfRangeException(nameof(name));
        }

        if (Directory.Exists(path))
        {
            throw new DuplicateRequestJournalException(path, "is a directory; give the path of a file (it is created when absent)");
        }

        SafeFileHandle file;
        bool created;
        try
        {
            // A missing file is a new journal; one that exists is read back, whatever it holds.
            created = !File.Exists(path);
            file = File.OpenHandle(path, created ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            string reason = e is UnauthorizedAccessException
                ? "cannot be opened for reading and writing (permission denied, or a read-only file system)"
                : "cannot be opened (is another server using it?)";
            throw new DuplicateRequestJournalException(path, $"{reason}: {e.Message}", e);
        }

        var journal = new DuplicateRequestJournal(path, name, maxReply, file);
        try
        {
            if (created)
            {
                journal.Start(file, Epoch());
                recovery = new Recovery(0, 0, []);
            }
            else
            {
                recovery = journal.ReadBack(replay);
            }

            return journal;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            if (created)
            {
                File.Delete(path);
            }

            throw e as DuplicateRequestJournalException ?? new DuplicateRequestJournalException(path, $"cannot be read or written: {e.Message}", e);
        }
    }

    /// <summary>Writes down that a call began, was answered, or is forgotten.</summary>
    public void Append(Kind kind, in DuplicateRequestCache.Key key, ReadOnlySpan<byte> reply = default)
    {
        int headerSize = RecordHeaderSize(key);
        int padding = PaddingBefore(_end, headerSize);
        int size = padding + headerSize + reply.Length;
        if (_record.Length < size)
        {
            _record = new byte[Math.Max(size, _record.Length * 2)];
        }

        Span<byte> record = _record.AsSpan(0, size);
        record[..padding].Fill(Padding);
        EncodeRecord(record[padding..], _epoch, ++_sequence, kind, key, _recent, reply);
        EnsureAllocated(_end + size);
        RandomAccess.Write(_file, record, _end);
        _end += size;
        Remember(_recent, CallOf(kind, key));
    }

    /// <summary>
    /// Rewrites the journal from the cache's entries when it has grown past twice their size: written to a new file
    /// (a new epoch), made durable, then renamed over the old one, so a crash leaves one whole journal or the other.
    /// </summary>
    /// <param name="entries">The entries: key, and reply (null for a call that runs, or may have run).</param>
    /// <param name="unknown">The digests of calls whose fate is unknown (<see cref="Kind.Unknown"/>).</param>
    public void CompactIfLarge(Func<IEnumerable<(DuplicateRequestCache.Key Key, byte[]? Reply)>> entries, IReadOnlyCollection<ulong> unknown)
    {
        if (_end < MinimumCompactionSize)
        {
            return;
        }

        long live = HeaderPageSize + (unknown.Count * (long)RecordHeaderSize(default));
        foreach ((DuplicateRequestCache.Key key, byte[]? reply) in entries())
        {
            live += RecordHeaderSize(key) + (reply?.Length ?? 0);
        }

        if (_end < 2 * live)
        {
            return;
        }

        string temporary = _path + ".new";
        SafeFileHandle file = File.OpenHandle(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var writer = new DuplicateRequestJournal(temporary, _name, _maxReply, file);
            writer.Start(file, Epoch());
            foreach ((DuplicateRequestCache.Key key, byte[]? reply) in entries())
            {
                writer.Append(reply is null ? Kind.Begun : Kind.Replied, key, reply);
            }

            foreach (ulong call in unknown)
            {
                writer.Append(Kind.Unknown, new DuplicateRequestCache.Key(0, 0, 0, 0, 0, call, [], 0, 0));
            }

            RandomAccess.FlushToDisk(file);
            File.Move(temporary, _path, overwrite: true);
            _file.Dispose();
            _file = file;
            _epoch = writer._epoch;
            _end = writer._end;
            _allocated = writer._allocated;
            _sequence = writer._sequence;
            _recent.Clear();
            foreach (ulong digest in writer._recent)
            {
                _recent.Enqueue(digest);
            }
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Closes the file; the journal stays for the next server.</summary>
    public void Dispose() => _file.Dispose();

    /// <summary>The digest that names a record's call: its key's, or for <see cref="Kind.Unknown"/> the one it carries.</summary>
    private static ulong CallOf(Kind kind, in DuplicateRequestCache.Key key) => kind == Kind.Unknown ? key.ArgumentHash : key.Digest;

    private static ulong Epoch() => BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    private static int RecordHeaderSize(in DuplicateRequestCache.Key key) => FixedHeaderSize + (key.Caller?.Length ?? 0) + (8 * BackReferences);

    /// <summary>Padding that moves a record's header to the next page when it would straddle one.</summary>
    private static int PaddingBefore(long position, int headerSize)
    {
        int inPage = (int)(position % PageSize);
        return inPage + headerSize > PageSize ? PageSize - inPage : 0;
    }

    private static void Remember(Queue<ulong> recent, ulong digest)
    {
        if (recent.Count == BackReferences)
        {
            recent.Dequeue();
        }

        recent.Enqueue(digest);
    }

    /// <summary>Makes the file a new, empty journal.</summary>
    private void Start(SafeFileHandle file, ulong epoch)
    {
        _epoch = epoch;
        _end = HeaderPageSize;
        _allocated = 0;
        _sequence = 0;
        EnsureAllocated(HeaderPageSize, file);
    }

    /// <summary>Extends the file ahead of <paramref name="needed"/>, writing its new length in the header first.</summary>
    private void EnsureAllocated(long needed, SafeFileHandle? file = null)
    {
        if (needed <= _allocated)
        {
            return;
        }

        file ??= _file;
        long allocated = (needed + GrowthChunk - 1) / GrowthChunk * GrowthChunk;
        RandomAccess.SetLength(file, allocated);
        Span<byte> header = stackalloc byte[HeaderUsed];
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], _epoch);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], allocated);
        header[32] = (byte)Encoding.ASCII.GetBytes(_name, header[33..56]);
        BinaryPrimitives.WriteUInt64LittleEndian(header[56..], XxHash64.HashToUInt64(header[..56]));
        RandomAccess.Write(file, header, 0);
        _allocated = allocated;
    }

    private static void EncodeRecord(Span<byte> record, ulong epoch, ulong sequence, Kind kind, in DuplicateRequestCache.Key key, Queue<ulong> recent, ReadOnlySpan<byte> reply)
    {
        int headerSize = RecordHeaderSize(key);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Sync);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], headerSize);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(record[16..], sequence);
        record[24] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(record[25..], key.Xid);
        BinaryPrimitives.WriteUInt32LittleEndian(record[29..], key.Program);
        BinaryPrimitives.WriteUInt32LittleEndian(record[33..], key.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(record[37..], key.Procedure);
        BinaryPrimitives.WriteInt32LittleEndian(record[41..], key.ArgumentLength);
        BinaryPrimitives.WriteUInt64LittleEndian(record[45..], key.ArgumentHash);
        BinaryPrimitives.WriteUInt64LittleEndian(record[53..], key.CallerHash);
        BinaryPrimitives.WriteUInt64LittleEndian(record[61..], key.Source);
        byte[] caller = key.Caller ?? [];
        BinaryPrimitives.WriteUInt16LittleEndian(record[69..], (ushort)caller.Length);
        caller.CopyTo(record[71..]);
        int at = 71 + caller.Length;

        // The digests of the calls of the records before this one, newest first; zeros where there are fewer.
        record[at++] = (byte)recent.Count;
        Span<ulong> earlier = stackalloc ulong[BackReferences];
        int count = 0;
        foreach (ulong digest in recent)
        {
            earlier[count++] = digest;
        }

        for (int i = 0; i < BackReferences; i++, at += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record[at..], i < count ? earlier[count - 1 - i] : 0);
        }

        BinaryPrimitives.WriteInt32LittleEndian(record[at..], reply.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(record[(at + 4)..], reply.IsEmpty ? 0 : XxHash64.HashToUInt64(reply));
        at += 12;
        BinaryPrimitives.WriteUInt64LittleEndian(record[at..], XxHash64.HashToUInt64(record[..at]));
        reply.CopyTo(record[headerSize..]);
    }

    /// <summary>Reads the header and every intact record; leaves the journal ready to append after the last one.</summary>
    private Recovery ReadBack(ReplayRecord replay)
    {
        long size = RandomAccess.GetLength(_file);
        if (size == 0)
        {
            throw new DuplicateRequestJournalException(_path, "is empty: a journal never is (it has a header), so it was cut to nothing or made by something else; remove it to start a new journal, accepting that calls it recorded may run again");
        }

        byte[] header = new byte[HeaderUsed];
        int read = RandomAccess.Read(_file, header, 0);
        if (read >= Magic.Length && header.AsSpan(0, Magic.Length).SequenceEqual(OldMagic))
        {
            throw new DuplicateRequestJournalException(_path, "was written by an earlier NetRpc (format NRPCDRC1), which this one does not read; remove it to start a new journal");
        }

        if (read < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new DuplicateRequestJournalException(_path, "is not a NetRpc duplicate request journal (it does not begin with NRPCDRC2); refusing to overwrite it");
        }

        if (read < HeaderUsed || XxHash64.HashToUInt64(header.AsSpan(0, 56)) != BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(56)))
        {
            throw new DuplicateRequestJournalException(_path, "has a damaged header: its records cannot be told from another journal's; remove it to start a new journal, accepting that calls it recorded may run again");
        }

        string name = Encoding.ASCII.GetString(header.AsSpan(33, Math.Min(header[32], (byte)MaxNameLength)));
        if (name != _name)
        {
            throw new DuplicateRequestJournalException(_path, $"is the journal of a \"{name}\" cache, not of this \"{_name}\" one; give each cache a journal of its own");
        }

        _epoch = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(8));
        _allocated = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        var reader = new Scanner(_file, size, _epoch, _maxReply);
        long damaged = 0;
        long lost = 0;
        var lostCalls = new HashSet<ulong>();
        var recent = new Queue<ulong>(BackReferences); // the digests of the last records by number, lost ones included
        long position = HeaderPageSize;
        ulong expected = 1;
        while (reader.Next(position, out Scanner.Record record, out long skipped))
        {
            damaged += skipped;
            position = record.End;
            if (record.Sequence < expected)
            {
                // Numbering goes back: bytes of an earlier record of this journal where they do not belong. Not read.
                damaged += record.End - record.Start;
                continue;
            }

            // Records expected..Sequence-1 are gone; this one names the calls of the BackReferences records before it.
            if (record.Sequence - expected > BackReferences)
            {
                throw new DuplicateRequestJournalException(_path, $"lost records {expected} to {record.Sequence - 1} (before offset {record.Start}): more than the {BackReferences} each record names, so calls may have run that no record can name; remove the file to start a new journal, accepting that they may run again");
            }

            for (ulong missing = expected; missing < record.Sequence; missing++)
            {
                ulong digest = record.BackReferences[(int)(record.Sequence - missing) - 1];
                lost++;
                lostCalls.Add(digest);
                Remember(recent, digest);
            }

            if (record.Kind == Kind.Unknown)
            {
                lostCalls.Add(record.Key.ArgumentHash);
            }
            else
            {
                replay(record.Kind, record.Key, record.Reply);
            }

            Remember(recent, CallOf(record.Kind, record.Key));
            expected = record.Sequence + 1;
        }

        // After the last record only never-written bytes may follow: zeros, or the padding of a write cut short.
        long written = reader.WrittenAfter(position, out long firstWritten);

        // A file shorter than it was made was cut; unless never-written bytes remain before the cut, records followed it.
        if (size < _allocated && !(written == 0 && position < size && reader.IsZero(size - 1)))
        {
            throw new DuplicateRequestJournalException(_path, $"was cut short ({size} of {_allocated} bytes) where records were: calls recorded after the cut may have run; remove the file to start a new journal, accepting that they may run again");
        }

        if (written > 0)
        {
            throw new DuplicateRequestJournalException(_path, $"has {written} damaged bytes after its last intact record (from offset {firstWritten}): records may have been lost there that no later record names; remove the file to start a new journal, accepting that their calls may run again");
        }

        _end = position;
        _sequence = expected - 1;
        foreach (ulong digest in recent)
        {
            Remember(_recent, digest);
        }

        return new Recovery(damaged, lost, lostCalls);
    }

    /// <summary>Finds records in a journal file, front to back, resynchronising on the sync word after damage.</summary>
    private sealed class Scanner(SafeFileHandle file, long size, ulong epoch, long maxReply)
    {
        private readonly byte[] _header = new byte[MaxRecordHeaderSize];
        private readonly byte[] _chunk = new byte[64 * 1024];
        /// <summary>The next intact record at or after <paramref name="position"/>, and how many bytes before it were damage (padding aside).</summary>
        public bool Next(long position, out Record record, out long skipped)
        {
            skipped = 0;
            if (TryRead(position, out record))
            {
                return true; // the usual case: records follow one another
            }

            while (position + FixedHeaderSize <= size)
            {
                long candidate = FindSync(position, ref skipped);
                if (candidate < 0)
                {
                    break;
                }

                if (TryRead(candidate, out record))
                {
                    return true;
                }

                skipped += 4;
                position = candidate + 4;
            }

            record = default;
            return false;
        }

        /// <summary>Bytes after <paramref name="position"/> that were written (neither zero nor the padding of a torn write).</summary>
        public long WrittenAfter(long position, out long firstWritten)
        {
            firstWritten = -1;
            long written = 0;
            bool padding = true;
            for (long at = position; at < size;)
            {
                int count = RandomAccess.Read(file, _chunk.AsSpan(0, (int)Math.Min(_chunk.Length, size - at)), at);
                if (count == 0)
                {
                    break;
                }

                for (int i = 0; i < count; i++)
                {
                    byte b = _chunk[i];
                    long offset = at + i;

                    // A torn write may leave the padding before a record whose header page was never written: padding
                    // from the end of the last record to a page boundary, then zeros.
                    padding &= b == Padding && offset / PageSize == position / PageSize;
                    if (b != 0 && !padding)
                    {
                        firstWritten = firstWritten < 0 ? offset : firstWritten;
                        written++;
                    }
                }

                at += count;
            }

            return written;
        }

        /// <summary>True when the byte at <paramref name="offset"/> is zero: never written.</summary>
        public bool IsZero(long offset)
        {
            Span<byte> one = stackalloc byte[1];
            return RandomAccess.Read(file, one, offset) == 1 && one[0] == 0;
        }

        private long FindSync(long position, ref long skipped)
        {
            Span<byte> sync = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(sync, Sync);
            while (position + 4 <= size)
            {
                int count = RandomAccess.Read(file, _chunk.AsSpan(0, (int)Math.Min(_chunk.Length, size - position)), position);
                if (count < 4)
                {
                    return -1;
                }

                Span<byte> chunk = _chunk.AsSpan(0, count);
                int found = chunk.IndexOf(sync);
                int scanned = found >= 0 ? found : count - 3;
                foreach (byte b in chunk[..scanned])
                {
                    if (b is not 0 and not Padding)
                    {
                        skipped++;
                    }
                }

                if (found >= 0)
                {
                    return position + found;
                }

                position += scanned;
            }

            return -1;
        }

        private bool TryRead(long start, out Record record)
        {
            record = default;
            int available = (int)Math.Min(MaxRecordHeaderSize, size - start);
            if (available < FixedHeaderSize)
            {
                return false;
            }

            Span<byte> head = _header.AsSpan(0, RandomAccess.Read(file, _header.AsSpan(0, available), start));
            if (head.Length < FixedHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(head) != Sync)
            {
                return false;
            }

            int headerSize = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
            if (headerSize < FixedHeaderSize || headerSize > head.Length || BinaryPrimitives.ReadUInt64LittleEndian(head[8..]) != epoch)
            {
                return false;
            }

            int checksumAt = headerSize - 8;
            if (XxHash64.HashToUInt64(head[..checksumAt]) != BinaryPrimitives.ReadUInt64LittleEndian(head[checksumAt..]))
            {
                return false;
            }

            int callerLength = BinaryPrimitives.ReadUInt16LittleEndian(head[69..]);
            var kind = (Kind)head[24];
            int replyLength = BinaryPrimitives.ReadInt32LittleEndian(head[(headerSize - 20)..]);
            if (headerSize != FixedHeaderSize + callerLength + (8 * BackReferences) || kind is < Kind.Begun or > Kind.Unknown ||
                replyLength < 0 || replyLength > maxReply || (kind != Kind.Replied && replyLength != 0) ||
                (kind == Kind.Unknown && callerLength != 0))
            {
                return false; // checksummed, but not something a writer produces
            }

            var key = new DuplicateRequestCache.Key(
                BinaryPrimitives.ReadUInt32LittleEndian(head[25..]),
                BinaryPrimitives.ReadUInt32LittleEndian(head[29..]),
                BinaryPrimitives.ReadUInt32LittleEndian(head[33..]),
                BinaryPrimitives.ReadUInt32LittleEndian(head[37..]),
                BinaryPrimitives.ReadInt32LittleEndian(head[41..]),
                BinaryPrimitives.ReadUInt64LittleEndian(head[45..]),
                head.Slice(71, callerLength).ToArray(),
                BinaryPrimitives.ReadUInt64LittleEndian(head[53..]),
                BinaryPrimitives.ReadUInt64LittleEndian(head[61..]));
            int at = 71 + callerLength + 1;
            ulong[] earlier = new ulong[BackReferences];
            for (int i = 0; i < BackReferences; i++)
            {
                earlier[i] = BinaryPrimitives.ReadUInt64LittleEndian(head[(at + (8 * i))..]);
            }

            // A reply cut short or damaged leaves a whole header: the call is known, its reply is not.
            byte[]? reply = kind == Kind.Replied ? [] : null;
            long end = start + headerSize + replyLength;
            if (replyLength > 0)
            {
                ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(head[(headerSize - 16)..]);
                if (end <= size)
                {
                    reply = new byte[replyLength];
                    RandomAccess.Read(file, reply, start + headerSize);
                    reply = XxHash64.HashToUInt64(reply) == checksum ? reply : null;
                }
                else
                {
                    reply = null;
                    end = size;
                }
            }

            record = new Record(start, end, BinaryPrimitives.ReadUInt64LittleEndian(head[16..]), kind, key, reply, earlier);
            return true;
        }

        public readonly record struct Record(long Start, long End, ulong Sequence, Kind Kind, DuplicateRequestCache.Key Key, byte[]? Reply, ulong[] BackReferences);
    }
}
