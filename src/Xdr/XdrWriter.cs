using System.Buffers;
using System.Runtime.CompilerServices;

namespace NetRpc.Xdr;

/// <summary>
/// Writes XDR (RFC 4506) values into an <see cref="IBufferWriter{T}"/>. Writing allocates nothing of its
/// own; bytes go straight into the span the buffer writer hands out.
/// </summary>
/// <remarks>
/// <para>For speed the writer fills the buffer writer's span and tells it how much was written
/// (<see cref="IBufferWriter{T}.Advance"/>) only when the span is full or on <see cref="Flush"/>.
/// <b>Call <see cref="Flush"/> when done</b>, and do not touch the buffer writer in between.</para>
/// <para>Declared limits are enforced on the way out too: a value longer than its declared maximum, or a
/// fixed-length item of the wrong length, is refused with an <see cref="ArgumentException"/> and nothing
/// of it is written.</para>
/// <para>This is a mutable <see langword="ref"/> struct: always pass it by <see langword="ref"/>.</para>
/// </remarks>
public ref partial struct XdrWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;
    private long _committed;
    private readonly int _maxDepth;
    private int _depth;
    private readonly PooledOpaqueScope? _scope;

    /// <summary>
    /// The length from which the bytes of a <see cref="PooledOpaque"/> are offered to an <see cref="IXdrGatheringWriter"/>
    /// by reference: below it a copy costs less than sending one more buffer.
    /// </summary>
    public const int MinimumGatheredLength = 4096;

    /// <summary>Creates a writer.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="options">Limits; <see langword="null"/> means <see cref="XdrWriterOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public XdrWriter(IBufferWriter<byte> output, XdrWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _maxDepth = (options ?? XdrWriterOptions.Default).MaxDepth;
    }

    /// <summary>Creates a writer that adds each <see cref="PooledOpaque"/> it writes to <paramref name="scope"/>, to be disposed with the message.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="scope">Where written pooled values are recorded; null means they are left to their owner.</param>
    /// <param name="options">Limits; <see langword="null"/> means <see cref="XdrWriterOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public XdrWriter(IBufferWriter<byte> output, PooledOpaqueScope? scope, XdrWriterOptions? options = null)
        : this(output, options)
    {
        _scope = scope;
    }

    /// <summary>Bytes handed to the buffer writer so far (by <see cref="Flush"/> or when a span filled up).</summary>
    public readonly long BytesCommitted => _committed;

    /// <summary>Bytes written but not yet handed to the buffer writer; <see cref="Flush"/> hands them over.</summary>
    public readonly int BytesPending => _buffered;

    /// <summary>All bytes written: <see cref="BytesCommitted"/> plus <see cref="BytesPending"/>.</summary>
    public readonly long BytesWritten => _committed + _buffered;

    /// <summary>Hands the bytes written so far to the buffer writer.</summary>
    public void Flush()
    {
        if (_buffered != 0)
        {
            _output.Advance(_buffered);
            _committed += _buffered;
            _buffered = 0;
        }

        _span = default;
    }

    /// <summary>
    /// Enters one level of nesting (optional data, an array, or a recursive type's own recursion). Pair each
    /// call with <see cref="ExitNested"/>. The writer's own optional and array methods do this already.
    /// </summary>
    /// <exception cref="ArgumentException">The nesting exceeds <see cref="XdrWriterOptions.MaxDepth"/>: the value is too deep or cyclic.</exception>
    public void EnterNested()
    {
        if (++_depth > _maxDepth)
        {
            ThrowHelper.EncodeDepthExceeded(_maxDepth);
        }
    }

    /// <summary>Leaves a level of nesting entered with <see cref="EnterNested"/>.</summary>
    public void ExitNested() => _depth--;

    /// <summary>A writable span of at least <paramref name="size"/> bytes at the current position; <see cref="Commit"/> then says how many were used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int size)
    {
        if (_span.Length - _buffered < size)
        {
            Grow(size);
        }

        return _span.Slice(_buffered);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Commit(int count) => _buffered += count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        Flush();
        Span<byte> span = _output.GetSpan(size);
        if (span.Length < size)
        {
            ThrowHelper.BufferWriterTooSmall(size, span.Length);
        }

        _span = span;
    }

    /// <summary>The total size of a counted item (length prefix, data, padding), refusing sizes no buffer can hold.</summary>
    private static int CountedSize(int dataLength)
    {
        long size = sizeof(uint) + (long)dataLength + XdrReader.PaddingOf(dataLength);
        if (size > int.MaxValue)
        {
            ThrowHelper.MessageTooLarge(size);
        }

        return (int)size;
    }
}
