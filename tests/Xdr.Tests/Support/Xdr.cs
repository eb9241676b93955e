using System.Buffers;

namespace NetRpc.Xdr.Tests.Support;

internal delegate void WriteAction(ref XdrWriter writer);

internal delegate T ReadFunc<T>(ref XdrReader reader);

/// <summary>Small conveniences for tests: write into bytes, read from bytes, hex both ways, segmented input.</summary>
internal static class Xdr
{
    public static byte[] Write(WriteAction action, XdrWriterOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer, options);
        action(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one item that must fill the whole input.</summary>
    public static T Read<T>(byte[] bytes, ReadFunc<T> read, XdrReaderOptions? options = null)
    {
        var reader = new XdrReader(bytes, options);
        T value = read(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Reads one item from <paramref name="sequence"/>, which must hold nothing more.</summary>
    public static T Read<T>(ReadOnlySequence<byte> sequence, ReadFunc<T> read, XdrReaderOptions? options = null)
    {
        var reader = new XdrReader(sequence, options);
        T value = read(ref reader);
        reader.EnsureEnd();
        return value;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>The bytes split into segments at the given offsets (empty segments allowed).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, params int[] cuts)
    {
        var pieces = new List<byte[]>();
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(data[start..cut]);
            start = cut;
        }

        pieces.Add(data[start..]);
        return Chain(pieces);
    }

    /// <summary>One segment per byte, with an empty segment between every two.</summary>
    public static ReadOnlySequence<byte> ByteBySegment(byte[] data)
    {
        var pieces = new List<byte[]>();
        foreach (byte b in data)
        {
            pieces.Add([b]);
            pieces.Add([]);
        }

        return Chain(pieces);
    }

    private static ReadOnlySequence<byte> Chain(List<byte[]> pieces)
    {
        if (pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(pieces[0], 0);
        Segment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
