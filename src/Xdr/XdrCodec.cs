using System.Buffers;

namespace NetRpc.Xdr;

/// <summary>Encodes and decodes whole values of any <see cref="IXdrCodec{TSelf}"/> type.</summary>
public static class XdrCodec
{
    /// <summary>
    /// A fixed-length array whose elements are each a value of their own (generated code's default for
    /// <c>T x[n]</c> when T's default is not null: a string, a struct, an array), so that a new value encodes.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="count">The array's length.</param>
    /// <param name="create">Makes one element.</param>
    /// <returns>The array.</returns>
    public static T[] Filled<T>(int count, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var items = new T[count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = create();
        }

        return items;
    }

    /// <summary>Writes a value into a buffer writer and flushes it.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="options">Limits; <see langword="null"/> means the defaults.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The value breaks a declared limit.</exception>
    public static long Encode<T>(in T value, IBufferWriter<byte> output, XdrWriterOptions? options = null) where T : IXdrCodec<T>
    {
        var writer = new XdrWriter(output, options);
        value.Encode(ref writer);
        writer.Flush();
        return writer.BytesCommitted;
    }

    /// <summary>Writes a value into a new array.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="options">Limits; <see langword="null"/> means the defaults.</param>
    /// <returns>The XDR bytes.</returns>
    /// <exception cref="ArgumentException">The value breaks a declared limit.</exception>
    public static byte[] EncodeToArray<T>(in T value, XdrWriterOptions? options = null) where T : IXdrCodec<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(value, buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a value that must fill the whole input.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="input">The XDR bytes.</param>
    /// <param name="options">Strictness and limits; <see langword="null"/> means the defaults.</param>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input is not exactly one valid encoding of <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> input, XdrReaderOptions? options = null) where T : IXdrCodec<T>
    {
        var reader = new XdrReader(input, options);
        T value = T.Decode(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Reads a value that must fill the whole, possibly multi-segment, input.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="input">The XDR bytes.</param>
    /// <param name="options">Strictness and limits; <see langword="null"/> means the defaults.</param>
    /// <returns>The value.</returns>
    /// <exception cref="XdrException">The input is not exactly one valid encoding of <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlySequence<byte> input, XdrReaderOptions? options = null) where T : IXdrCodec<T>
    {
        var reader = new XdrReader(input, options);
        T value = T.Decode(ref reader);
        reader.EnsureEnd();
        return value;
    }
}
