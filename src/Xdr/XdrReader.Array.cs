using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetRpc.Xdr;

public ref partial struct XdrReader
{
    /// <summary>
    /// Reads the element count of a variable-length array <c>T name&lt;maxCount&gt;</c> (RFC 4506 section 4.13)
    /// and checks it, before the caller allocates, against the declared maximum and against the input:
    /// <paramref name="minElementSize"/> times the count must fit in what remains.
    /// </summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <param name="minElementSize">The fewest bytes one element occupies (4 for every primitive; values below 1 count as 1).</param>
    /// <returns>The element count.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or what the input can hold, or the input ends first.</exception>
    public int ReadArrayCount(uint maxCount, int minElementSize = 4)
    {
        long start = Position;
        uint count = ReadUInt32();
        if (count > maxCount)
        {
            ThrowHelper.LengthExceedsMaximum(start, "an array element count", count, maxCount);
        }

        ulong needed = count * (ulong)Math.Max(minElementSize, 1);
        if (needed > (ulong)Remaining)
        {
            ThrowHelper.LengthExceedsInput(start, "an array element count", count, needed, Remaining);
        }

        if (count > (uint)Array.MaxLength)
        {
            ThrowHelper.LengthExceedsPlatform(start, "an array element count", count);
        }

        return (int)count;
    }

    /// <summary>Reads a variable-length array <c>T name&lt;maxCount&gt;</c> of any XDR type.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding of the array.</exception>
    public T[] ReadArray<T>(uint maxCount = uint.MaxValue) where T : IXdrCodec<T>
    {
        int count = ReadArrayCount(maxCount, T.MinEncodedSize);
        return ReadElements<T>(count);
    }

    /// <summary>Reads a fixed-length array <c>T name[count]</c> (RFC 4506 section 4.12) of any XDR type.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="XdrException">The input is not a valid encoding of the array.</exception>
    public T[] ReadFixedArray<T>(int count) where T : IXdrCodec<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        EnsureRemaining(count * (long)Math.Max(T.MinEncodedSize, 1), "a fixed-length array");
        return ReadElements<T>(count);
    }

    private T[] ReadElements<T>(int count) where T : IXdrCodec<T>
    {
        if (count == 0)
        {
            return [];
        }

        var result = new T[count];
        EnterNested();
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = T.Decode(ref this);
        }

        ExitNested();
        return result;
    }

    /// <summary>Reads optional data <c>T *name</c> (RFC 4506 section 4.19): a bool, then the value if TRUE.</summary>
    /// <typeparam name="T">A reference type.</typeparam>
    /// <returns>The value, or <see langword="null"/>.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding, or nesting exceeds <see cref="XdrReaderOptions.MaxDepth"/>.</exception>
    public T? ReadOptional<T>() where T : class, IXdrCodec<T>
    {
        if (!ReadBoolean())
        {
            return null;
        }

        EnterNested();
        T value = T.Decode(ref this);
        ExitNested();
        return value;
    }

    /// <summary>Reads optional data <c>T *name</c> of a value type.</summary>
    /// <typeparam name="T">A value type.</typeparam>
    /// <returns>The value, or <see langword="null"/>.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding, or nesting exceeds <see cref="XdrReaderOptions.MaxDepth"/>.</exception>
    public T? ReadOptionalValue<T>() where T : struct, IXdrCodec<T>
    {
        if (!ReadBoolean())
        {
            return null;
        }

        EnterNested();
        T value = T.Decode(ref this);
        ExitNested();
        return value;
    }

    /// <summary>
    /// Reads a linked list, <c>entry *name</c> where <c>entry</c> ends with <c>entry *next</c>: a bool, and while
    /// it is TRUE a node's fields and the next bool. It loops instead of recursing, so a list of any length
    /// costs no stack and no depth; its length is bounded by the input, since each node takes at least 4 bytes.
    /// </summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <returns>The first node, or <see langword="null"/> for an empty list.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding of the list.</exception>
    public T? ReadList<T>() where T : class, IXdrListNode<T>
    {
        if (!ReadBoolean())
        {
            return null;
        }

        T head = T.DecodeNodeFields(ref this);
        T tail = head;
        while (ReadBoolean())
        {
            T node = T.DecodeNodeFields(ref this);
            tail.Next = node;
            tail = node;
        }

        return head;
    }

    /// <summary>Reads a variable-length array of XDR <c>int</c>, <c>int name&lt;maxCount&gt;</c>, in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public int[] ReadInt32Array(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<int>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>int</c>, <c>int name[count]</c>, in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public int[] ReadFixedInt32Array(int count) => ReadFixedPrimitiveArray<int>(count);

    /// <summary>Reads a variable-length array of XDR <c>unsigned int</c> in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public uint[] ReadUInt32Array(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<uint>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>unsigned int</c> in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public uint[] ReadFixedUInt32Array(int count) => ReadFixedPrimitiveArray<uint>(count);

    /// <summary>Reads a variable-length array of XDR <c>hyper</c> in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public long[] ReadInt64Array(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<long>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>hyper</c> in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public long[] ReadFixedInt64Array(int count) => ReadFixedPrimitiveArray<long>(count);

    /// <summary>Reads a variable-length array of XDR <c>unsigned hyper</c> in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public ulong[] ReadUInt64Array(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<ulong>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>unsigned hyper</c> in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public ulong[] ReadFixedUInt64Array(int count) => ReadFixedPrimitiveArray<ulong>(count);

    /// <summary>Reads a variable-length array of XDR <c>float</c> in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public float[] ReadSingleArray(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<float>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>float</c> in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public float[] ReadFixedSingleArray(int count) => ReadFixedPrimitiveArray<float>(count);

    /// <summary>Reads a variable-length array of XDR <c>double</c> in bulk.</summary>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The count exceeds <paramref name="maxCount"/> or the input.</exception>
    public double[] ReadDoubleArray(uint maxCount = uint.MaxValue) => ReadPrimitiveArray<double>(maxCount);

    /// <summary>Reads a fixed-length array of XDR <c>double</c> in bulk.</summary>
    /// <param name="count">The declared length.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="XdrException">The input ends first.</exception>
    public double[] ReadFixedDoubleArray(int count) => ReadFixedPrimitiveArray<double>(count);

    private T[] ReadPrimitiveArray<T>(uint maxCount) where T : unmanaged
    {
        int count = ReadArrayCount(maxCount, Unsafe.SizeOf<T>());
        return ReadPrimitivesUnchecked<T>(count);
    }

    private T[] ReadFixedPrimitiveArray<T>(int count) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        EnsureRemaining(count * (long)Unsafe.SizeOf<T>(), "a fixed-length array");
        return ReadPrimitivesUnchecked<T>(count);
    }

    /// <summary>Copies <paramref name="count"/> big-endian 4- or 8-byte values out in one block and swaps them in place.</summary>
    private T[] ReadPrimitivesUnchecked<T>(int count) where T : unmanaged
    {
        if (count == 0)
        {
            return [];
        }

        T[] result = GC.AllocateUninitializedArray<T>(count);
        ReadRaw(MemoryMarshal.AsBytes(result.AsSpan()));
        if (BitConverter.IsLittleEndian)
        {
            if (Unsafe.SizeOf<T>() == sizeof(int))
            {
                Span<int> words = MemoryMarshal.Cast<T, int>(result.AsSpan());
                BinaryPrimitives.ReverseEndianness(words, words);
            }
            else
            {
                Span<long> words = MemoryMarshal.Cast<T, long>(result.AsSpan());
                BinaryPrimitives.ReverseEndianness(words, words);
            }
        }

        return result;
    }
}
