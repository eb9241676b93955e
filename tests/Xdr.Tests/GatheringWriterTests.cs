using System.Buffers;

namespace NetRpc.Xdr.Tests;

/// <summary>
/// <see cref="XdrWriter"/> with an <see cref="IXdrGatheringWriter"/>: which pooled values it hands over by reference, and
/// that the bytes come out exactly as a copy would have written them.
/// </summary>
public class GatheringWriterTests
{
    /// <summary>A gathering writer that keeps what it is given by reference apart, and puts it back in place on request.</summary>
    private sealed class Gathering(bool takes = true) : IXdrGatheringWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private readonly List<(int At, ReadOnlyMemory<byte> Bytes)> _references = [];

        public int References => _references.Count;

        public void Advance(int count) => _buffer.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);

        public bool TryWriteByReference(ReadOnlyMemory<byte> bytes)
        {
            if (takes)
            {
                _references.Add((_buffer.WrittenCount, bytes));
            }

            return takes;
        }

        public byte[] Bytes()
        {
            var whole = new List<byte>();
            int from = 0;
            foreach ((int at, ReadOnlyMemory<byte> bytes) in _references)
            {
                whole.AddRange(_buffer.WrittenSpan[from..at]);
                whole.AddRange(bytes.Span);
                from = at;
            }

            whole.AddRange(_buffer.WrittenSpan[from..]);
            return [.. whole];
        }
    }

    private static PooledOpaque Filled(int length)
    {
        PooledOpaque value = PooledOpaque.Rent(length);
        for (int i = 0; i < length; i++)
        {
            value.Span[i] = (byte)(i * 13);
        }

        return value;
    }

    /// <summary>What the writer makes of: an int, the value, an int; and the same written by copy.</summary>
    private static (byte[] Gathered, byte[] Copied, int References, long Written) Write(PooledOpaque value, bool withScope, bool takes = true)
    {
        var gathering = new Gathering(takes);
        var scope = new PooledOpaqueScope();
        var writer = withScope ? new XdrWriter(gathering, scope) : new XdrWriter(gathering);
        writer.WriteInt32(0x11223344);
        writer.WriteOpaque(value);
        writer.WriteInt32(0x55667788);
        writer.Flush();

        var copied = new ArrayBufferWriter<byte>();
        var plain = new XdrWriter(copied);
        plain.WriteInt32(0x11223344);
        plain.WriteOpaque(value.Span);
        plain.WriteInt32(0x55667788);
        plain.Flush();
        return (gathering.Bytes(), copied.WrittenSpan.ToArray(), gathering.References, writer.BytesWritten);
    }

    [Theory]
    [InlineData(XdrWriter.MinimumGatheredLength)]
    [InlineData(XdrWriter.MinimumGatheredLength + 1)]
    [InlineData(XdrWriter.MinimumGatheredLength + 2)]
    [InlineData(XdrWriter.MinimumGatheredLength + 3)]
    [InlineData(200_001)]
    public void Pooled_data_from_the_threshold_on_is_taken_by_reference_and_reads_as_a_copy_would(int length)
    {
        using PooledOpaque value = Filled(length);
        (byte[] gathered, byte[] copied, int references, long written) = Write(value, withScope: true);
        Assert.Equal(1, references);
        Assert.Equal(copied, gathered);
        Assert.Equal(copied.Length, written);
    }

    [Fact]
    public void Shorter_data_wrapped_data_and_data_without_a_scope_are_copied()
    {
        using PooledOpaque shorter = Filled(XdrWriter.MinimumGatheredLength - 1);
        using PooledOpaque enough = Filled(70_000);
        PooledOpaque wrapped = PooledOpaque.Wrap(enough.ToArray()); // its owner may change it once written

        foreach ((PooledOpaque value, bool scope) in new[] { (shorter, true), (wrapped, true), (enough, false) })
        {
            (byte[] gathered, byte[] copied, int references, _) = Write(value, scope);
            Assert.Equal(0, references);
            Assert.Equal(copied, gathered);
        }
    }

    [Fact]
    public void A_writer_that_declines_gets_the_bytes_copied()
    {
        using PooledOpaque value = Filled(9_999);
        (byte[] gathered, byte[] copied, int references, long written) = Write(value, withScope: true, takes: false);
        Assert.Equal(0, references);
        Assert.Equal(copied, gathered);
        Assert.Equal(copied.Length, written);
    }

    [Fact]
    public void The_declared_maximum_holds_for_data_taken_by_reference()
    {
        using PooledOpaque value = Filled(10_000);
        var gathering = new Gathering();
        var writer = new XdrWriter(gathering, new PooledOpaqueScope());
        try
        {
            writer.WriteOpaque(value, maxLength: 9_999);
            Assert.Fail("written past its maximum");
        }
        catch (ArgumentOutOfRangeException)
        {
        }

        writer.Flush();
        Assert.Equal(0, gathering.References);
        Assert.Empty(gathering.Bytes());
    }
}
