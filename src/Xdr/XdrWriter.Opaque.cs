using System.Buffers.Binary;

namespace NetRpc.Xdr;

public ref partial struct XdrWriter
{
    /// <summary>Writes variable-length opaque data, <c>opaque name&lt;maxLength&gt;</c> (RFC 4506 section 4.10).</summary>
    /// <param name="value">The bytes.</param>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is longer than <paramref name="maxLength"/>.</exception>
    public void WriteOpaque(ReadOnlySpan<byte> value, uint maxLength = uint.MaxValue)
    {
        if ((uint)value.Length > maxLength)
        {
            ThrowHelper.ValueTooLong(nameof(value), "opaque data", value.Length, maxLength);
        }

        WriteCountedBytes(value);
    }

    /// <summary>
    /// Writes variable-length opaque data held in pooled memory, <c>opaque name&lt;maxLength&gt;</c>. The value is added
    /// to the writer's <see cref="PooledOpaqueScope"/> if it has one (a server's reply: disposed once the reply is written).
    /// </summary>
    /// <param name="value">The bytes.</param>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="value"/> has been disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is longer than <paramref name="maxLength"/>.</exception>
    public void WriteOpaque(PooledOpaque value, uint maxLength = uint.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(value);
        _scope?.Add(value);
        ReadOnlyMemory<byte> bytes = value.Memory;
        if (bytes.Length >= MinimumGatheredLength && _scope is not null && value.OwnsMemory && _output is IXdrGatheringWriter gathering)
        {
            // The scope keeps the value until the reply is sent: the output may send its bytes from where they lie.
            if ((uint)bytes.Length > maxLength)
            {
                ThrowHelper.ValueTooLong(nameof(value), "opaque data", bytes.Length, maxLength);
            }

            Span<byte> length = Reserve(sizeof(uint));
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            Commit(sizeof(uint));
            Flush();
            if (gathering.TryWriteByReference(bytes))
            {
                _committed += bytes.Length;
                int padding = XdrReader.PaddingOf(bytes.Length);
                Reserve(padding).Slice(0, padding).Clear();
                Commit(padding);
            }
            else
            {
                WriteFixedOpaque(bytes.Span, bytes.Length);
            }

            return;
        }

        WriteOpaque(bytes.Span, maxLength);
    }

    /// <summary>Writes fixed-length opaque data, <c>opaque name[length]</c> (RFC 4506 section 4.9): the bytes and their padding, no length.</summary>
    /// <param name="value">The bytes; there must be exactly <paramref name="length"/>.</param>
    /// <param name="length">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not hold exactly <paramref name="length"/> bytes.</exception>
    public void WriteFixedOpaque(ReadOnlySpan<byte> value, int length)
    {
        if (value.Length != length)
        {
            ThrowHelper.WrongFixedLength(nameof(value), "opaque data", value.Length, length);
        }

        int padding = XdrReader.PaddingOf(value.Length);
        int size = CountedSize(value.Length) - sizeof(uint);
        Span<byte> span = Reserve(size);
        value.CopyTo(span);
        span.Slice(value.Length, padding).Clear();
        Commit(size);
    }

    /// <summary>Writes a length prefix, the bytes and zero padding: the wire form of <c>opaque&lt;&gt;</c> and <c>string&lt;&gt;</c>.</summary>
    private void WriteCountedBytes(ReadOnlySpan<byte> value)
    {
        int size = CountedSize(value.Length);
        Span<byte> span = Reserve(size);
        BinaryPrimitives.WriteInt32BigEndian(span, value.Length);
        value.CopyTo(span.Slice(sizeof(uint)));
        span.Slice(sizeof(uint) + value.Length, size - sizeof(uint) - value.Length).Clear();
        Commit(size);
    }
}
