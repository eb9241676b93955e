using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Reads record-marked messages from a stream socket (RFC 5531 section 11). Any number of fragments, empty
/// ones included, make a record, up to a size cap checked before anything is buffered for it; the buffer grows
/// with the bytes that arrive, at most doubling them, whatever length a header claims. A record sent
/// as one fragment (what nearly every peer does) is handed out where it lies in the receive buffer, without
/// a copy; fragments of a longer record are gathered in a second buffer. Not thread-safe: one reader per
/// connection, used by its receive loop.
/// </summary>
internal sealed class RecordReader : IDisposable
{
    private const int InitialSize = 16 * 1024;

    private readonly int _maxRecordSize;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;

    // Fragments of a record sent in several, gathered as each one completes.
    private PooledBufferWriter? _assembly;
    private bool _assembling;
    private bool _assemblyHandedOut;

    // A record handed over as it arrives (a streamed reply): what is left of its current fragment, and whether that is the last.
    private bool _streaming;
    private int _streamRemaining;
    private bool _streamLast;

    public RecordReader(int maxRecordSize) => _maxRecordSize = maxRecordSize;

    /// <summary>True when bytes of an incomplete record are buffered (the peer stopped in the middle of one).</summary>
    public bool HasPartialRecord => _end > _start || _assembling;

    /// <summary>The bytes of buffer the reader holds now, rented or not: what one connection costs in memory.</summary>
    public int Capacity => _buffer.Length + (_assembly?.Capacity ?? 0);

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
    /// The next complete record, if the buffer holds one. The memory stays valid until the next call to
    /// <see cref="TryReadRecord"/>, <see cref="Receive"/> or <see cref="Append"/>.
    /// </summary>
    /// <exception cref="RecordTooLargeException">The record being read exceeds the size cap.</exception>
    public bool TryReadRecord(out ReadOnlyMemory<byte> record)
    {
        if (_assemblyHandedOut)
        {
            _assembly!.Reset();
            _assemblyHandedOut = false;
        }

        while (_end - _start >= RecordMarking.HeaderSize)
        {
            uint header = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
            bool last = (header & RecordMarking.LastFragmentBit) != 0;
            int length = (int)(header & RecordMarking.LengthMask);
            long recordSoFar = _assembling ? _assembly!.WrittenCount : 0;
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
            if (last && !_assembling)
            {
                record = _buffer.AsMemory(payload, length);
                return true;
            }

            _assembly ??= new PooledBufferWriter(Math.Max(InitialSize, length));
            _assembly.Write(_buffer.AsSpan(payload, length));
            _assembling = !last;
            if (last)
            {
                _assemblyHandedOut = true;
                record = _assembly.WrittenMemory;
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
        if (_assembling || _streaming || _assemblyHandedOut || _end - _start < RecordMarking.HeaderSize + 8)
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
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _assembly?.Dispose();
    }

    /// <summary>Moves unread bytes to the front, and grows the buffer when it is full of one incomplete fragment.</summary>
    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
            if (_buffer.Length > InitialSize * 4)
            {
                // A long record has been read: give its buffer back rather than hold it for the connection's life.
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
            }
        }
        else if (_end == _buffer.Length && _start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            EnsureCapacity(_buffer.Length * 2);
        }
    }

    private void EnsureCapacity(int bytesFromStart)
    {
        if (_buffer.Length - _start >= bytesFromStart)
        {
            return;
        }

        int size = Math.Max(bytesFromStart, _end - _start);
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(size, InitialSize));
        Buffer.BlockCopy(_buffer, _start, larger, 0, _end - _start);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
        _end -= _start;
        _start = 0;
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
