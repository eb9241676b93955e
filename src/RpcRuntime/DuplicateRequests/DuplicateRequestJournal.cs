using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// The file behind a <see cref="DuplicateRequestCache"/> that outlives the server: every call begun and every reply
/// kept is written down before the handler runs or the reply is sent, so a server started again after dying
/// (even by SIGKILL) knows which calls it ran. Each record is one write(2) straight into the kernel: it survives
/// the process, not the machine (it is not fsync'ed, as NFS servers' caches are not kept at all).
/// <para>
/// Format: the 8-byte magic <c>NRPCDRC1</c>, then records of [length u32][XXH64 of the body u64][body], little-endian;
/// the body is [kind u8][xid, program, version, procedure u32][argument length i32][argument hash u64][reply].
/// A torn or corrupt tail (the server died mid-write) ends the journal there. The file is rewritten from the
/// cache when it has grown past twice what the cache holds, so it stays bounded.
/// </para>
/// Not thread-safe: the cache calls it under its lock.
/// </summary>
internal sealed class DuplicateRequestJournal : IDisposable
{
    /// <summary>Bytes of a record before its reply: length, checksum, kind, key.</summary>
    public const int RecordOverhead = 4 + 8 + 1 + KeySize;

    private const int KeySize = 4 + 4 + 4 + 4 + 4 + 8;
    private const long MinimumCompactionSize = 1 << 20;
    private static readonly byte[] Magic = "NRPCDRC1"u8.ToArray();

    private readonly string _path;
    private SafeFileHandle _file;
    private long _length;
    private byte[] _record = new byte[256];

    private DuplicateRequestJournal(string path, SafeFileHandle file, long length)
    {
        _path = path;
        _file = file;
        _length = length;
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
    }

    /// <summary>Bytes in the file.</summary>
    public long Length => _length;

    /// <summary>
    /// Opens the journal at a path, creating it when there is none, and reads back its records. The file is
    /// locked: a second server on the same journal is refused.
    /// </summary>
    /// <param name="path">The journal's path.</param>
    /// <param name="maxReply">The largest reply a record may carry (the cache's byte bound).</param>
    /// <param name="replay">Called with each record, oldest first.</param>
    /// <param name="discarded">Bytes of a torn or corrupt tail cut off, 0 when the journal was whole.</param>
    /// <exception cref="InvalidDataException">The file is not a journal.</exception>
    /// <exception cref="IOException">The file cannot be opened, or another process has it open.</exception>
    public static DuplicateRequestJournal Open(string path, long maxReply, ReplayRecord replay, out long discarded)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The duplicate request journal {path} cannot be opened (is another server using it?): {e.Message}", e);
        }

        try
        {
            long size = RandomAccess.GetLength(file);
            if (size == 0)
            {
                RandomAccess.Write(file, Magic, 0);
                discarded = 0;
                return new DuplicateRequestJournal(path, file, Magic.Length);
            }

            var magic = new byte[Magic.Length];
            if (RandomAccess.Read(file, magic, 0) != Magic.Length || !magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"{path} is not a NetRpc duplicate request journal (it does not begin with NRPCDRC1); refusing to overwrite it.");
            }

            long end = ReadRecords(file, size, maxReply, replay);
            discarded = size - end;
            if (discarded > 0)
            {
                RandomAccess.SetLength(file, end);
            }

            return new DuplicateRequestJournal(path, file, end);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A record read back from the journal.</summary>
    public delegate void ReplayRecord(Kind kind, in DuplicateRequestCache.Key key, byte[]? reply);

    /// <summary>Writes down that a call began, was answered, or is forgotten.</summary>
    public void Append(Kind kind, in DuplicateRequestCache.Key key, ReadOnlySpan<byte> reply = default)
    {
        int size = RecordOverhead + reply.Length;
        if (_record.Length < size)
        {
            _record = new byte[Math.Max(size, _record.Length * 2)];
        }

        Span<byte> record = _record.AsSpan(0, size);
        Encode(record, kind, key, reply);
        RandomAccess.Write(_file, record, _length);
        _length += size;
    }

    /// <summary>
    /// Rewrites the journal from the cache's entries (oldest first) when it has grown past twice their size: written
    /// to a new file, made durable, then renamed over the old one, so a crash leaves one whole journal or the other.
    /// </summary>
    /// <param name="liveBytes">What the entries would take in a journal of their own.</param>
    /// <param name="entries">The entries: key, and reply (null for a call not answered).</param>
    public void CompactIfLarge(long liveBytes, Func<IEnumerable<(DuplicateRequestCache.Key Key, byte[]? Reply)>> entries)
    {
        if (_length < Math.Max(MinimumCompactionSize, 2 * liveBytes))
        {
            return;
        }

        string temporary = _path + ".new";
        SafeFileHandle file = File.OpenHandle(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var chunk = new byte[1 << 16];
            Magic.CopyTo(chunk, 0);
            int used = Magic.Length;
            long length = 0;
            foreach ((DuplicateRequestCache.Key key, byte[]? reply) in entries())
            {
                int size = RecordOverhead + (reply?.Length ?? 0);
                if (used + size > chunk.Length)
                {
                    RandomAccess.Write(file, chunk.AsSpan(0, used), length);
                    length += used;
                    used = 0;
                    if (size > chunk.Length)
                    {
                        chunk = new byte[size];
                    }
                }

                Encode(chunk.AsSpan(used, size), reply is null ? Kind.Begun : Kind.Replied, key, reply);
                used += size;
            }

            RandomAccess.Write(file, chunk.AsSpan(0, used), length);
            length += used;
            RandomAccess.FlushToDisk(file);
            File.Move(temporary, _path, overwrite: true);
            _file.Dispose();
            _file = file;
            _length = length;
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

    private static void Encode(Span<byte> record, Kind kind, in DuplicateRequestCache.Key key, ReadOnlySpan<byte> reply)
    {
        Span<byte> body = record[12..];
        body[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(body[1..], key.Xid);
        BinaryPrimitives.WriteUInt32LittleEndian(body[5..], key.Program);
        BinaryPrimitives.WriteUInt32LittleEndian(body[9..], key.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(body[13..], key.Procedure);
        BinaryPrimitives.WriteInt32LittleEndian(body[17..], key.ArgumentLength);
        BinaryPrimitives.WriteUInt64LittleEndian(body[21..], key.Hash);
        reply.CopyTo(body[(1 + KeySize)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)body.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(record[4..], XxHash64.Hash(body));
    }

    /// <summary>Reads records from after the magic; returns where the last whole, intact record ends.</summary>
    private static long ReadRecords(SafeFileHandle file, long size, long maxReply, ReplayRecord replay)
    {
        var reader = new ChunkReader(file, Magic.Length, (int)Math.Min(1 << 16, size));
        long position = Magic.Length;
        Span<byte> head = stackalloc byte[12];
        byte[] body = new byte[256];
        while (position + 12 <= size)
        {
            reader.ReadExactly(head);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(head);
            ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(head[4..]);
            if (length < 1 + KeySize || length - 1 - KeySize > maxReply || position + 12 + length > size)
            {
                break; // a length no writer produces, or a record cut short
            }

            if (body.Length < length)
            {
                body = new byte[Math.Max(length, body.Length * 2)];
            }

            Span<byte> span = body.AsSpan(0, (int)length);
            reader.ReadExactly(span);
            if (XxHash64.Hash(span) != checksum || span[0] is < (byte)Kind.Begun or > (byte)Kind.Forgotten)
            {
                break;
            }

            var key = new DuplicateRequestCache.Key(
                BinaryPrimitives.ReadUInt32LittleEndian(span[1..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[5..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[9..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[13..]),
                BinaryPrimitives.ReadInt32LittleEndian(span[17..]),
                BinaryPrimitives.ReadUInt64LittleEndian(span[21..]));
            var kind = (Kind)span[0];
            replay(kind, key, kind == Kind.Replied ? span[(1 + KeySize)..].ToArray() : null);
            position += 12 + length;
        }

        return position;
    }

    /// <summary>Reads a file front to back in chunks (a FileStream would close the handle it was given).</summary>
    private sealed class ChunkReader(SafeFileHandle file, long offset, int chunkSize)
    {
        private readonly byte[] _chunk = new byte[chunkSize];
        private long _offset = offset;
        private int _start;
        private int _end;

        /// <summary>Fills the span; the caller has checked that the file holds that much.</summary>
        public void ReadExactly(Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                if (_start == _end)
                {
                    _end = RandomAccess.Read(file, _chunk, _offset);
                    _offset += _end;
                    _start = 0;
                    if (_end == 0)
                    {
                        throw new EndOfStreamException("The duplicate request journal shrank while it was read.");
                    }
                }

                int count = Math.Min(destination.Length, _end - _start);
                _chunk.AsSpan(_start, count).CopyTo(destination);
                _start += count;
                destination = destination[count..];
            }
        }
    }
}
