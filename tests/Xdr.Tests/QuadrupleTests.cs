using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class QuadrupleTests
{
    // binary128: sign, 15-bit exponent (bias 16383), 112-bit fraction. Vectors worked by hand; the
    // libtirpc cross-check compares every conversion with GCC's __float128 as well.
    [Theory]
    [InlineData(0x3FF0000000000000UL, "3fff0000000000000000000000000000")] // 1.0
    [InlineData(0xC000000000000000UL, "c0000000000000000000000000000000")] // -2.0
    [InlineData(0x3FE0000000000000UL, "3ffe0000000000000000000000000000")] // 0.5
    [InlineData(0x3FF8000000000000UL, "3fff8000000000000000000000000000")] // 1.5
    [InlineData(0x0000000000000000UL, "00000000000000000000000000000000")] // +0
    [InlineData(0x8000000000000000UL, "80000000000000000000000000000000")] // -0
    [InlineData(0x7FF0000000000000UL, "7fff0000000000000000000000000000")] // +infinity
    [InlineData(0xFFF0000000000000UL, "ffff0000000000000000000000000000")] // -infinity
    [InlineData(0x7FEFFFFFFFFFFFFFUL, "43fefffffffffffff000000000000000")] // double.MaxValue
    [InlineData(0x0010000000000000UL, "3c010000000000000000000000000000")] // the smallest normal double, 2^-1022
    [InlineData(0x0000000000000001UL, "3bcd0000000000000000000000000000")] // double.Epsilon, 2^-1074: normal as binary128
    [InlineData(0x000FFFFFFFFFFFFFUL, "3c00ffffffffffffe000000000000000")] // the largest subnormal double
    [InlineData(0x7FF8000000000000UL, "7fff8000000000000000000000000000")] // the default quiet NaN
    [InlineData(0x7FF0000000000001UL, "7fff8000000000001000000000000000")] // a signaling NaN becomes quiet, payload kept
    public void From_double_is_exact(ulong doubleBits, string quadHex)
    {
        XdrQuadruple q = XdrQuadruple.FromDouble(BitConverter.UInt64BitsToDouble(doubleBits));
        Assert.Equal(quadHex, q.Bits.ToString("x32", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("3fff0000000000000000000000000000", 0x3FF0000000000000UL)]
    [InlineData("43fefffffffffffff000000000000000", 0x7FEFFFFFFFFFFFFFUL)]
    [InlineData("3bcd0000000000000000000000000000", 0x0000000000000001UL)]
    [InlineData("3c00ffffffffffffe000000000000000", 0x000FFFFFFFFFFFFFUL)]
    [InlineData("80000000000000000000000000000000", 0x8000000000000000UL)]
    [InlineData("ffff0000000000000000000000000000", 0xFFF0000000000000UL)]
    [InlineData("7fff8000000000001000000000000000", 0x7FF8000000000001UL)]
    public void To_double_succeeds_when_exact(string quadHex, ulong doubleBits)
    {
        XdrQuadruple q = XdrQuadruple.FromBits(UInt128.Parse(quadHex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(q.TryConvertToDouble(out double d));
        Assert.Equal(doubleBits, BitConverter.DoubleToUInt64Bits(d));
        Assert.Equal(doubleBits, BitConverter.DoubleToUInt64Bits((double)q));
    }

    [Theory]
    [InlineData("3fff0000000000000000000000000001")] // 1 + 2^-112: more precision than a double
    [InlineData("3fff0000000000000800000000000000")] // 1 + 2^-53: one bit too many
    [InlineData("43ff0000000000000000000000000000")] // 2^1024: beyond double range
    [InlineData("3bcc0000000000000000000000000000")] // 2^-1075: below the smallest subnormal double
    [InlineData("3bcd8000000000000000000000000000")] // 1.5 * 2^-1074: between subnormals
    [InlineData("00000000000000000000000000000001")] // a binary128 subnormal
    [InlineData("7fff0000000000000000000000000001")] // a NaN whose payload a double cannot carry
    [InlineData("7fff4000000000000000000000000000")] // a signaling NaN: a double conversion would quiet it
    public void To_double_refuses_when_inexact(string quadHex)
    {
        XdrQuadruple q = XdrQuadruple.FromBits(UInt128.Parse(quadHex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(q.TryConvertToDouble(out double d));
        Assert.Equal(0, d);
        Assert.Throws<InvalidCastException>(() => (double)q);
    }

    [Fact]
    public void Quadruple_is_sixteen_bytes_big_endian()
    {
        var q = XdrQuadruple.FromBits(new UInt128(0x0123456789ABCDEF, 0xFEDCBA9876543210));
        byte[] bytes = Write((ref XdrWriter w) => w.WriteQuadruple(q));
        Assert.Equal("0123456789abcdeffedcba9876543210", ToHex(bytes));
        Assert.Equal(q, Read(bytes, (ref XdrReader r) => r.ReadQuadruple()));
    }

    [Fact]
    public void Equality_is_bitwise()
    {
        Assert.NotEqual(XdrQuadruple.FromDouble(0.0), XdrQuadruple.FromDouble(-0.0));
        Assert.Equal(XdrQuadruple.NaN, XdrQuadruple.FromDouble(double.NaN));
        Assert.True(XdrQuadruple.PositiveInfinity == XdrQuadruple.FromDouble(double.PositiveInfinity));
        Assert.True(XdrQuadruple.NegativeInfinity.IsInfinity && XdrQuadruple.NegativeInfinity.IsNegative);
        Assert.True(XdrQuadruple.NaN.IsNaN);
        Assert.False(XdrQuadruple.Zero.IsNaN || XdrQuadruple.Zero.IsInfinity || XdrQuadruple.Zero.IsNegative);
    }

    [Fact]
    public void ToString_shows_the_double_or_the_bits()
    {
        Assert.Equal("1.5", XdrQuadruple.FromDouble(1.5).ToString());
        Assert.Equal("0x3FFF0000000000000000000000000001", XdrQuadruple.FromBits(new UInt128(0x3FFF000000000000, 1)).ToString());
    }
}
