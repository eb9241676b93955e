using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NetRpc.Xdr;

public ref partial struct XdrWriter
{
    /// <summary>Writes an XDR <c>int</c> (RFC 4506 section 4.1).</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value)
    {
        Span<byte> span = _span;
        int buffered = _buffered;
        if (span.Length - buffered >= sizeof(int))
        {
            BinaryPrimitives.WriteInt32BigEndian(span.Slice(buffered), value);
            _buffered = buffered + sizeof(int);
            return;
        }

        WriteInt32Slow(value);
    }

    /// <summary>Writes an XDR <c>unsigned int</c> (RFC 4506 section 4.2).</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt32(uint value) => WriteInt32((int)value);

    /// <summary>Writes rpcgen's <c>short</c> as libtirpc's <c>xdr_short</c> does: an XDR <c>int</c>, 4 bytes.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt16(short value) => WriteInt32(value);

    /// <summary>Writes rpcgen's <c>unsigned short</c> as libtirpc's <c>xdr_u_short</c> does: an XDR <c>unsigned int</c>, 4 bytes.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt16(ushort value) => WriteInt32(value);

    /// <summary>Writes rpcgen's <c>char</c> as libtirpc's <c>xdr_char</c> does: an XDR <c>int</c>, 4 bytes.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt8(sbyte value) => WriteInt32(value);

    /// <summary>Writes rpcgen's <c>unsigned char</c> as libtirpc's <c>xdr_u_char</c> does: an XDR <c>unsigned int</c>, 4 bytes.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt8(byte value) => WriteInt32(value);

    /// <summary>Writes an XDR <c>hyper</c> (RFC 4506 section 4.5).</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        Span<byte> span = _span;
        int buffered = _buffered;
        if (span.Length - buffered >= sizeof(long))
        {
            BinaryPrimitives.WriteInt64BigEndian(span.Slice(buffered), value);
            _buffered = buffered + sizeof(long);
            return;
        }

        WriteInt64Slow(value);
    }

    /// <summary>Writes an XDR <c>unsigned hyper</c> (RFC 4506 section 4.5).</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong value) => WriteInt64((long)value);

    /// <summary>Writes an XDR <c>bool</c> (RFC 4506 section 4.4): 1 for TRUE, 0 for FALSE.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBoolean(bool value) => WriteInt32(value ? 1 : 0);

    /// <summary>Writes the value of an XDR <c>enum</c> (RFC 4506 section 4.3).</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteEnum(int value) => WriteInt32(value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteInt32Slow(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Reserve(sizeof(int)), value);
        Commit(sizeof(int));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteInt64Slow(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Reserve(sizeof(long)), value);
        Commit(sizeof(long));
    }
}
