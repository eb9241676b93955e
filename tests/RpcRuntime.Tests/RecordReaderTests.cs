using System.Buffers.Binary;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Tests;

/// <summary>The record-marking reader on its own: what it holds for a connection, and records that arrive in pieces.</summary>
public class RecordReaderTests
{
    private const int MaxRecordSize = 1 << 20;

    [Theory]
    [InlineData(0x800F_FFF0u)] // last fragment, just under the 1 MiB limit
    [InlineData(0x0008_0000u)] // a first fragment of 512 KiB
    public void A_header_alone_does_not_make_the_reader_hold_the_record_it_announces(uint header)
    {
        // Found by fuzzing: four bytes made a connection rent the whole announced length, up to the record limit.
        using var reader = new RecordReader(MaxRecordSize);
        int initial = reader.Capacity;
        byte[] bytes = new byte[4 + 100];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, header);

        reader.Append(bytes);

        Assert.False(reader.TryReadRecord(out _));
        Assert.Equal(initial, reader.Capacity);
    }

    [Fact]
    public void A_large_record_arriving_in_small_pieces_is_read_whole_with_a_buffer_proportional_to_it()
    {
        byte[] payload = new byte[300_000];
        new Random(5531).NextBytes(payload);
        byte[] stream = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(stream, 0x8000_0000u | (uint)payload.Length);
        payload.CopyTo(stream, 4);
        using var reader = new RecordReader(MaxRecordSize);

        ReadOnlyMemory<byte> record = default;
        bool complete = false;
        for (int at = 0; at < stream.Length; at += 1000)
        {
            Assert.False(complete);
            reader.Append(stream.AsSpan(at, Math.Min(1000, stream.Length - at)));
            complete = reader.TryReadRecord(out record);
        }

        Assert.True(complete);
        Assert.Equal(payload, record.ToArray());
        Assert.InRange(reader.Capacity, stream.Length, 2 * stream.Length + 16 * 1024);
    }
}
