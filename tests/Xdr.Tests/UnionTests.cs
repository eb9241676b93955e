using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class UnionTests
{
    [Theory]
    [InlineData("00000000 00000005", "Red")]        // case RED: int radius
    [InlineData("00000001 00000002 68690000", "Green")] // case GREEN: string label
    [InlineData("fffffff9 00000000", "Negative")]   // case NEGATIVE (shares GREEN's arm): empty label
    [InlineData("00000002", "Blue")]                // case BLUE: void
    [InlineData("00000003 0000000100000002", "Yellow")] // default: hyper other
    public void Union_is_the_discriminant_then_the_selected_arm(string hex, string kind)
    {
        byte[] wire = Hex(hex);
        Shape shape = Read(wire, (ref XdrReader r) => Shape.Decode(ref r));
        Assert.Equal(Enum.Parse<Color>(kind), shape.Kind);
        Assert.Equal(ToHex(wire), ToHex(Write((ref XdrWriter w) => shape.Encode(ref w))));
    }

    [Fact]
    public void Arms_carry_their_values()
    {
        Assert.Equal(5, Read(Hex("00000000 00000005"), (ref XdrReader r) => Shape.Decode(ref r)).Radius);
        Assert.Equal("hi", Read(Hex("00000001 00000002 68690000"), (ref XdrReader r) => Shape.Decode(ref r)).Label);
        Assert.Equal(0x100000002L, Read(Hex("00000003 00000001 00000002"), (ref XdrReader r) => Shape.Decode(ref r)).Other);
    }

    [Fact]
    public void Decode_rejects_a_discriminant_outside_its_enum()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000009 00000000"), (ref XdrReader r) => Shape.Decode(ref r)));
        Assert.Equal(XdrError.InvalidEnumValue, e.Error);
        Assert.Equal(0, e.Offset);
        Assert.Equal("9", e.Found);
        Assert.Contains("enum color", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_rejects_a_discriminant_with_no_arm_and_no_default()
    {
        Assert.Equal(new StatusResult(0, 42), Read(Hex("00000000 0000002a"), (ref XdrReader r) => StatusResult.Decode(ref r)));
        Assert.Equal(new StatusResult(1), Read(Hex("00000001"), (ref XdrReader r) => StatusResult.Decode(ref r)));

        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000000 00000007"), (ref XdrReader r) =>
        {
            r.ReadInt32();
            return StatusResult.Decode(ref r);
        }));
        Assert.Equal(XdrError.InvalidDiscriminant, e.Error);
        Assert.Equal(4, e.Offset);
        Assert.Equal("7", e.Found);
        Assert.Contains("union status_result", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Void_is_nothing_on_the_wire()
    {
        Assert.Empty(Write((ref XdrWriter w) => XdrVoid.Value.Encode(ref w)));
        Assert.Equal(XdrVoid.Value, XdrCodec.Decode<XdrVoid>(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0, XdrVoidSize());

        static int XdrVoidSize() => MinSize<XdrVoid>();
        static int MinSize<T>() where T : IXdrCodec<T> => T.MinEncodedSize;
    }
}
