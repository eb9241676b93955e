using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Reads record-marked messages from a stream socket (RFC 5531 section 11). Any number of fragments, empty
/// ones included, make a record, up to a size cap checked before anything is buffered for it; the buffer grows
/// with the bytes that arrive, at most doubling them, whatever length a header claims. Records are handed out where
/// they lie in the receive buffer, without a copy: a record sent in several fragments (libtirpc splits anything over
/// its 64 KiB buffer) is gathered in place, each later fragment moved down over the header before it. The buffer is an
/// <see cref="XdrSharedBuffer"/>, so that opaque data decoded from a record can borrow it (<see cref="PooledOpaque"/>):
/// while anything does, the reader moves on to another buffer rather than write over it. Not thread-safe: one reader
/// per connection, used by its receive loop.
/// </summary>
internal sealed class RecordReader : IDisposable
{
    private const int InitialSize = 16 * 1024;

    // The largest buffer kept once its records are read: records of up to 64 KiB of data (ECHO, NFS WRITE) then
    // arrive without the buffer growing again; a larger one goes back, so that one huge record does not pin memory.
    private const int MaxKeptSize = 128 * 1024;

    private readonly int _maxRecordSize;
    private XdrSharedBuffer _shared = new(InitialSize);
    private byte[] _buffer;
    private int _start;
    private int _end;

    // A record sent in several fragments, gathered in place: its data so far is [_recordStart, _recordStart + _gathered);
    // the headers it had leave a gap between there and _start, where its next fragment begins.
    private bool _assembling;
    private int _recordStart;
    private int _gathered;

    // A record handed over as it arrives (a streamed reply): what is left of its current fragment, and whether that is the last.
    private bool _streaming;
    private int _streamRemaining;
    private bool _streamLast;

    public RecordReader(int maxRecordSize)
    {
        _maxRecordSize = maxRecordSize;
        _buffer = _shared.Array;
    }

    /// <summary>True when bytes of an incomplete record are buffered (the peer stopped in the middle of one).</summary>
    public bool HasPartialRecord => _end > _start || _assembling;

    /// <summary>The bytes of buffer the reader holds now: what one connection costs in memory.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The shared buffer the records handed out lie in, for readers that lend their opaque data.</summary>
    public XdrSharedBuffer Buffer => _shared;

    /// <summary>
    /// Receives more bytes from <paramref name="socket"/> (blocking). Records handed out before are no longer valid.
    /// </summary>
    /// <returns>The number of bytes received; 0 when the peer closed its side.</returns>
    public int Receive(Socket socket)
    {
        MakeRoom();
        int received = SocketIo.Receive(socket, _buffer.AsSpan(_end));
        _end += received;
        return received;
    }

    /// <summary>
    /// Receives more bytes from <paramref name="tls"/> (blocking): a TLS connection's plain text. Records handed out
    /// before are no longer valid.
    /// </summary>
    /// <returns>The number of bytes received; 0 when the peer closed its side.</returns>
    public int Receive(TlsChannel tls)
    {
        MakeRoom();
        int received = tls.Read(_buffer.AsSpan(_end));
        _end += received;
        return received;
    }

    /// <summary>Receives what a non-blocking socket has (Linux only); records handed out before are no longer valid.</summary>
    /// <returns>The bytes received, 0 when the peer closed its side, or -1 when nothing is there yet.</returns>
    public int TryReceive(SafeSocketHandle socket)
    {
        MakeRoom();
        int received = SocketIo.TryReceive(socket, _buffer.AsSpan(_end));
        if (received > 0)
        {
            _end += received;
        }

        return received;
    }

    /// <summary>Adds bytes that arrived some other way (tests, and transports that are not sockets).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            MakeRoom();
            int n = Math.Min(data.Length, _buffer.Length - _end);
            data[..n].CopyTo(_buffer.AsSpan(_end));
            _end += n;
            data = data[n..];
        }
    }

    /// <summary>
    /// The next complete record, if the buffer holds one. The memory lies in <see cref="Buffer"/> and stays valid
    /// until the next call to <see cref="TryReadRecord"/>, <see cref="Receive(Socket)"/> or <see cref="Append"/>.
    /// </summary>
    /// <exception cref="RecordTooLargeException">The record being read exceeds the size cap.</exception>
    public bool TryReadRecord(out ReadOnlyMemory<byte> record)
    {
        while (_end - _start >= RecordMarking.HeaderSize)
        {
            uint header = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
            bool last = (header & RecordMarking.LastFragmentBit) != 0;
            int length = (int)(header & RecordMarking.LengthMask);
            long recordSoFar = _assembling ? _gathered : 0;
            if (recordSoFar + length > _maxRecordSize)
            {
                throw new RecordTooLargeException(recordSoFar + length, _maxRecordSize);
            }

            if (_end - _start - RecordMarking.HeaderSize < length)
            {
                // The fragment is not all here yet. The buffer grows as its bytes arrive (MakeRoom), never on the
                // header's word alone: four bytes announcing a megabyte must not make a connection hold one.
                break;
            }

            int payload = _start + RecordMarking.HeaderSize;
            _start = payload + length;
            if (!_assembling)
            {
                if (last)
                {
                    record = _buffer.AsMemory(payload, length);
                    return true;
                }

                _assembling = true;
                _recordStart = payload;
                _gathered = length;
                continue;
            }

            // A later fragment: its data joins the record's, closing the gap the headers left (memmove semantics).
            _buffer.AsSpan(payload, length).CopyTo(_buffer.AsSpan(_recordStart + _gathered));
            _gathered += length;
            if (last)
            {
                _assembling = false;
                record = _buffer.AsMemory(_recordStart, _gathered);
                return true;
            }
        }

        record = default;
        return false;
    }

    /// <summary>
    /// Whether the next record is a reply whose first fragment has arrived far enough to show its XID and message type;
    /// the record is then ready to be streamed (<see cref="BeginStream"/>) rather than gathered whole.
    /// </summary>
    public bool TryPeekReplyStart(out uint xid)
    {
        xid = 0;
        if (_assembling || _streaming || _end - _start < RecordMarking.HeaderSize + 8)
        {
            return false;
        }

        uint header = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
        if ((header & RecordMarking.LengthMask) < 8)
        {
            return false;
        }

        xid = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + RecordMarking.HeaderSize));
        return BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + RecordMarking.HeaderSize + 4)) == 1; // REPLY
    }

    /// <summary>Starts handing the record <see cref="TryPeekReplyStart"/> found over as it arrives, after its XID and message type.</summary>
    public void BeginStream()
    {
        uint header = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
        _streamLast = (header & RecordMarking.LastFragmentBit) != 0;
        _streamRemaining = (int)(header & RecordMarking.LengthMask) - 8;
        _start += RecordMarking.HeaderSize + 8;
        _streaming = true;
    }

    /// <summary>
    /// Hands <paramref name="sink"/> the bytes of the streamed record that have arrived, fragment headers taken out (no size
    /// cap: the sink bounds what it holds, and blocks while it is full). True once the record is complete; false when more
    /// must be received first.
    /// </summary>
    /// <exception cref="StreamAbandonedException">The sink's consumer gave up in the middle of the record.</exception>
    public bool TryStream(Client.StreamingCall sink)
    {
        while (true)
        {
            if (_streamRemaining == 0)
            {
                if (_streamLast)
                {
                    _streaming = false;
                    return true;
                }

                if (_end - _start < RecordMarking.HeaderSize)
                {
                    return false;
                }

                uint header = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
                _streamLast = (header & RecordMarking.LastFragmentBit) != 0;
                _streamRemaining = (int)(header & RecordMarking.LengthMask);
                _start += RecordMarking.HeaderSize;
                continue;
            }

            int count = Math.Min(_streamRemaining, _end - _start);
            if (count == 0)
            {
                return false;
            }

            if (!sink.Write(_buffer.AsSpan(_start, count)))
            {
                throw new StreamAbandonedException();
            }

            _start += count;
            _streamRemaining -= count;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            _buffer = [];
            _start = _end = 0;
            _shared.Release();
        }
    }

    /// <summary>
    /// Makes room at the end of the buffer for bytes to arrive: starts again at the front once everything is read,
    /// closes up what has been read (and the gaps fragment headers left) when the buffer is full, and grows it,
    /// doubling, when what it holds fills it. Never writes where a decoded value may borrow: while the buffer is lent,
    /// it moves to another.
    /// </summary>
    private void MakeRoom()
    {
        if (!_assembling && _start == _end)
        {
            if (_shared.IsLent || _buffer.Length > MaxKeptSize)
            {
                MoveTo(_buffer.Length > MaxKeptSize ? InitialSize : _buffer.Length);
            }

            _start = _end = 0;
            return;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        int held = (_assembling ? _gathered : 0) + (_end - _start);
        if (held < _buffer.Length && !_shared.IsLent)
        {
            Compact(_buffer);
        }
        else
        {
            MoveTo(held < _buffer.Length ? _buffer.Length : _buffer.Length * 2);
        }
    }

    /// <summary>Moves what is held to a new buffer of <paramref name="size"/> bytes and lets the old one go (to the pool, once nothing borrows it).</summary>
    private void MoveTo(int size)
    {
        var larger = new XdrSharedBuffer(size);
        Compact(larger.Array);
        _shared.Release();
        _shared = larger;
        _buffer = larger.Array;
    }

    /// <summary>Copies what is held (the record being gathered, then the bytes not yet read) to the front of <paramref name="target"/>.</summary>
    private void Compact(byte[] target)
    {
        int gathered = 0;
        if (_assembling)
        {
            _buffer.AsSpan(_recordStart, _gathered).CopyTo(target);
            gathered = _gathered;
            _recordStart = 0;
        }

        int unread = _end - _start;
        _buffer.AsSpan(_start, unread).CopyTo(target.AsSpan(gathered));
        _start = gathered;
        _end = gathered + unread;
    }
}

/// <summary>A record longer than the configured maximum: the connection is closed.</summary>
internal sealed class RecordTooLargeException(long size, int maximum)
    : Exception($"RPC record of at least {size} bytes exceeds the maximum of {maximum} bytes.")
{
    public long Size { get; } = size;

    public int Maximum { get; } = maximum;
}

/// <summary>The consumer of a streamed reply stopped in the middle of its record: the rest cannot be skipped cheaply, so the connection closes.</summary>
internal sealed class StreamAbandonedException()
    : Exception("A streamed reply was abandoned in the middle of its record.");
