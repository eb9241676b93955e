using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class IntegerTests
{
    [Theory]
    [InlineData(0, "00000000")]
    [InlineData(1, "00000001")]
    [InlineData(-1, "ffffffff")]
    [InlineData(-2, "fffffffe")]
    [InlineData(0x12345678, "12345678")]
    [InlineData(int.MinValue, "80000000")]
    [InlineData(int.MaxValue, "7fffffff")]
    public void Int_is_four_bytes_big_endian_twos_complement(int value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteInt32(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadInt32()));
    }

    [Theory]
    [InlineData(0u, "00000000")]
    [InlineData(0x80000000u, "80000000")]
    [InlineData(uint.MaxValue, "ffffffff")]
    public void Unsigned_int_is_four_bytes_big_endian(uint value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteUInt32(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadUInt32()));
    }

    [Theory]
    [InlineData(0L, "0000000000000000")]
    [InlineData(-2L, "fffffffffffffffe")]
    [InlineData(0x0123456789ABCDEFL, "0123456789abcdef")]
    [InlineData(long.MinValue, "8000000000000000")]
    [InlineData(long.MaxValue, "7fffffffffffffff")]
    public void Hyper_is_eight_bytes_big_endian(long value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteInt64(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadInt64()));
    }

    [Theory]
    [InlineData(0x0123456789ABCDEFUL, "0123456789abcdef")]
    [InlineData(ulong.MaxValue, "ffffffffffffffff")]
    [InlineData(1UL << 63, "8000000000000000")]
    public void Unsigned_hyper_is_eight_bytes_big_endian(ulong value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteUInt64(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadUInt64()));
    }

    [Theory]
    [InlineData(false, "00000000")]
    [InlineData(true, "00000001")]
    public void Bool_is_zero_or_one(bool value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteBoolean(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadBoolean()));
    }

    [Theory]
    [InlineData("00000002", 2u)]
    [InlineData("ffffffff", uint.MaxValue)]
    [InlineData("80000000", 0x80000000u)]
    public void Decode_rejects_bool_other_than_zero_or_one(string hex, uint value)
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000000" + hex), (ref XdrReader r) =>
        {
            r.ReadInt32();
            return r.ReadBoolean();
        }));
        Assert.Equal(XdrError.InvalidBoolean, e.Error);
        Assert.Equal(4, e.Offset);
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Found);
    }

    [Theory]
    [InlineData(-7, "fffffff9")]
    [InlineData(3, "00000003")]
    public void Enum_is_a_signed_int(int value, string hex)
    {
        Assert.Equal(hex, ToHex(Write((ref XdrWriter w) => w.WriteEnum(value))));
        Assert.Equal(value, Read(Hex(hex), (ref XdrReader r) => r.ReadEnum()));
    }

    [Fact]
    public void Short_is_a_four_byte_int_that_must_fit_16_bits()
    {
        Assert.Equal("ffff8000", ToHex(Write((ref XdrWriter w) => w.WriteInt16(short.MinValue))));
        Assert.Equal("00007fff", ToHex(Write((ref XdrWriter w) => w.WriteInt16(short.MaxValue))));
        Assert.Equal(short.MinValue, Read(Hex("ffff8000"), (ref XdrReader r) => r.ReadInt16()));
        Assert.Equal(short.MaxValue, Read(Hex("00007fff"), (ref XdrReader r) => r.ReadInt16()));
        AssertOutOfRange("ffff7fff", -32769, (ref XdrReader r) => r.ReadInt16());
        AssertOutOfRange("00008000", 32768, (ref XdrReader r) => r.ReadInt16());
    }

    [Fact]
    public void Unsigned_short_is_a_four_byte_unsigned_int_that_must_fit_16_bits()
    {
        Assert.Equal("0000ffff", ToHex(Write((ref XdrWriter w) => w.WriteUInt16(ushort.MaxValue))));
        Assert.Equal(ushort.MaxValue, Read(Hex("0000ffff"), (ref XdrReader r) => r.ReadUInt16()));
        Assert.Equal((ushort)0, Read(Hex("00000000"), (ref XdrReader r) => r.ReadUInt16()));
        AssertOutOfRange("00010000", 65536, (ref XdrReader r) => r.ReadUInt16());
        AssertOutOfRange("ffffffff", uint.MaxValue, (ref XdrReader r) => r.ReadUInt16());
    }

    [Fact]
    public void Char_is_a_four_byte_int_that_must_fit_8_bits()
    {
        Assert.Equal("ffffff80", ToHex(Write((ref XdrWriter w) => w.WriteInt8(sbyte.MinValue))));
        Assert.Equal("0000007f", ToHex(Write((ref XdrWriter w) => w.WriteInt8(sbyte.MaxValue))));
        Assert.Equal(sbyte.MinValue, Read(Hex("ffffff80"), (ref XdrReader r) => r.ReadInt8()));
        Assert.Equal(sbyte.MaxValue, Read(Hex("0000007f"), (ref XdrReader r) => r.ReadInt8()));
        AssertOutOfRange("ffffff7f", -129, (ref XdrReader r) => r.ReadInt8());
        AssertOutOfRange("00000080", 128, (ref XdrReader r) => r.ReadInt8());
    }

    [Fact]
    public void Unsigned_char_is_a_four_byte_unsigned_int_that_must_fit_8_bits()
    {
        Assert.Equal("000000ff", ToHex(Write((ref XdrWriter w) => w.WriteUInt8(byte.MaxValue))));
        Assert.Equal(byte.MaxValue, Read(Hex("000000ff"), (ref XdrReader r) => r.ReadUInt8()));
        Assert.Equal((byte)0, Read(Hex("00000000"), (ref XdrReader r) => r.ReadUInt8()));
        AssertOutOfRange("00000100", 256, (ref XdrReader r) => r.ReadUInt8());
        AssertOutOfRange("80000000", 0x80000000L, (ref XdrReader r) => r.ReadUInt8());
    }

    [Fact]
    public void Undeclared_enum_values_are_kept_unless_the_options_ask_for_strict_enums()
    {
        // The reader only carries the choice: the generated read helper knows the members and checks them.
        Assert.False(XdrReaderOptions.Default.StrictEnums);
        Assert.False(new XdrReader(Hex("00000046")).StrictEnums);
        Assert.True(new XdrReader(Hex("00000046"), new XdrReaderOptions { StrictEnums = true }).StrictEnums);
        Assert.True(new XdrReader(new System.Buffers.ReadOnlySequence<byte>(Hex("00000046")), new XdrReaderOptions { StrictEnums = true }).StrictEnums);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("000000")]
    public void Decode_rejects_truncated_int(string hex)
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex(hex), (ref XdrReader r) => r.ReadInt32()));
        Assert.Equal(XdrError.Truncated, e.Error);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Decode_rejects_truncated_hyper_at_its_offset()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000001 00000000 000000"), (ref XdrReader r) =>
        {
            r.ReadInt32();
            return r.ReadInt64();
        }));
        Assert.Equal(XdrError.Truncated, e.Error);
        Assert.Equal(4, e.Offset);
        Assert.Contains("8 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_of_whole_value_rejects_trailing_bytes()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000001 00"), (ref XdrReader r) => r.ReadInt32()));
        Assert.Equal(XdrError.TrailingData, e.Error);
        Assert.Equal(4, e.Offset);
    }

    [Fact]
    public void Position_and_remaining_track_the_reader()
    {
        var reader = new XdrReader(Hex("00000001 0000000000000002"));
        Assert.Equal(0, reader.Position);
        Assert.Equal(12, reader.Remaining);
        reader.ReadInt32();
        Assert.Equal(4, reader.Position);
        reader.ReadInt64();
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Reading_and_writing_primitives_allocates_nothing()
    {
        byte[] input = Write((ref XdrWriter w) =>
        {
            w.WriteInt32(1);
            w.WriteInt64(2);
            w.WriteBoolean(true);
            w.WriteDouble(3.5);
            w.WriteQuadruple(XdrQuadruple.FromDouble(1));
        });
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        ReadAndWrite(input, buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            buffer.ResetWrittenCount();
            ReadAndWrite(input, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void ReadAndWrite(byte[] input, System.Buffers.ArrayBufferWriter<byte> buffer)
        {
            var reader = new XdrReader(input);
            var writer = new XdrWriter(buffer);
            writer.WriteInt32(reader.ReadInt32());
            writer.WriteInt64(reader.ReadInt64());
            writer.WriteBoolean(reader.ReadBoolean());
            writer.WriteDouble(reader.ReadDouble());
            writer.WriteQuadruple(reader.ReadQuadruple());
            writer.Flush();
        }
    }

    private static void AssertOutOfRange<T>(string hex, long found, Support.ReadFunc<T> read)
    {
        // The offset is the value's own: after the 4 bytes are consumed it still points at their start.
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000000" + hex), (ref XdrReader r) =>
        {
            r.ReadInt32();
            return read(ref r);
        }));
        Assert.Equal(XdrError.IntegerOutOfRange, e.Error);
        Assert.Equal(4, e.Offset);
        Assert.Equal(found.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Found);
    }
}
