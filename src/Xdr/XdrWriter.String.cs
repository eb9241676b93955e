using System.Buffers.Binary;
using System.Text;

namespace NetRpc.Xdr;

public ref partial struct XdrWriter
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Writes an XDR <c>string name&lt;maxLength&gt;</c> (RFC 4506 section 4.11) as UTF-8; U+DC80 to U+DCFF, which a
    /// reader makes of bytes that are not UTF-8, are written as those bytes. The maximum counts bytes, as on the
    /// wire, not characters.
    /// </summary>
    /// <param name="value">The text.</param>
    /// <param name="maxLength">The declared maximum in bytes; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The UTF-8 form is longer than <paramref name="maxLength"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a lone surrogate outside U+DC80 to U+DCFF, which has no bytes.</exception>
    public void WriteString(string value, uint maxLength = uint.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(value);

        // Surrogates are rare: only then is the text walked rune by rune, for the escaped bytes a reader kept (U+DC80 to U+DCFF).
        bool escapes = Utf8Escapes.HasSurrogates(value);
        int byteCount = escapes ? Utf8Escapes.GetByteCount(value) : s_strictUtf8.GetByteCount(value);
        if ((uint)byteCount > maxLength)
        {
            ThrowHelper.ValueTooLong(nameof(value), "string (as UTF-8)", byteCount, maxLength);
        }

        int size = CountedSize(byteCount);
        Span<byte> span = Reserve(size);
        BinaryPrimitives.WriteInt32BigEndian(span, byteCount);
        if (escapes)
        {
            Utf8Escapes.Encode(value, span.Slice(sizeof(uint), byteCount));
        }
        else
        {
            s_strictUtf8.GetBytes(value, span.Slice(sizeof(uint)));
        }

        span.Slice(sizeof(uint) + byteCount, size - sizeof(uint) - byteCount).Clear();
        Commit(size);
    }

    /// <summary>Writes an XDR <c>string name&lt;maxLength&gt;</c> from raw bytes, whatever their encoding (NFS file names).</summary>
    /// <param name="value">The bytes.</param>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is longer than <paramref name="maxLength"/>.</exception>
    public void WriteStringBytes(ReadOnlySpan<byte> value, uint maxLength = uint.MaxValue)
    {
        if ((uint)value.Length > maxLength)
        {
            ThrowHelper.ValueTooLong(nameof(value), "string", value.Length, maxLength);
        }

        WriteCountedBytes(value);
    }
}
