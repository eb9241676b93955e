using System.Buffers;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A growable buffer from <see cref="ArrayPool{T}"/> that messages are encoded into. Unlike
/// <see cref="ArrayBufferWriter{T}"/> its written bytes stay writable, so a record-marking header can be
/// filled in once the message's length is known. Not thread-safe.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;

    /// <summary>The size of the buffer held now.</summary>
    public int Capacity => _buffer.Length;

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written; a buffer that grew large is given back so that one huge message does not pin memory.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > 1 << 20)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(4096);
        }
    }

    /// <summary>Drops everything written from <paramref name="length"/> on (undoes a message that failed to encode).</summary>
    public void Truncate(int length) => _written = Math.Min(_written, length);

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        long size = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException("An RPC message larger than the largest array cannot be encoded.");
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
