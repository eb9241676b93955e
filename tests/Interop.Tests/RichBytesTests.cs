using NetRpc.Interop.Tests.Support;
using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// The generated C# codecs of rich.x against rpcgen's C with libtirpc, byte for byte: the same values encode
/// to the same bytes, and each side decodes what the other encodes and encodes it back unchanged.
/// </summary>
[Collection(NativeCollection.Name)]
public class RichBytesTests(NativePrograms native)
{
    public static TheoryData<int> Samples => [.. Enumerable.Range(0, RichSamples.Count)];

    [NativeTheory]
    [MemberData(nameof(Samples))]
    public void A_sample_encodes_to_the_bytes_libtirpc_encodes(int n)
    {
        Assert.Equal(native.Sample(n), RichSamples.Hex(RichSamples.Encode(RichSamples.Get(n))));
    }

    [NativeTheory]
    [MemberData(nameof(Samples))]
    public void Each_side_decodes_what_the_other_encodes_and_encodes_it_back_unchanged(int n)
    {
        string c = native.Sample(n);
        Assert.Equal(c, RichSamples.Hex(RichSamples.Encode(RichSamples.Decode<Everything>(c))));

        string csharp = RichSamples.Hex(RichSamples.Encode(RichSamples.Get(n)));
        Assert.Equal([csharp], native.RoundTrip("everything", csharp));
    }

    [NativeFact]
    public void What_libtirpc_encodes_decodes_to_the_values_it_was_made_of()
    {
        Everything e = RichSamples.Decode<Everything>(native.Sample(1));
        Assert.Equal((-123456, 4000000000u, -1234567890123L, 18000000000000000000UL), (e.P.I, e.P.U, e.P.H, e.P.Uh));
        Assert.Equal((1.5f, -2.25, 3.5, true, Color.Blue), (e.P.F, e.P.D, e.P.Q.TryConvertToDouble(out double q) ? q : double.NaN, e.P.B, e.P.C));
        Assert.Equal("héllo wörld", e.Any);
        Assert.Equal(["a", "bb", "ccc"], e.Names);
        Assert.Equal([Color.Red, Color.Green, Color.Blue], e.Shapes.Select(s => s.Kind));
        Assert.Equal(2.5, e.Shapes[0].Radius);
        Assert.Equal([3, 4], e.Shapes[1].Sides);
        Assert.Throws<InvalidOperationException>(() => e.Shapes[2].Radius);
        Assert.Equal("nick", e.Nickname.Value);
        Assert.Equal((2, "two"), (e.Res.Status, e.Res.Message));
        Assert.Equal(0x0123456789abcdefL, e.Tag.Big);
        Assert.Equal(["x:1", "y:2", "z:-3"], Walk(e.List));
        Assert.Equal([Color.Green, Color.None, Color.Red], e.Colors);

        Everything other = RichSamples.Decode<Everything>(native.Sample(2));
        Assert.Equal(7, other.Res.Status);
        Assert.Throws<InvalidOperationException>(() => other.Res.Message);
        Assert.Equal(9u, other.Tag.Tag);
        Assert.Equal([1, 2, 3], other.Tag.Raw);
    }

    [NativeFact]
    public void An_undeclared_enum_value_goes_through_libtirpc_and_the_generated_code_unchanged()
    {
        // libtirpc's xdr_enum takes any int, so a newer peer's values must survive a decode and encode here too.
        Everything e = RichSamples.Decode<Everything>(native.Sample(1));
        e.P.C = (Color)70;
        e.Colors = [Color.Green, (Color)(-70), Color.Red];
        string hex = RichSamples.Hex(RichSamples.Encode(e));
        Assert.Contains("00000046", hex, StringComparison.Ordinal);
        Assert.Contains("ffffffba", hex, StringComparison.Ordinal);

        Assert.Equal([hex], native.RoundTrip("everything", hex));
        Everything back = RichSamples.Decode<Everything>(hex);
        Assert.Equal(((Color)70, (Color)(-70)), (back.P.C, back.Colors[1]));
        Assert.Equal(hex, RichSamples.Hex(RichSamples.Encode(back)));
    }

    [NativeFact]
    public void A_string_whose_bytes_are_not_utf8_goes_through_libtirpc_and_the_generated_code_unchanged()
    {
        // A label of 16 bytes: 'a', 0x80, 0xff, a lead byte without its continuation, an encoded surrogate, every high
        // byte alone, and a sequence cut short at the end: a C peer's char array, which is not text.
        const string Label = "6180ffc328eda080c0af68c3a9fe6ce2";
        string hex = $"00000010{Label}00000007" + "00000000";
        Assert.Equal([hex], native.RoundTrip("node", hex));

        Node node = RichSamples.Decode<Node>(hex);
        Assert.Equal(hex, RichSamples.Hex(RichSamples.Encode(node)));
        Assert.Equal(16, node.Label.Count(c => c is >= '\uDC80' and <= '\uDCFF') + node.Label.Count(c => c < 0x80) + (2 * node.Label.Count(c => c == 'é')));

        // The other way: text the C# side made, with escaped bytes in it, read by libtirpc and written back.
        string made = RichSamples.Hex(RichSamples.Encode(new Node { Label = "x\uDCFF\uDC80é", Weight = 1 }));
        Assert.Equal("00000005" + "78ff80c3a9" + "000000" + "00000001" + "00000000", made);
        Assert.Equal([made], native.RoundTrip("node", made));
    }

    [NativeTheory]
    [InlineData(short.MinValue, ushort.MaxValue, sbyte.MinValue, byte.MaxValue)]
    [InlineData(short.MaxValue, (ushort)0, sbyte.MaxValue, (byte)0)]
    public void Narrow_integers_at_their_limits_go_through_libtirpc_unchanged(short s, ushort us, sbyte c, byte uc)
    {
        string hex = RichSamples.Hex(RichSamples.Encode(new Narrow { S = s, Us = us, C = c, Uc = uc }));
        Assert.Equal(16, hex.Length / 2);
        Assert.Equal([hex], native.RoundTrip("narrow", hex));
        Narrow back = RichSamples.Decode<Narrow>(hex);
        Assert.Equal((s, us, c, uc), (back.S, back.Us, back.C, back.Uc));
    }

    [NativeFact]
    public void A_value_too_wide_for_its_narrow_type_is_cut_down_by_libtirpc_and_refused_here()
    {
        // No C peer sends 70000 for an unsigned short; libtirpc's xdr_u_short keeps the low 16 bits of it (4464).
        const string hex = "00000000" + "00011170" + "00000000" + "00000000";
        Assert.Equal(["00000000" + "00001170" + "00000000" + "00000000"], native.RoundTrip("narrow", hex));
        XdrException e = Assert.Throws<XdrException>(() => RichSamples.Decode<Narrow>(hex));
        Assert.Equal((XdrError.IntegerOutOfRange, 4L), (e.Error, e.Offset));
    }

    /// <summary>Input both sides must refuse: an undeclared discriminant, a bad bool, an undeclared enum value, a string or opaque over its maximum.</summary>
    public static TheoryData<string, string, string> Invalid => new()
    {
        { "shape", "ffffffff", "a color with no arm in shape (NONE)" },
        { "shape", "00000005", "a value that is no color, so no arm either (the union has no default)" },
        { "maybe", "00000002", "a bool of 2" },
        { "maybe", "00000001" + "00000011" + "6161616161616161616161616161616161000000", "a name_t of 17 bytes (LABEL_MAX is 16)" },
        { "tagged", "00000009" + "00000009" + "010203040506070809000000", "9 bytes of raw<8>" },
        { "result", "00000001" + "00000041" + string.Concat(Enumerable.Repeat("61", 65)) + "000000", "a message of 65 bytes (at most 64)" },
        { "node", "00000001" + "61000000" + "00000001" + "00000002", "a bool of 2 as the next pointer" },
    };

    [NativeTheory]
    [MemberData(nameof(Invalid))]
    public void Input_libtirpc_refuses_the_generated_code_refuses_too(string type, string hex, string what)
    {
        Assert.NotEmpty(what);
        Assert.Equal(["ERROR decode"], native.RoundTrip(type, hex));
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Throws<XdrException>(() => type switch
        {
            "shape" => (object)XdrCodec.Decode<Shape>(bytes),
            "maybe" => XdrCodec.Decode<Maybe>(bytes),
            "tagged" => XdrCodec.Decode<Tagged>(bytes),
            "result" => XdrCodec.Decode<Result>(bytes),
            _ => XdrCodec.Decode<Node>(bytes),
        });
    }

    private static IEnumerable<string> Walk(Node? node)
    {
        for (; node is not null; node = node.Next)
        {
            yield return $"{node.Label}:{node.Weight}";
        }
    }
}
