using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class FloatTests
{
    [Theory]
    [InlineData(0x3F800000u, "3f800000")] // 1.0
    [InlineData(0xC0200000u, "c0200000")] // -2.5
    [InlineData(0x80000000u, "80000000")] // -0.0
    [InlineData(0x00000001u, "00000001")] // the smallest subnormal
    [InlineData(0x7F800000u, "7f800000")] // +infinity
    [InlineData(0x7FC00001u, "7fc00001")] // a quiet NaN with a payload
    [InlineData(0x7F800001u, "7f800001")] // a signaling NaN
    public void Float_is_ieee_binary32_big_endian_bit_for_bit(uint bits, string hex)
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteSingle(value))));
        Assert.Equal(bits, BitConverter.SingleToUInt32Bits(Read(Hex(hex), (ref XdrReader r) => r.ReadSingle())));
    }

    [Theory]
    [InlineData(0x3FF0000000000000UL, "3ff0000000000000")] // 1.0
    [InlineData(0x3FB999999999999AUL, "3fb999999999999a")] // 0.1
    [InlineData(0x8000000000000000UL, "8000000000000000")] // -0.0
    [InlineData(0xFFF0000000000000UL, "fff0000000000000")] // -infinity
    [InlineData(0x7FF0000000000001UL, "7ff0000000000001")] // a signaling NaN
    [InlineData(0xFFF8DEADBEEF0001UL, "fff8deadbeef0001")] // a negative quiet NaN with a payload
    public void Double_is_ieee_binary64_big_endian_bit_for_bit(ulong bits, string hex)
    {
        double value = BitConverter.UInt64BitsToDouble(bits);
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteDouble(value))));
        Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(Read(Hex(hex), (ref XdrReader r) => r.ReadDouble())));
    }

    [Fact]
    public void Decode_rejects_truncated_double()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("3ff00000"), (ref XdrReader r) => r.ReadDouble()));
        Assert.Equal(XdrError.Truncated, e.Error);
    }
}
