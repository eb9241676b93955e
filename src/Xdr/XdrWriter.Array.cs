using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetRpc.Xdr;

public ref partial struct XdrWriter
{
    /// <summary>
    /// Writes the element count of a variable-length array <c>T name&lt;maxCount&gt;</c> (RFC 4506 section 4.13),
    /// for callers that write the elements themselves.
    /// </summary>
    /// <param name="count">The element count.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or exceeds <paramref name="maxCount"/>.</exception>
    public void WriteArrayCount(int count, uint maxCount = uint.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((uint)count > maxCount)
        {
            ThrowHelper.CountTooLarge(nameof(count), "array", count, maxCount);
        }

        WriteInt32(count);
    }

    /// <summary>Writes a variable-length array <c>T name&lt;maxCount&gt;</c> of any XDR type.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentException">There are more than <paramref name="maxCount"/> elements, or an element breaks its own limits.</exception>
    public void WriteArray<T>(ReadOnlySpan<T> values, uint maxCount = uint.MaxValue) where T : IXdrCodec<T>
    {
        if ((uint)values.Length > maxCount)
        {
            ThrowHelper.CountTooLarge(nameof(values), "array", values.Length, maxCount);
        }

        WriteInt32(values.Length);
        WriteElements(values);
    }

    /// <summary>Writes a fixed-length array <c>T name[count]</c> (RFC 4506 section 4.12) of any XDR type: the elements, no count.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements, or an element breaks its own limits.</exception>
    public void WriteFixedArray<T>(ReadOnlySpan<T> values, int count) where T : IXdrCodec<T>
    {
        if (values.Length != count)
        {
            ThrowHelper.WrongFixedLength(nameof(values), "array", values.Length, count);
        }

        WriteElements(values);
    }

    private void WriteElements<T>(ReadOnlySpan<T> values) where T : IXdrCodec<T>
    {
        if (values.IsEmpty)
        {
            return;
        }

        EnterNested();
        for (int i = 0; i < values.Length; i++)
        {
            T value = values[i];
            if (value is null)
            {
                // An element, like a field, has no null on the wire: say which one, rather than NullReferenceException.
                ThrowHelper.ValueNull($"values[{i}]");
            }

            value.Encode(ref this);
        }

        ExitNested();
    }

    /// <summary>Writes a value of any XDR type through its codec.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="value">The value; not null (optional data is <see cref="WriteOptional{T}"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">The value breaks a declared limit.</exception>
    public void Write<T>(T value) where T : IXdrCodec<T>
    {
        if (value is null)
        {
            ThrowHelper.ValueNull(nameof(value));
        }

        value.Encode(ref this);
    }

    /// <summary>Writes optional data <c>T *name</c> (RFC 4506 section 4.19): FALSE for null, else TRUE and the value.</summary>
    /// <typeparam name="T">A reference type.</typeparam>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The value breaks a declared limit, or nests deeper than <see cref="XdrWriterOptions.MaxDepth"/>.</exception>
    public void WriteOptional<T>(T? value) where T : class, IXdrCodec<T>
    {
        if (value is null)
        {
            WriteInt32(0);
            return;
        }

        WriteInt32(1);
        EnterNested();
        value.Encode(ref this);
        ExitNested();
    }

    /// <summary>Writes optional data <c>T *name</c> of a value type.</summary>
    /// <typeparam name="T">A value type.</typeparam>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The value breaks a declared limit, or nests deeper than <see cref="XdrWriterOptions.MaxDepth"/>.</exception>
    public void WriteOptionalValue<T>(in T? value) where T : struct, IXdrCodec<T>
    {
        if (!value.HasValue)
        {
            WriteInt32(0);
            return;
        }

        WriteInt32(1);
        EnterNested();
        value.GetValueOrDefault().Encode(ref this);
        ExitNested();
    }

    /// <summary>
    /// Writes a linked list (see <see cref="XdrReader.ReadList{T}"/>): TRUE and a node's fields for each node,
    /// then FALSE. It loops instead of recursing, so a list of any length costs no stack; a cyclic list is
    /// detected (Brent's algorithm, constant extra work per node) and refused rather than written forever.
    /// </summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="head">The first node, or <see langword="null"/> for an empty list.</param>
    /// <exception cref="ArgumentException">The list is cyclic, or a node breaks a declared limit.</exception>
    public void WriteList<T>(T? head) where T : class, IXdrListNode<T>
    {
        T? node = head;
        T? mark = null;
        int steps = 0;
        int stride = 1;
        while (node is not null)
        {
            WriteInt32(1);
            node.EncodeNodeFields(ref this);
            node = node.Next;
            if (node is not null && ReferenceEquals(node, mark))
            {
                ThrowHelper.ListCycle();
            }

            if (++steps == stride)
            {
                mark = node;
                steps = 0;
                stride <<= 1;
            }
        }

        WriteInt32(0);
    }

    /// <summary>Writes a variable-length array of XDR <c>int</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteInt32Array(ReadOnlySpan<int> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>int</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedInt32Array(ReadOnlySpan<int> values, int count) => WriteFixedPrimitiveArray(values, count);

    /// <summary>Writes a variable-length array of XDR <c>unsigned int</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteUInt32Array(ReadOnlySpan<uint> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>unsigned int</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedUInt32Array(ReadOnlySpan<uint> values, int count) => WriteFixedPrimitiveArray(values, count);

    /// <summary>Writes a variable-length array of XDR <c>hyper</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteInt64Array(ReadOnlySpan<long> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>hyper</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedInt64Array(ReadOnlySpan<long> values, int count) => WriteFixedPrimitiveArray(values, count);

    /// <summary>Writes a variable-length array of XDR <c>unsigned hyper</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteUInt64Array(ReadOnlySpan<ulong> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>unsigned hyper</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedUInt64Array(ReadOnlySpan<ulong> values, int count) => WriteFixedPrimitiveArray(values, count);

    /// <summary>Writes a variable-length array of XDR <c>float</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteSingleArray(ReadOnlySpan<float> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>float</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedSingleArray(ReadOnlySpan<float> values, int count) => WriteFixedPrimitiveArray(values, count);

    /// <summary>Writes a variable-length array of XDR <c>double</c> in bulk.</summary>
    /// <param name="values">The elements.</param>
    /// <param name="maxCount">The declared maximum; <see cref="uint.MaxValue"/> for <c>&lt;&gt;</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">There are more than <paramref name="maxCount"/> elements.</exception>
    public void WriteDoubleArray(ReadOnlySpan<double> values, uint maxCount = uint.MaxValue) => WritePrimitiveArray(values, maxCount);

    /// <summary>Writes a fixed-length array of XDR <c>double</c> in bulk.</summary>
    /// <param name="values">The elements; there must be exactly <paramref name="count"/>.</param>
    /// <param name="count">The declared length.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly <paramref name="count"/> elements.</exception>
    public void WriteFixedDoubleArray(ReadOnlySpan<double> values, int count) => WriteFixedPrimitiveArray(values, count);

    private void WritePrimitiveArray<T>(ReadOnlySpan<T> values, uint maxCount) where T : unmanaged
    {
        if ((uint)values.Length > maxCount)
        {
            ThrowHelper.CountTooLarge(nameof(values), "array", values.Length, maxCount);
        }

        WriteInt32(values.Length);
        WritePrimitives(values);
    }

    private void WriteFixedPrimitiveArray<T>(ReadOnlySpan<T> values, int count) where T : unmanaged
    {
        if (values.Length != count)
        {
            ThrowHelper.WrongFixedLength(nameof(values), "array", values.Length, count);
        }

        WritePrimitives(values);
    }

    /// <summary>Writes 4- or 8-byte values big-endian in one block (a vectorised byte swap on little-endian machines).</summary>
    private void WritePrimitives<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        long byteCount = (long)values.Length * Unsafe.SizeOf<T>();
        if (byteCount > int.MaxValue)
        {
            ThrowHelper.MessageTooLarge(byteCount);
        }

        int size = (int)byteCount;
        Span<byte> span = Reserve(size).Slice(0, size);
        if (!BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(span);
        }
        else if (Unsafe.SizeOf<T>() == sizeof(int))
        {
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, int>(values), MemoryMarshal.Cast<byte, int>(span));
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, long>(values), MemoryMarshal.Cast<byte, long>(span));
        }

        Commit(size);
    }
}
