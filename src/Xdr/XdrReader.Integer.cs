using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NetRpc.Xdr;

public ref partial struct XdrReader
{
    /// <summary>Reads an XDR <c>int</c> (RFC 4506 section 4.1): 4 bytes, big-endian, two's complement.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32()
    {
        ReadOnlySpan<byte> span = _span;
        int index = _index;
        if (span.Length - index >= sizeof(int))
        {
            _index = index + sizeof(int);
            return BinaryPrimitives.ReadInt32BigEndian(span.Slice(index));
        }

        return ReadInt32Slow();
    }

    /// <summary>Reads an XDR <c>unsigned int</c> (RFC 4506 section 4.2).</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt32() => (uint)ReadInt32();

    /// <summary>Reads an XDR <c>hyper</c> (RFC 4506 section 4.5): 8 bytes, big-endian.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64()
    {
        ReadOnlySpan<byte> span = _span;
        int index = _index;
        if (span.Length - index >= sizeof(long))
        {
            _index = index + sizeof(long);
            return BinaryPrimitives.ReadInt64BigEndian(span.Slice(index));
        }

        return ReadInt64Slow();
    }

    /// <summary>Reads an XDR <c>unsigned hyper</c> (RFC 4506 section 4.5).</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64() => (ulong)ReadInt64();

    /// <summary>Reads an XDR <c>bool</c> (RFC 4506 section 4.4), which must be 0 or 1.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first, or the value is neither 0 nor 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBoolean()
    {
        uint value = ReadUInt32();
        if (value > 1)
        {
            ThrowHelper.InvalidBoolean(Position - 4, value);
        }

        return value != 0;
    }

    /// <summary>
    /// Reads the value of an XDR <c>enum</c> (RFC 4506 section 4.3), a signed 4-byte integer. Which values
    /// are valid is the enum's business: when <see cref="StrictEnums"/> is set, check the result and throw
    /// <see cref="InvalidEnumValue"/> for an undeclared one; otherwise keep it.
    /// </summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadEnum() => ReadInt32();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ReadInt32Slow()
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        ReadExact(bytes, "a 4-byte XDR unit");
        return BinaryPrimitives.ReadInt32BigEndian(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long ReadInt64Slow()
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        ReadExact(bytes, "an 8-byte hyper");
        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }
}
