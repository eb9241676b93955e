using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class ArrayTests
{
    [Fact]
    public void Fixed_int_array_is_the_elements_without_a_count()
    {
        int[] values = [1, -2, 3];
        byte[] wire = Write((ref XdrWriter w) => w.WriteFixedInt32Array(values, 3));
        Assert.Equal("00000001fffffffe00000003", ToHex(wire));
        Assert.Equal(values, Read(wire, (ref XdrReader r) => r.ReadFixedInt32Array(3)));
    }

    [Fact]
    public void Variable_int_array_is_a_count_then_the_elements()
    {
        int[] values = [1, -1];
        byte[] wire = Write((ref XdrWriter w) => w.WriteInt32Array(values, 5));
        Assert.Equal("0000000200000001ffffffff", ToHex(wire));
        Assert.Equal(values, Read(wire, (ref XdrReader r) => r.ReadInt32Array(5)));
        Assert.Empty(Read(Hex("00000000"), (ref XdrReader r) => r.ReadInt32Array()));
    }

    [Fact]
    public void Bulk_arrays_of_every_primitive_match_element_by_element_encoding()
    {
        uint[] u = [0, 1, uint.MaxValue];
        long[] h = [long.MinValue, -1, 0x0102030405060708];
        ulong[] uh = [ulong.MaxValue, 42];
        float[] f = [1.0f, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7F800001)];
        double[] d = [0.1, -0.0, BitConverter.Int64BitsToDouble(0x7FF0000000000001)];

        byte[] bulk = Write((ref XdrWriter w) =>
        {
            w.WriteUInt32Array(u);
            w.WriteInt64Array(h);
            w.WriteUInt64Array(uh);
            w.WriteSingleArray(f);
            w.WriteDoubleArray(d);
            w.WriteFixedUInt32Array(u, 3);
            w.WriteFixedInt64Array(h, 3);
            w.WriteFixedUInt64Array(uh, 2);
            w.WriteFixedSingleArray(f, 3);
            w.WriteFixedDoubleArray(d, 3);
        });
        byte[] oneByOne = Write((ref XdrWriter w) =>
        {
            w.WriteInt32(3);
            foreach (uint x in u) { w.WriteUInt32(x); }
            w.WriteInt32(3);
            foreach (long x in h) { w.WriteInt64(x); }
            w.WriteInt32(2);
            foreach (ulong x in uh) { w.WriteUInt64(x); }
            w.WriteInt32(3);
            foreach (float x in f) { w.WriteSingle(x); }
            w.WriteInt32(3);
            foreach (double x in d) { w.WriteDouble(x); }
            foreach (uint x in u) { w.WriteUInt32(x); }
            foreach (long x in h) { w.WriteInt64(x); }
            foreach (ulong x in uh) { w.WriteUInt64(x); }
            foreach (float x in f) { w.WriteSingle(x); }
            foreach (double x in d) { w.WriteDouble(x); }
        });
        Assert.Equal(ToHex(oneByOne), ToHex(bulk));

        var reader = new XdrReader(bulk);
        Assert.Equal(u, reader.ReadUInt32Array());
        Assert.Equal(h, reader.ReadInt64Array());
        Assert.Equal(uh, reader.ReadUInt64Array());
        Assert.Equal(f.Select(BitConverter.SingleToInt32Bits), reader.ReadSingleArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(d.Select(BitConverter.DoubleToInt64Bits), reader.ReadDoubleArray().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(u, reader.ReadFixedUInt32Array(3));
        Assert.Equal(h, reader.ReadFixedInt64Array(3));
        Assert.Equal(uh, reader.ReadFixedUInt64Array(2));
        Assert.Equal(f.Select(BitConverter.SingleToInt32Bits), reader.ReadFixedSingleArray(3).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(d.Select(BitConverter.DoubleToInt64Bits), reader.ReadFixedDoubleArray(3).Select(BitConverter.DoubleToInt64Bits));
        reader.EnsureEnd();
    }

    [Fact]
    public void Arrays_of_structs_use_the_element_codec()
    {
        Point[] points = [new(1, 2), new(-1, -2)];
        byte[] variable = Write((ref XdrWriter w) => w.WriteArray<Point>(points, 4));
        Assert.Equal("00000002" + "0000000100000002" + "ffffffff" + "fffffffe", ToHex(variable));
        Assert.Equal(points, Read(variable, (ref XdrReader r) => r.ReadArray<Point>(4)));

        byte[] fixedLength = Write((ref XdrWriter w) => w.WriteFixedArray<Point>(points, 2));
        Assert.Equal("0000000100000002ffffffff" + "fffffffe", ToHex(fixedLength));
        Assert.Equal(points, Read(fixedLength, (ref XdrReader r) => r.ReadFixedArray<Point>(2)));
    }

    [Fact]
    public void Decode_refuses_a_count_over_the_maximum()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000003 00000001 00000002 00000003"), (ref XdrReader r) => r.ReadInt32Array(2)));
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Decode_refuses_a_count_the_input_cannot_hold()
    {
        // Three 8-byte points cannot fit in 16 bytes, whatever the maximum.
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000003 00000001 00000002 00000003 00000004"), (ref XdrReader r) => r.ReadArray<Point>()));
        Assert.Equal(XdrError.LengthExceedsInput, e.Error);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Encode_refuses_a_count_over_the_maximum_or_a_wrong_fixed_count()
    {
        int[] three = [1, 2, 3];
        Point[] points = [new(1, 2)];
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteInt32Array(three, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteArray<Point>(points, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteArrayCount(3, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref XdrWriter w) => w.WriteArrayCount(-1)));
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteFixedInt32Array(three, 4)));
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteFixedArray<Point>(points, 2)));
    }

    [Fact]
    public void Array_count_check_uses_the_element_minimum_size()
    {
        var reader = new XdrReader(Hex("00000002 00000000 00000000"));
        Assert.Equal(2, reader.ReadArrayCount(10, minElementSize: 4));

        var tooBig = new XdrReader(Hex("00000002 00000000 00000000"));
        try
        {
            tooBig.ReadArrayCount(10, minElementSize: 5);
            Assert.Fail("expected XdrException");
        }
        catch (XdrException e)
        {
            Assert.Equal(XdrError.LengthExceedsInput, e.Error);
        }
    }

    [Fact]
    public void Zero_size_elements_are_bounded_by_the_input()
    {
        XdrVoid[] voids = Read(Hex("00000004 00000000"), (ref XdrReader r) =>
        {
            XdrVoid[] v = r.ReadArray<XdrVoid>();
            r.ReadInt32();
            return v;
        });
        Assert.Equal(4, voids.Length);

        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("ffffffff 00000000"), (ref XdrReader r) => r.ReadArray<XdrVoid>()));
        Assert.Equal(XdrError.LengthExceedsInput, e.Error);
    }
}
