using System.Buffers.Binary;

namespace NetRpc.Xdr;

public ref partial struct XdrWriter
{
    /// <summary>Writes an XDR <c>float</c> (RFC 4506 section 4.6), bit for bit.</summary>
    /// <param name="value">The value.</param>
    public void WriteSingle(float value) => WriteInt32(BitConverter.SingleToInt32Bits(value));

    /// <summary>Writes an XDR <c>double</c> (RFC 4506 section 4.7), bit for bit.</summary>
    /// <param name="value">The value.</param>
    public void WriteDouble(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Writes an XDR <c>quadruple</c> (RFC 4506 section 4.8), bit for bit.</summary>
    /// <param name="value">The value.</param>
    public void WriteQuadruple(XdrQuadruple value)
    {
        BinaryPrimitives.WriteUInt128BigEndian(Reserve(16), value.Bits);
        Commit(16);
    }
}
