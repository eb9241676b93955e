using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class OpaqueTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("01", "01000000")]
    [InlineData("0102", "01020000")]
    [InlineData("010203", "01020300")]
    [InlineData("01020304", "01020304")]
    [InlineData("0102030405", "0102030405000000")]
    public void Fixed_opaque_is_the_bytes_padded_to_four(string data, string hex)
    {
        byte[] value = Hex(data);
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteFixedOpaque(value, value.Length))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadFixedOpaque(value.Length)));
    }

    [Fact]
    public void Fixed_opaque_reads_into_a_callers_buffer()
    {
        byte[] destination = new byte[3];
        var reader = new XdrReader(Hex("aabbcc00"));
        reader.ReadFixedOpaque(destination);
        reader.EnsureEnd();
        Assert.Equal(Hex("aabbcc"), destination);
    }

    [Theory]
    [InlineData("", "00000000")]
    [InlineData("01", "00000001 01000000")]
    [InlineData("010203", "00000003 01020300")]
    [InlineData("0102030405060708", "00000008 0102030405060708")]
    public void Variable_opaque_is_length_bytes_and_padding(string data, string hex)
    {
        byte[] value = Hex(data);
        Assert.Equal(ToHex(Hex(hex)), ToHex(Write((ref XdrWriter w) => w.WriteOpaque(value, 16))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadOpaque(16)));
    }

    [Fact]
    public void Variable_opaque_reads_into_a_callers_buffer_in_two_steps()
    {
        var reader = new XdrReader(Hex("00000003 aabbcc00 00000001"));
        int length = reader.ReadOpaqueLength(16);
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        reader.ReadFixedOpaque(rented.AsSpan(0, length));
        Assert.Equal(Hex("aabbcc"), rented[..length]);
        Assert.Equal(1, reader.ReadInt32());
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);

        var hostile = new XdrReader(Hex("fffffff0 00000000"));
        try
        {
            hostile.ReadOpaqueLength();
            Assert.Fail("expected XdrException");
        }
        catch (XdrException e)
        {
            Assert.Equal(XdrError.LengthExceedsInput, e.Error);
        }
    }

    [Fact]
    public void Encode_refuses_opaque_over_its_maximum_and_writes_nothing()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        try
        {
            writer.WriteOpaque(new byte[5], 4);
            Assert.Fail("expected ArgumentOutOfRangeException");
        }
        catch (ArgumentOutOfRangeException e)
        {
            Assert.Contains("maximum is 4", e.Message, StringComparison.Ordinal);
        }

        writer.Flush();
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Decode_refuses_opaque_over_its_maximum()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000005 0102030405000000"), (ref XdrReader r) => r.ReadOpaque(4)));
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
        Assert.Equal(0, e.Offset);
        Assert.Equal("5", e.Found);
    }

    [Fact]
    public void Encode_refuses_fixed_opaque_of_the_wrong_length()
    {
        byte[] bytes = new byte[3];
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteFixedOpaque(bytes, 4)));
    }

    [Theory]
    [InlineData("00000003 01020301", 7)]
    [InlineData("00000001 01000100", 6)]
    [InlineData("00000002 0102ff00", 6)]
    public void Decode_rejects_nonzero_padding(string hex, long offset)
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex(hex), (ref XdrReader r) => r.ReadOpaque()));
        Assert.Equal(XdrError.NonZeroPadding, e.Error);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public void Nonzero_padding_is_accepted_when_the_options_allow_it()
    {
        var lenient = new XdrReaderOptions { AllowNonZeroPadding = true };
        Assert.Equal(Hex("010203"), Read(Hex("00000003 010203ff"), (ref XdrReader r) => r.ReadOpaque(), lenient));
        Assert.Equal(Hex("01"), Read(Hex("01abcdef"), (ref XdrReader r) => r.ReadFixedOpaque(1), lenient));
    }

    [Fact]
    public void Decode_rejects_fixed_opaque_longer_than_the_input()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("01020304"), (ref XdrReader r) => r.ReadFixedOpaque(5)));
        Assert.Equal(XdrError.Truncated, e.Error);
    }
}
