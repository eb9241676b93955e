using System.Buffers;
using System.Text;

namespace NetRpc.Xdr;

public ref partial struct XdrReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Strings up to this many bytes that straddle input segments are assembled on the stack.
    private const int MaxStackStringBytes = 256;

    /// <summary>
    /// Reads an XDR <c>string name&lt;maxLength&gt;</c> (RFC 4506 section 4.11) as text. XDR strings are
    /// bytes; NetRpc decodes them as UTF-8, and keeps each byte of an invalid sequence as U+DC80 to U+DCFF, which
    /// <see cref="XdrWriter.WriteString"/> writes back as that byte (<see cref="XdrReaderOptions.StrictUtf8"/> rejects
    /// them instead, <see cref="XdrReaderOptions.ReplaceInvalidUtf8"/> replaces them). <see cref="ReadStringBytes"/>
    /// gives the bytes themselves.
    /// </summary>
    /// <param name="maxLength">The declared maximum length in bytes; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The text.</returns>
    /// <exception cref="XdrException">The length exceeds <paramref name="maxLength"/> or the input, the input ends first, the padding is not zero, or the bytes are not UTF-8.</exception>
    public string ReadString(uint maxLength = uint.MaxValue)
    {
        int length = ReadByteLength(maxLength, "a string length");
        if (length == 0)
        {
            return string.Empty;
        }

        long start = Position;
        string text;
        if (TryPeekContiguous(length, out ReadOnlySpan<byte> bytes))
        {
            text = DecodeUtf8(bytes, start);
            _index += length;
        }
        else if (length <= MaxStackStringBytes)
        {
            Span<byte> buffer = stackalloc byte[MaxStackStringBytes];
            buffer = buffer.Slice(0, length);
            ReadRaw(buffer);
            text = DecodeUtf8(buffer, start);
        }
        else
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(length);
            Span<byte> buffer = rented.AsSpan(0, length);
            ReadRaw(buffer);
            text = DecodeUtf8(buffer, start);
            ArrayPool<byte>.Shared.Return(rented);
        }

        SkipPadding(length);
        return text;
    }

    /// <summary>
    /// Reads an XDR <c>string name&lt;maxLength&gt;</c> as raw bytes, whatever their encoding: the form for
    /// protocols that carry arbitrary bytes in strings (NFS file names).
    /// </summary>
    /// <param name="maxLength">The declared maximum length in bytes; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The bytes, in a new array.</returns>
    /// <exception cref="XdrException">The length exceeds <paramref name="maxLength"/> or the input, the input ends first, or the padding is not zero.</exception>
    public byte[] ReadStringBytes(uint maxLength = uint.MaxValue) => ReadCountedBytes(maxLength, "a string length");

    private readonly string DecodeUtf8(ReadOnlySpan<byte> bytes, long offset)
    {
        if (_replaceInvalidUtf8)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        if (!_strictUtf8)
        {
            return Utf8Escapes.Decode(bytes, s_strictUtf8);
        }

        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            ThrowHelper.InvalidUtf8(offset + FirstInvalidUtf8Index(bytes));
            return null;
        }
    }

    private static int FirstInvalidUtf8Index(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length && Rune.DecodeFromUtf8(bytes.Slice(index), out _, out int consumed) == OperationStatus.Done)
        {
            index += consumed;
        }

        return index;
    }
}
