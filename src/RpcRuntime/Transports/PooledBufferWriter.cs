using System.Buffers;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A growable buffer from <see cref="ArrayPool{T}"/> that messages are encoded into. Unlike
/// <see cref="ArrayBufferWriter{T}"/> its written bytes stay writable, so a record-marking header can be
/// filled in once the message's length is known. Buffers over 1 MiB are not pooled: the shared pool keeps what it
/// is given, so memory a burst of huge messages took would stay taken after it; the GC frees these. Not thread-safe.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MaxPooledSize = 1 << 20;

    // A buffer that grew past this is given back when emptied, so an idle connection holds little.
    private const int MaxKeptSize = 64 * 1024;

    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 4096) => _buffer = Rent(initialCapacity);

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
        if (_buffer.Length > MaxKeptSize)
        {
            Return(_buffer);
            _buffer = Rent(4096);
        }
    }

    /// <summary>Drops the first <paramref name="count"/> bytes written, moving the rest to the front.</summary>
    public void RemovePrefix(int count)
    {
        count = Math.Min(count, _written);
        _buffer.AsSpan(count, _written - count).CopyTo(_buffer);
        _written -= count;
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
            Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        // Doubling while pooled; past that, a quarter more at a time: a queue of replies a peer is slow to take
        // stays close to its bound instead of taking twice it.
        long grown = _buffer.Length < MaxPooledSize ? (long)_buffer.Length * 2 : _buffer.Length + ((long)_buffer.Length / 4);
        long size = Math.Max(grown, (long)_written + needed);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException("An RPC message larger than the largest array cannot be encoded.");
        }

        byte[] larger = Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        Return(_buffer);
        _buffer = larger;
    }

    private static byte[] Rent(int size) => size <= MaxPooledSize ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
