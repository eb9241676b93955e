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

    /// <summary>
    /// Reads rpcgen's <c>short</c>: an XDR <c>int</c> (4 bytes on the wire) that must fit 16 bits
    /// (libtirpc's <c>xdr_short</c> would cut a wider value down silently; no C peer sends one, so it is refused as
    /// malformed).
    /// </summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first, or the value does not fit (<see cref="XdrError.IntegerOutOfRange"/>).</exception>
    public short ReadInt16()
    {
        int value = ReadInt32();
        if (value is < short.MinValue or > short.MaxValue)
        {
            ThrowHelper.IntegerOutOfRange(Position - 4, "a short (-32768 to 32767)", value);
        }

        return (short)value;
    }

    /// <summary>
    /// Reads rpcgen's <c>unsigned short</c>: an XDR <c>unsigned int</c> (4 bytes on the wire) that must fit 16 bits
    /// (libtirpc's <c>xdr_u_short</c> would cut a wider value down silently; it is refused as malformed).
    /// </summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first, or the value does not fit (<see cref="XdrError.IntegerOutOfRange"/>).</exception>
    public ushort ReadUInt16()
    {
        uint value = ReadUInt32();
        if (value > ushort.MaxValue)
        {
            ThrowHelper.IntegerOutOfRange(Position - 4, "an unsigned short (0 to 65535)", value);
        }

        return (ushort)value;
    }

    /// <summary>
    /// Reads rpcgen's <c>char</c>: an XDR <c>int</c> (4 bytes on the wire) that must fit a signed byte
    /// (libtirpc's <c>xdr_char</c> would cut a wider value down silently; it is refused as malformed).
    /// </summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first, or the value does not fit (<see cref="XdrError.IntegerOutOfRange"/>).</exception>
    public sbyte ReadInt8()
    {
        int value = ReadInt32();
        if (value is < sbyte.MinValue or > sbyte.MaxValue)
        {
            ThrowHelper.IntegerOutOfRange(Position - 4, "a char (-128 to 127)", value);
        }

        return (sbyte)value;
    }

    /// <summary>
    /// Reads rpcgen's <c>unsigned char</c>: an XDR <c>unsigned int</c> (4 bytes on the wire) that must fit a byte
    /// (libtirpc's <c>xdr_u_char</c> would cut a wider value down silently; it is refused as malformed).
    /// </summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first, or the value does not fit (<see cref="XdrError.IntegerOutOfRange"/>).</exception>
    public byte ReadUInt8()
    {
        uint value = ReadUInt32();
        if (value > byte.MaxValue)
        {
            ThrowHelper.IntegerOutOfRange(Position - 4, "an unsigned char (0 to 255)", value);
        }

        return (byte)value;
    }

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
