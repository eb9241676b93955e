using System.Buffers.Binary;
using System.Text;
using NetRpc.Bench.Protocol;
using NetRpc.Xdr.Tests.Support;
using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

/// <summary>
/// Every byte may be malicious. Whatever arrives, a decode either succeeds or raises XdrException:
/// never IndexOutOfRange, Overflow, OutOfMemory, a stack overflow, or a huge allocation.
/// </summary>
public class HostileInputTests
{
    private static readonly XdrError[] EndOfInput = [XdrError.Truncated, XdrError.LengthExceedsInput];

    public static TheoryData<string> Messages() => new(Corpus().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Truncation_at_every_offset_is_an_end_of_input_error(string name)
    {
        (_, byte[] wire, Decoder decode) = Corpus().Single(c => c.Name == name);
        for (int length = 0; length < wire.Length; length++)
        {
            byte[] prefix = wire[..length];
            XdrException e = Assert.Throws<XdrException>(() => decode.Span(prefix));
            Assert.Contains(e.Error, EndOfInput);
            Assert.InRange(e.Offset, 0, length);

            e = Assert.Throws<XdrException>(() => decode.Sequence(ByteBySegment(prefix)));
            Assert.Contains(e.Error, EndOfInput);
        }
    }

    [Theory]
    [InlineData(0xFFFFFFF0u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData(97u)]
    public void A_huge_claimed_length_fails_at_once_and_allocates_nothing(uint claimed)
    {
        byte[] message = new byte[100];
        BinaryPrimitives.WriteUInt32BigEndian(message, claimed);

        foreach (ReadFunc<object> read in new ReadFunc<object>[]
        {
            (ref XdrReader r) => r.ReadOpaque(),
            (ref XdrReader r) => r.ReadString(),
            (ref XdrReader r) => r.ReadStringBytes(),
            (ref XdrReader r) => r.ReadInt32Array(),
            (ref XdrReader r) => r.ReadDoubleArray(),
            (ref XdrReader r) => r.ReadArray<Point>(),
            (ref XdrReader r) => r.ReadArray<Shape>(),
            (ref XdrReader r) => r.ReadArrayCount(uint.MaxValue),
        })
        {
            Assert.Throws<XdrException>(() => Read(message, read)); // warm up the throw path
            long before = GC.GetAllocatedBytesForCurrentThread();
            XdrException e = Assert.Throws<XdrException>(() => Read(message, read));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(XdrError.LengthExceedsInput, e.Error);
            Assert.Equal(0, e.Offset);
            Assert.True(allocated < 8 * 1024, $"allocated {allocated} bytes to refuse a {claimed}-byte claim");
        }
    }

    [Fact]
    public void A_claimed_length_over_the_declared_maximum_fails_before_the_input_check()
    {
        byte[] message = Hex("00000011 00000000");
        XdrException e = Assert.Throws<XdrException>(() => Read(message, (ref XdrReader r) => r.ReadOpaque(16)));
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
    }

    [Fact]
    public void Nonzero_padding_is_refused_at_every_padding_byte()
    {
        // RFC example: padding after "sillyprog" (offsets 13-15) and after "(quit)" (offsets 46-47).
        byte[] wire = XdrCodec.EncodeToArray(new XFile("sillyprog", new FileType(FileKind.Exec, Interpretor: "lisp"), "john", Encoding.ASCII.GetBytes("(quit)")));
        foreach (int offset in new[] { 13, 14, 15, 46, 47 })
        {
            byte[] bad = (byte[])wire.Clone();
            bad[offset] = 0x20;
            XdrException e = Assert.Throws<XdrException>(() => XdrCodec.Decode<XFile>(bad));
            Assert.Equal(XdrError.NonZeroPadding, e.Error);
            Assert.Equal(offset, e.Offset);
            Assert.Equal("sillyprog", XdrCodec.Decode<XFile>(bad, new XdrReaderOptions { AllowNonZeroPadding = true }).Filename);
        }
    }

    [Fact]
    public void Bad_bools_are_refused_wherever_they_are()
    {
        var value = new AllTypes { B = true, Bs = [true, false], Opt = new Point(1, 2), List = Node.FromValues([1]) };
        byte[] wire = XdrCodec.EncodeToArray(value);
        // Find every bool by decoding with a reader that records positions: b at 24, then the array, optional and list flags.
        int[] boolOffsets = BoolOffsets(wire);
        Assert.Equal(24, boolOffsets[0]);
        Assert.True(boolOffsets.Length >= 6);
        foreach (int offset in boolOffsets)
        {
            byte[] bad = (byte[])wire.Clone();
            BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(offset), 2);
            XdrException e = Assert.Throws<XdrException>(() => XdrCodec.Decode<AllTypes>(bad));
            Assert.Equal(XdrError.InvalidBoolean, e.Error);
            Assert.Equal(offset, e.Offset);
        }
    }

    [Fact]
    public void Deep_nesting_is_refused_without_exhausting_the_stack()
    {
        // A million nested "present" flags: tree { 0, left = { 0, left = { ... } } }.
        const int Levels = 1_000_000;
        byte[] wire = new byte[Levels * 8];
        for (int i = 0; i < Levels; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(wire.AsSpan((i * 8) + 4), 1);
        }

        XdrException e = Assert.Throws<XdrException>(() => XdrCodec.Decode<Tree>(wire));
        Assert.Equal(XdrError.DepthExceeded, e.Error);

        // The same through arrays: forest { children<1> = { forest { children<1> = ... } } }.
        byte[] arrays = new byte[Levels * 4];
        for (int i = 0; i < Levels; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(arrays.AsSpan(i * 4), 1);
        }

        e = Assert.Throws<XdrException>(() => XdrCodec.Decode<Forest>(arrays));
        Assert.Equal(XdrError.DepthExceeded, e.Error);
    }

    [Fact]
    public void Mutated_messages_yield_values_or_xdr_exceptions_only_and_bounded_allocation()
    {
        var rng = new Random(20261121);
        var corpus = Corpus().ToArray();
        int rejected = 0;
        for (int i = 0; i < 30_000; i++)
        {
            (string name, byte[] seed, Decoder decode) = corpus[rng.Next(corpus.Length)];
            byte[] input = Mutate(rng, seed, corpus[rng.Next(corpus.Length)].Wire);
            bool segmented = (i & 1) == 1;
            System.Buffers.ReadOnlySequence<byte> sequence = segmented ? ByteBySegment(input) : default;
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = segmented ? decode.Sequence(sequence) : decode.Span(input);
            }
            catch (XdrException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} mutation #{i} ({ToHex(input)}) escaped as {e.GetType().Name}: {e.Message}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= (64 * input.Length) + (64 * 1024), $"{name} mutation #{i}: {allocated} bytes allocated for {input.Length} bytes of input");
        }

        Assert.InRange(rejected, 1_000, 29_999);
    }

    private sealed record Decoder(Func<byte[], object> Span, Func<System.Buffers.ReadOnlySequence<byte>, object> Sequence);

    private static IEnumerable<(string Name, byte[] Wire, Decoder Decode)> Corpus()
    {
        var rng = new Random(7);
        yield return ("rfc4506-file", XdrCodec.EncodeToArray(new XFile("sillyprog", new FileType(FileKind.Exec, Interpretor: "lisp"), "john", Encoding.ASCII.GetBytes("(quit)"))), Of<XFile>());
        yield return ("big_struct", XdrCodec.EncodeToArray(BigStruct.Sample(20)), Of<BigStruct>());
        for (int i = 0; i < 4; i++)
        {
            yield return ($"all_types-{i}", XdrCodec.EncodeToArray(Samples.AllTypes(rng)), Of<AllTypes>());
        }

        yield return ("tree", XdrCodec.EncodeToArray(new Tree { Value = 1, Left = new Tree { Value = 2 }, Right = Tree.LeftChain(3) }), Of<Tree>());
    }

    private static Decoder Of<T>() where T : IXdrCodec<T> =>
        new(input => XdrCodec.Decode<T>(input), sequence => XdrCodec.Decode<T>(sequence));

    /// <summary>Bit flips, byte stores, length-field inflation, truncation, extension and splices.</summary>
    private static byte[] Mutate(Random rng, byte[] seed, byte[] other)
    {
        byte[] data = (byte[])seed.Clone();
        int rounds = rng.Next(1, 4);
        for (int round = 0; round < rounds && data.Length > 0; round++)
        {
            int at = rng.Next(data.Length);
            switch (rng.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    data[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    int word = at & ~3;
                    if (word + 4 <= data.Length)
                    {
                        uint[] interesting = [0, 1, 2, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0, (uint)rng.Next(), (uint)data.Length];
                        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(word), interesting[rng.Next(interesting.Length)]);
                    }

                    break;
                case 3:
                    data = data[..at];
                    break;
                case 4:
                    data = [.. data, .. Samples.Bytes(rng, 1, 16, allowZero: true)];
                    break;
                default:
                    int from = rng.Next(other.Length);
                    data = [.. data[..at], .. other[from..]];
                    break;
            }
        }

        return data;
    }

    /// <summary>The offsets of every bool in an AllTypes encoding, found by reading it field by field.</summary>
    private static int[] BoolOffsets(byte[] wire)
    {
        var offsets = new List<int>();
        var r = new XdrReader(wire);
        r.ReadInt32();
        r.ReadUInt32();
        r.ReadInt64();
        r.ReadUInt64();
        offsets.Add((int)r.Position);
        r.ReadBoolean();
        ColorCodec.Read(ref r);
        r.ReadSingle();
        r.ReadDouble();
        r.ReadQuadruple();
        r.ReadFixedOpaque(5);
        r.ReadOpaque();
        r.ReadString();
        r.ReadStringBytes();
        r.ReadFixedInt32Array(3);
        r.ReadInt64Array();
        r.ReadUInt32Array();
        r.ReadSingleArray();
        r.ReadDoubleArray();
        int bools = r.ReadArrayCount(uint.MaxValue);
        for (int i = 0; i < bools; i++)
        {
            offsets.Add((int)r.Position);
            r.ReadBoolean();
        }

        r.ReadFixedArray<Point>(2);
        r.ReadArray<Point>();
        offsets.Add((int)r.Position);
        r.ReadOptionalValue<Point>();
        Shape.Decode(ref r);
        r.ReadArray<Shape>();
        while (true)
        {
            offsets.Add((int)r.Position);
            if (!r.ReadBoolean())
            {
                break;
            }

            r.ReadInt32();
        }

        r.EnsureEnd();
        return [.. offsets];
    }
}
