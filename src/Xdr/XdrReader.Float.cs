using System.Buffers.Binary;

namespace NetRpc.Xdr;

public ref partial struct XdrReader
{
    /// <summary>Reads an XDR <c>float</c> (RFC 4506 section 4.6): IEEE 754 binary32, big-endian. Bits are kept exactly, NaN payloads included.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public float ReadSingle() => BitConverter.Int32BitsToSingle(ReadInt32());

    /// <summary>Reads an XDR <c>double</c> (RFC 4506 section 4.7): IEEE 754 binary64, big-endian. Bits are kept exactly.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

    /// <summary>Reads an XDR <c>quadruple</c> (RFC 4506 section 4.8): IEEE 754 binary128, big-endian, 16 bytes.</summary>
    /// <returns>The value, bit for bit.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public XdrQuadruple ReadQuadruple()
    {
        Span<byte> bytes = stackalloc byte[16];
        ReadExact(bytes, "a 16-byte quadruple");
        return XdrQuadruple.FromBits(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }
}
