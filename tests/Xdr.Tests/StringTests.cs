using System.Text;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class StringTests
{
    [Theory]
    [InlineData("", "00000000")]
    [InlineData("a", "00000001 61000000")]
    [InlineData("sillyprog", "00000009 73696c6c 7970726f 67000000")] // RFC 4506 section 7
    [InlineData("lisp", "00000004 6c697370")]
    [InlineData("é", "00000002 c3a90000")]
    [InlineData("中文", "00000006 e4b8ade6 96870000")]
    [InlineData("😀", "00000004 f09f9880")]
    public void String_is_utf8_length_bytes_and_padding(string value, string hex)
    {
        Assert.Equal(ToHex(Hex(hex)), ToHex(Write((ref XdrWriter w) => w.WriteString(value, 255))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadString(255)));
    }

    [Fact]
    public void Maximum_counts_utf8_bytes_not_characters()
    {
        // "éé" is 2 characters and 4 bytes.
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteString("éé", 3)));
        Assert.Equal("éé", Read(Write((ref XdrWriter w) => w.WriteString("éé", 4)), (ref XdrReader r) => r.ReadString(4)));

        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000004 c3a9c3a9"), (ref XdrReader r) => r.ReadString(3)));
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
    }

    private static readonly XdrReaderOptions Strict = new() { StrictUtf8 = true };

    [Fact]
    public void Decode_rejects_invalid_utf8_at_the_bad_byte_when_strict()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000003 61ff6200"), (ref XdrReader r) => r.ReadString(), Strict));
        Assert.Equal(XdrError.InvalidUtf8, e.Error);
        Assert.Equal(5, e.Offset);
    }

    [Theory]
    [InlineData("61ff62")]                 // a byte that is never UTF-8
    [InlineData("c328")]                   // a lead byte whose continuation is missing
    [InlineData("eda080")]                 // an encoded surrogate (CESU-8), which UTF-8 forbids
    [InlineData("f4908080")]               // past U+10FFFF
    [InlineData("e282")]                   // a sequence cut short by the end
    [InlineData("c0af")]                   // an overlong '/'
    [InlineData("68c3a9ff6cc3")]           // valid, invalid and cut-short mixed
    public void Bytes_that_are_not_utf8_read_as_text_and_write_back_exactly(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        byte[] wire = Write((ref XdrWriter w) => w.WriteOpaque(bytes));
        string text = Read(wire, (ref XdrReader r) => r.ReadString());
        Assert.Contains(text, c => c is >= '\uDC80' and <= '\uDCFF');
        Assert.Equal(wire, Write((ref XdrWriter w) => w.WriteString(text, (uint)bytes.Length)));
        Assert.Equal(text, Read(ByteBySegment(wire), (ref XdrReader r) => r.ReadString()));
    }

    [Fact]
    public void Every_byte_from_0x80_to_0xff_alone_round_trips_and_valid_text_is_unchanged()
    {
        for (int b = 0x80; b <= 0xFF; b++)
        {
            byte[] wire = Write((ref XdrWriter w) => w.WriteOpaque(new[] { (byte)'a', (byte)b, (byte)'z' }));
            string text = Read(wire, (ref XdrReader r) => r.ReadString());
            Assert.Equal($"a{(char)(0xDC00 + b)}z", text);
            Assert.Equal(wire, Write((ref XdrWriter w) => w.WriteString(text)));
        }

        Assert.Equal("héllo 😀", Read(Write((ref XdrWriter w) => w.WriteString("héllo 😀")), (ref XdrReader r) => r.ReadString()));
    }

    [Fact]
    public void A_lone_surrogate_that_is_no_escaped_byte_cannot_be_written()
    {
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteString("a\uD800b")));
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteString("a\uDC10b")));
    }

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters_when_the_options_say_so()
    {
        var options = new XdrReaderOptions { ReplaceInvalidUtf8 = true };
        Assert.Equal("a\uFFFDb", Read(Hex("00000003 61ff6200"), (ref XdrReader r) => r.ReadString(), options));
    }

    [Fact]
    public void Byte_level_api_carries_any_bytes()
    {
        byte[] latin1Name = [0x66, 0xE9, 0x00, 0xFF]; // not UTF-8, and with a NUL inside
        byte[] wire = Write((ref XdrWriter w) => w.WriteStringBytes(latin1Name, 255));
        Assert.Equal("00000004 66e900ff".Replace(" ", string.Empty, StringComparison.Ordinal), ToHex(wire));
        Assert.Equal(latin1Name, Read(wire, (ref XdrReader r) => r.ReadStringBytes(255)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteStringBytes(latin1Name, 3)));
    }

    [Fact]
    public void Encode_refuses_text_with_no_utf8_form()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteString("a\uD800b")));
        Assert.Contains("U+D800", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Write((ref XdrWriter w) => w.WriteString(null!)));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(5000)]
    public void Strings_split_across_segments_read_back(int length)
    {
        string text = string.Concat(Enumerable.Repeat("aé中😀", length / 4 + 1))[..length];
        if (char.IsHighSurrogate(text[^1]))
        {
            text = text[..^1];
        }

        byte[] wire = Write((ref XdrWriter w) => w.WriteString(text));
        for (int cut = 1; cut < wire.Length; cut += Math.Max(1, wire.Length / 37))
        {
            Assert.Equal(text, Read(Segmented(wire, cut), (ref XdrReader r) => r.ReadString()));
        }

        Assert.Equal(text, Read(ByteBySegment(wire), (ref XdrReader r) => r.ReadString()));
    }

    [Fact]
    public void Invalid_utf8_split_across_segments_is_found_at_its_offset()
    {
        byte[] wire = Hex("00000003 61ff6200");
        XdrException e = Assert.Throws<XdrException>(() => Read(ByteBySegment(wire), (ref XdrReader r) => r.ReadString(), Strict));
        Assert.Equal(XdrError.InvalidUtf8, e.Error);
        Assert.Equal(5, e.Offset);
    }
}
