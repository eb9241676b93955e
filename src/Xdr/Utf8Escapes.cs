using System.Buffers;
using System.Text;

namespace NetRpc.Xdr;

/// <summary>
/// Strings that round-trip whatever their bytes. An XDR string is bytes (RFC 4506 section 4.11 says ASCII, and C peers
/// send whatever their char arrays hold: a POSIX file name is any bytes but '/' and NUL), while a .NET string is UTF-16.
/// Valid UTF-8 becomes the text it spells; each byte of an invalid sequence becomes the lone low surrogate U+DC00 plus
/// the byte (U+DC80 to U+DCFF), which valid UTF-8 can never produce, and the writer turns those back into the bytes.
/// This is Python's "surrogateescape", and PEP 383 explains it.
/// </summary>
internal static class Utf8Escapes
{
    private const char FirstEscape = '\uDC80';
    private const char LastEscape = '\uDCFF';

    /// <summary>The text of <paramref name="bytes"/>, invalid sequences escaped byte by byte.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, UTF8Encoding strict)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return strict.GetString(bytes);
        }

        // At most one char per byte: a valid sequence of n bytes gives at most n chars, an escaped byte one.
        char[]? rented = null;
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        int written = 0;
        while (!bytes.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                written += rune.EncodeToUtf16(chars[written..]);
            }
            else
            {
                // The maximal invalid subsequence (or a sequence cut short by the end): each byte escaped.
                foreach (byte b in bytes[..consumed])
                {
                    chars[written++] = (char)(0xDC00 + b);
                }
            }

            bytes = bytes[consumed..];
        }

        string text = new(chars[..written]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> has surrogates, so that the escape-aware (slower) path must be taken.</summary>
    public static bool HasSurrogates(string text) => text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF');

    /// <summary>The bytes <paramref name="text"/> encodes to, escapes counted as one byte each.</summary>
    /// <exception cref="ArgumentException">A lone surrogate that is no escape: the text is not valid UTF-16.</exception>
    public static int GetByteCount(string text)
    {
        int count = 0;
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out Rune rune, out int consumed) == OperationStatus.Done)
            {
                count += rune.Utf8SequenceLength;
            }
            else if (rest[0] is >= FirstEscape and <= LastEscape)
            {
                count++;
                consumed = 1;
            }
            else
            {
                throw new ArgumentException($"The string has a lone surrogate (U+{(int)rest[0]:X4}) at {text.Length - rest.Length} that is not an escaped byte (U+DC80 to U+DCFF), so it has no bytes.", nameof(text));
            }

            rest = rest[consumed..];
        }

        return count;
    }

    /// <summary>Writes the bytes of <paramref name="text"/>, escapes as the bytes they stand for, into <paramref name="output"/> (of GetByteCount's size).</summary>
    public static void Encode(string text, Span<byte> output)
    {
        ReadOnlySpan<char> rest = text;
        int written = 0;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out Rune rune, out int consumed) == OperationStatus.Done)
            {
                written += rune.EncodeToUtf8(output[written..]);
            }
            else
            {
                output[written++] = (byte)(rest[0] - 0xDC00);
                consumed = 1;
            }

            rest = rest[consumed..];
        }
    }
}
