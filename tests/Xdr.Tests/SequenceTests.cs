using System.Buffers;
using NetRpc.Xdr.Tests.Support;
using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

/// <summary>Pipelines hand out multi-segment buffers: every value must read the same however its bytes are split.</summary>
public class SequenceTests
{
    [Fact]
    public void Every_split_point_reads_the_same_value()
    {
        var rng = new Random(4506);
        for (int sample = 0; sample < 20; sample++)
        {
            AllTypes value = Samples.AllTypes(rng);
            byte[] wire = XdrCodec.EncodeToArray(value);
            string expected = ValueText.Of(value);
            for (int cut = 0; cut <= wire.Length; cut++)
            {
                Assert.Equal(expected, ValueText.Of(XdrCodec.Decode<AllTypes>(Segmented(wire, cut))));
            }
        }
    }

    [Fact]
    public void One_byte_segments_with_empty_ones_between_read_the_same_value()
    {
        var rng = new Random(5531);
        for (int sample = 0; sample < 50; sample++)
        {
            AllTypes value = Samples.AllTypes(rng);
            byte[] wire = XdrCodec.EncodeToArray(value);
            Assert.Equal(ValueText.Of(value), ValueText.Of(XdrCodec.Decode<AllTypes>(ByteBySegment(wire))));
        }
    }

    [Fact]
    public void Random_multi_way_splits_read_the_same_value()
    {
        var rng = new Random(1833);
        for (int sample = 0; sample < 200; sample++)
        {
            AllTypes value = Samples.AllTypes(rng);
            byte[] wire = XdrCodec.EncodeToArray(value);
            int[] cuts = Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(0, wire.Length + 1)).Order().ToArray();
            Assert.Equal(ValueText.Of(value), ValueText.Of(XdrCodec.Decode<AllTypes>(Segmented(wire, cuts))));
        }
    }

    [Fact]
    public void Position_and_remaining_count_across_segments()
    {
        ReadOnlySequence<byte> input = Segmented(Hex("00000001 00000000 00000002 aa"), 0, 2, 2, 7);
        var reader = new XdrReader(input);
        Assert.Equal(13, reader.Remaining);
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal(4, reader.Position);
        Assert.Equal(2, reader.ReadInt64());
        Assert.Equal(12, reader.Position);
        Assert.Equal(1, reader.Remaining);
        try
        {
            reader.ReadInt32();
            Assert.Fail("expected XdrException");
        }
        catch (XdrException e)
        {
            Assert.Equal(XdrError.Truncated, e.Error);
            Assert.Equal(12, e.Offset);
        }
    }

    [Fact]
    public void Bulk_arrays_read_across_segments()
    {
        int[] values = Enumerable.Range(-500, 1000).ToArray();
        byte[] wire = Write((ref XdrWriter w) => w.WriteInt32Array(values));
        Assert.Equal(values, Read(Segmented(wire, 3, 77, 78, 2001, 3999), (ref XdrReader r) => r.ReadInt32Array()));
    }

    [Fact]
    public void Empty_sequence_reads_as_empty()
    {
        var reader = new XdrReader(ReadOnlySequence<byte>.Empty);
        Assert.Equal(0, reader.Remaining);
        reader.EnsureEnd();
    }
}
