namespace NetRpc.Xdr;

public ref partial struct XdrReader
{
    /// <summary>Reads variable-length opaque data, <c>opaque name&lt;maxLength&gt;</c> (RFC 4506 section 4.10).</summary>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The bytes, in a new array.</returns>
    /// <exception cref="XdrException">The length exceeds <paramref name="maxLength"/> or the input, the input ends first, or the padding is not zero.</exception>
    public byte[] ReadOpaque(uint maxLength = uint.MaxValue) => ReadCountedBytes(maxLength, "an opaque length");

    /// <summary>The shortest data <see cref="ReadPooledOpaque"/> lends from a shared buffer; shorter data is copied, so that a
    /// few small values kept do not hold a whole receive buffer.</summary>
    public const int MinLentLength = 1024;

    /// <summary>
    /// Reads variable-length opaque data, <c>opaque name&lt;maxLength&gt;</c>, into pooled memory: a slice of the input
    /// when it lies in the reader's <see cref="XdrSharedBuffer"/> and is at least <see cref="MinLentLength"/> bytes long (no
    /// copy), otherwise a copy in an array rented from the shared pool. The value is added to the reader's
    /// <see cref="PooledOpaqueScope"/> if it has one; without one the caller disposes it.
    /// </summary>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="XdrException">The length exceeds <paramref name="maxLength"/> or the input, the input ends first, or the padding is not zero.</exception>
    public PooledOpaque ReadPooledOpaque(uint maxLength = uint.MaxValue)
    {
        int length = ReadByteLength(maxLength, "an opaque length");
        if (length == 0)
        {
            return PooledOpaque.Empty;
        }

        PooledOpaque value;
        if (_lender is not null && length >= MinLentLength && _sequence.IsEmpty && _span.Length - _index >= length)
        {
            value = PooledOpaque.Lend(_lender, _lenderOffset + _index, length);
            _index += length;
        }
        else
        {
            value = PooledOpaque.Rent(length);
            ReadRaw(value.Span);
        }

        if (_scope is not null)
        {
            _scope.Add(value);
            SkipPadding(length);
            return value;
        }

        try
        {
            SkipPadding(length);
        }
        catch
        {
            value.Dispose();
            throw;
        }

        return value;
    }

    /// <summary>Reads fixed-length opaque data, <c>opaque name[length]</c> (RFC 4506 section 4.9).</summary>
    /// <param name="length">The declared length.</param>
    /// <returns>The bytes, in a new array.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="XdrException">The input ends first, or the padding is not zero.</exception>
    public byte[] ReadFixedOpaque(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        EnsureRemaining(length + (long)PaddingOf(length), "fixed-length opaque data");
        return ReadPaddedBytes(length);
    }

    /// <summary>Reads fixed-length opaque data of <c>destination.Length</c> bytes into a buffer the caller owns.</summary>
    /// <param name="destination">Where the bytes go; its length is the declared length.</param>
    /// <exception cref="XdrException">The input ends first, or the padding is not zero.</exception>
    public void ReadFixedOpaque(scoped Span<byte> destination)
    {
        EnsureRemaining(destination.Length + (long)PaddingOf(destination.Length), "fixed-length opaque data");
        ReadRaw(destination);
        SkipPadding(destination.Length);
    }

    /// <summary>
    /// Reads the length prefix of variable-length opaque data (or a string) and checks it against the declared
    /// maximum and the remaining input, for callers that read the bytes into their own buffer: rent one of
    /// that length, then call <see cref="ReadFixedOpaque(Span{byte})"/>, which reads the bytes and the padding.
    /// </summary>
    /// <param name="maxLength">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The length of the data that follows.</returns>
    /// <exception cref="XdrException">The length exceeds <paramref name="maxLength"/> or what the input holds.</exception>
    public int ReadOpaqueLength(uint maxLength = uint.MaxValue) => ReadByteLength(maxLength, "an opaque length");

    /// <summary>Reads a length prefix and the counted bytes with their padding: the wire form of <c>opaque&lt;&gt;</c> and <c>string&lt;&gt;</c>.</summary>
    private byte[] ReadCountedBytes(uint maxLength, string lengthName) => ReadPaddedBytes(ReadByteLength(maxLength, lengthName));

    /// <summary>Reads <paramref name="length"/> bytes and their padding into a new array; the caller has checked they exist.</summary>
    private byte[] ReadPaddedBytes(int length)
    {
        if (length == 0)
        {
            return [];
        }

        byte[] result = GC.AllocateUninitializedArray<byte>(length);
        ReadRaw(result);
        SkipPadding(length);
        return result;
    }

    /// <summary>
    /// Reads the length prefix of opaque data or a string and checks it, before anything is allocated,
    /// against the declared maximum and against what the input still holds (data plus padding).
    /// </summary>
    private int ReadByteLength(uint maxLength, string lengthName)
    {
        long start = Position;
        uint length = ReadUInt32();
        if (length > maxLength)
        {
            ThrowHelper.LengthExceedsMaximum(start, lengthName, length, maxLength);
        }

        ulong needed = length + (ulong)PaddingOf(length);
        if (needed > (ulong)Remaining)
        {
            ThrowHelper.LengthExceedsInput(start, lengthName, length, needed, Remaining);
        }

        if (length > (uint)Array.MaxLength)
        {
            ThrowHelper.LengthExceedsPlatform(start, lengthName, length);
        }

        return (int)length;
    }

    /// <summary>Skips the padding after <paramref name="length"/> bytes of data; it must be zero unless the options allow otherwise.</summary>
    private void SkipPadding(int length)
    {
        int padding = PaddingOf(length);
        if (padding == 0)
        {
            return;
        }

        long start = Position;
        Span<byte> pad = stackalloc byte[3];
        pad = pad.Slice(0, padding);
        ReadExact(pad, "padding");
        int nonZero = pad.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0 && !_allowNonZeroPadding)
        {
            ThrowHelper.NonZeroPadding(start + nonZero);
        }
    }
}
