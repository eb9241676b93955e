using System.Buffers.Binary;

namespace NetRpc.Fuzz.Engine;

/// <summary>
/// Mutations for XDR and RPC bytes. XDR is a sequence of 4-byte big-endian words whose lengths and counts guard
/// what follows, so besides bit flips and byte sets most mutations work on aligned words: a length replaced by a
/// boundary value, by the bytes that remain, or nudged by a little; truncations; insertions and deletions;
/// splices of two seeds; repeated chunks. One to four mutations are stacked per input.
/// </summary>
internal sealed class ByteMutator(int maxLength) : IMutator
{
    /// <summary>Lengths and counts that sit on a boundary: empty, unaligned, the largest positive, negative, and RPC's own limits.</summary>
    private static readonly uint[] s_boundaryWords =
    [
        0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 255, 256, 400, 401, 1024, 0xFFFF, 0x10000,
        0x7FFF_FFFC, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFC, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ];

    private static readonly byte[] s_interestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF];

    public byte[] Mutate(Random random, byte[] input, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(input);
        int count = 1 + (random.Next(8) switch { < 4 => 0, < 6 => 1, 6 => 2, _ => 3 });
        for (int i = 0; i < count; i++)
        {
            MutateOnce(random, data, seeds);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private static void MutateOnce(Random random, List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        switch (random.Next(14))
        {
            case 0:
                FlipBit(random, data);
                break;
            case 1:
                if (data.Count > 0)
                {
                    data[random.Next(data.Count)] = s_interestingBytes[random.Next(s_interestingBytes.Length)];
                }

                break;
            case 2:
                if (data.Count > 0)
                {
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                }

                break;
            case 3:
            case 4:
                SetWord(random, data, s_boundaryWords[random.Next(s_boundaryWords.Length)]);
                break;
            case 5:
                SetLengthToRemaining(random, data);
                break;
            case 6:
                NudgeWord(random, data);
                break;
            case 7:
                Truncate(random, data);
                break;
            case 8:
                Insert(random, data);
                break;
            case 9:
                Delete(random, data);
                break;
            case 10:
                Splice(random, data, seeds[random.Next(seeds.Count)]);
                break;
            case 11:
                RepeatChunk(random, data);
                break;
            case 12:
                SwapWords(random, data);
                break;
            default:
                InsertWord(random, data, s_boundaryWords[random.Next(s_boundaryWords.Length)]);
                break;
        }
    }

    private static void FlipBit(Random random, List<byte> data)
    {
        if (data.Count > 0)
        {
            int index = random.Next(data.Count);
            data[index] ^= (byte)(1 << random.Next(8));
        }
    }

    /// <summary>A word offset: aligned nine times in ten, since that is where XDR keeps its lengths.</summary>
    private static int WordOffset(Random random, int count)
    {
        if (count < 4)
        {
            return -1;
        }

        return random.Next(10) == 0 ? random.Next(count - 3) : 4 * random.Next(count / 4);
    }

    private static uint ReadWord(List<byte> data, int offset) =>
        (uint)(data[offset] << 24 | data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3]);

    private static void WriteWord(List<byte> data, int offset, uint value)
    {
        data[offset] = (byte)(value >> 24);
        data[offset + 1] = (byte)(value >> 16);
        data[offset + 2] = (byte)(value >> 8);
        data[offset + 3] = (byte)value;
    }

    private static void SetWord(Random random, List<byte> data, uint value)
    {
        int offset = WordOffset(random, data.Count);
        if (offset >= 0)
        {
            WriteWord(data, offset, value);
        }
    }

    /// <summary>A length that claims exactly the bytes after it, or a few more or fewer: the edge a reader's bounds check sits on.</summary>
    private static void SetLengthToRemaining(Random random, List<byte> data)
    {
        int offset = WordOffset(random, data.Count);
        if (offset >= 0)
        {
            long remaining = data.Count - offset - 4;
            long value = random.Next(3) switch
            {
                0 => remaining,
                1 => remaining + random.Next(1, 9),
                _ => remaining - random.Next(1, 9),
            };
            WriteWord(data, offset, (uint)(random.Next(4) == 0 ? value / 4 : value));
        }
    }

    private static void NudgeWord(Random random, List<byte> data)
    {
        int offset = WordOffset(random, data.Count);
        if (offset >= 0)
        {
            int delta = random.Next(1, 17) * (random.Next(2) == 0 ? 1 : -1);
            WriteWord(data, offset, unchecked(ReadWord(data, offset) + (uint)delta));
        }
    }

    private static void Truncate(Random random, List<byte> data)
    {
        if (data.Count > 0)
        {
            int keep = random.Next(2) == 0 ? 4 * random.Next((data.Count + 3) / 4) : random.Next(data.Count);
            data.RemoveRange(keep, data.Count - keep);
        }
    }

    private static void Insert(Random random, List<byte> data)
    {
        int at = random.Next(data.Count + 1);
        int length = random.Next(1, 17);
        byte[] bytes = new byte[length];
        if (random.Next(2) == 0)
        {
            random.NextBytes(bytes);
        }

        data.InsertRange(at, bytes);
    }

    private static void InsertWord(Random random, List<byte> data, uint value)
    {
        int at = data.Count < 4 ? 0 : 4 * random.Next(data.Count / 4 + 1);
        byte[] word = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, value);
        data.InsertRange(Math.Min(at, data.Count), word);
    }

    private static void Delete(Random random, List<byte> data)
    {
        if (data.Count > 0)
        {
            int at = random.Next(data.Count);
            int length = random.Next(2) == 0 ? Math.Min(4, data.Count - at) : random.Next(1, data.Count - at + 1);
            data.RemoveRange(at, length);
        }
    }

    /// <summary>The head of this input and the tail of another, cut at word boundaries.</summary>
    private static void Splice(Random random, List<byte> data, byte[] other)
    {
        int cut = 4 * random.Next(data.Count / 4 + 1);
        int from = 4 * random.Next(other.Length / 4 + 1);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(Math.Min(from, other.Length)));
    }

    /// <summary>A run of words written again many times: long arrays, lists and nesting the seed never had.</summary>
    private static void RepeatChunk(Random random, List<byte> data)
    {
        if (data.Count < 4)
        {
            return;
        }

        int start = 4 * random.Next(data.Count / 4);
        int length = Math.Min(4 * random.Next(1, 9), data.Count - start);
        byte[] chunk = [.. data.GetRange(start, length)];
        int times = random.Next(4) == 0 ? random.Next(64, 1025) : random.Next(2, 17);
        var repeated = new byte[chunk.Length * times];
        for (int i = 0; i < times; i++)
        {
            chunk.CopyTo(repeated, i * chunk.Length);
        }

        data.InsertRange(start, repeated);
    }

    private static void SwapWords(Random random, List<byte> data)
    {
        int a = WordOffset(random, data.Count);
        int b = WordOffset(random, data.Count);
        if (a >= 0 && b >= 0)
        {
            uint first = ReadWord(data, a);
            WriteWord(data, a, ReadWord(data, b));
            WriteWord(data, b, first);
        }
    }
}
