using System.Buffers.Binary;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

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

    /// <summary>The bytes of a record sent as fragments of the given lengths, with <paramref name="payload"/> split among them.</summary>
    private static byte[] Fragments(byte[] payload, params int[] lengths)
    {
        var stream = new List<byte>();
        int at = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            byte[] header = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(header, (i == lengths.Length - 1 ? 0x8000_0000u : 0u) | (uint)lengths[i]);
            stream.AddRange(header);
            stream.AddRange(payload.AsSpan(at, lengths[i]).ToArray());
            at += lengths[i];
        }

        Assert.Equal(payload.Length, at);
        return [.. stream];
    }

    private static byte[] Payload(int length, int seed)
    {
        byte[] payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    [Fact]
    public void A_record_in_fragments_as_libtirpc_sends_one_over_64_KiB_is_gathered_in_place()
    {
        // libtirpc's 64 KiB send buffer splits a 64 KiB ECHO into a fragment of 65532 bytes and one of the rest.
        byte[] payload = Payload(65_584, 1);
        using var reader = new RecordReader(MaxRecordSize);
        reader.Append(Fragments(payload, 65_532, 52));

        Assert.True(reader.TryReadRecord(out ReadOnlyMemory<byte> record));
        Assert.Equal(payload, record.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(record, out ArraySegment<byte> segment));
        Assert.Same(reader.Buffer.Array, segment.Array); // in the receive buffer: no second buffer, no copy of the first fragment
        Assert.False(reader.TryReadRecord(out _));
    }

    [Fact]
    public void Many_tiny_fragments_do_not_make_the_buffer_grow_with_their_headers()
    {
        // 20,000 fragments of one byte: 100,000 bytes on the wire for 20,000 of record. The gaps their headers leave are
        // closed when the buffer fills, so it holds what the record holds, not five times that.
        byte[] payload = Payload(20_000, 2);
        byte[] stream = Fragments(payload, Enumerable.Repeat(1, payload.Length).ToArray());
        using var reader = new RecordReader(MaxRecordSize);
        ReadOnlyMemory<byte> record = default;
        bool complete = false;
        for (int at = 0; at < stream.Length && !complete; at += 1000)
        {
            reader.Append(stream.AsSpan(at, Math.Min(1000, stream.Length - at)));
            complete = reader.TryReadRecord(out record);
        }

        Assert.True(complete);
        Assert.Equal(payload, record.ToArray());
        Assert.InRange(reader.Capacity, 0, 2 * payload.Length + 16 * 1024);
    }

    [Fact]
    public void Fragments_arriving_byte_by_byte_with_the_next_record_behind_them_read_whole()
    {
        byte[] first = Payload(5000, 3);
        byte[] second = Payload(300, 4);
        byte[] stream = [.. Fragments(first, 1000, 0, 3999, 1), .. Fragments(second, 300)];
        using var reader = new RecordReader(MaxRecordSize);
        var records = new List<byte[]>();
        foreach (byte b in stream)
        {
            reader.Append([b]);
            while (reader.TryReadRecord(out ReadOnlyMemory<byte> record))
            {
                records.Add(record.ToArray());
            }
        }

        Assert.Equal([first, second], records);
        Assert.False(reader.HasPartialRecord);
    }

    [Fact]
    public void Data_lent_from_a_record_stays_intact_while_later_records_are_read()
    {
        byte[] lentBytes = Payload(4000, 5);
        byte[] opaque = new byte[4 + lentBytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(opaque, lentBytes.Length);
        lentBytes.CopyTo(opaque, 4);
        using var reader = new RecordReader(MaxRecordSize);
        reader.Append(Fragments(opaque, opaque.Length));
        Assert.True(reader.TryReadRecord(out ReadOnlyMemory<byte> record));
        XdrSharedBuffer first = reader.Buffer;
        var xdr = new XdrReader(record, first, null);
        PooledOpaque lent = xdr.ReadPooledOpaque();
        Assert.True(first.IsLent);

        // Later records, enough of them to fill and wrap a buffer many times, go elsewhere.
        for (int i = 0; i < 50; i++)
        {
            byte[] later = Payload(3000, 100 + i);
            reader.Append(Fragments(later, 1000, 2000));
            Assert.True(reader.TryReadRecord(out ReadOnlyMemory<byte> next));
            Assert.Equal(later, next.ToArray());
        }

        Assert.NotSame(first, reader.Buffer);
        Assert.Equal(lentBytes, lent.ToArray());
        lent.Dispose();
        Assert.False(first.IsLent);
    }

    [Fact]
    public void A_buffer_that_grew_for_a_64_KiB_record_is_kept_and_one_for_a_larger_record_is_given_back()
    {
        using var reader = new RecordReader(MaxRecordSize);
        reader.Append(Fragments(Payload(70_000, 6), 70_000));
        Assert.True(reader.TryReadRecord(out _));
        int grown = reader.Capacity;
        reader.Append(Fragments(Payload(100, 7), 100));
        Assert.True(reader.TryReadRecord(out _));
        Assert.Equal(grown, reader.Capacity);

        reader.Append(Fragments(Payload(300_000, 8), 300_000));
        Assert.True(reader.TryReadRecord(out _));
        reader.Append(Fragments(Payload(100, 9), 100));
        Assert.True(reader.TryReadRecord(out _));
        Assert.Equal(16 * 1024, reader.Capacity);
    }
}
