using System.Buffers;
using System.Runtime.CompilerServices;

namespace NetRpc.Xdr;

/// <summary>
/// Reads XDR (RFC 4506) values from a span or from a multi-segment <see cref="ReadOnlySequence{T}"/>
/// (what System.IO.Pipelines hands out). Reading a primitive allocates nothing.
/// </summary>
/// <remarks>
/// <para>Every byte is treated as hostile. A claimed length is checked against the declared maximum and
/// against the bytes that remain <em>before</em> anything is allocated; padding must be zero; a bool must be
/// 0 or 1; nesting is bounded by <see cref="XdrReaderOptions.MaxDepth"/>. Any malformed input raises
/// <see cref="XdrException"/>, carrying the offset of the bad item and what was expected; nothing else
/// escapes for bad data.</para>
/// <para>This is a mutable <see langword="ref"/> struct: always pass it by <see langword="ref"/>.
/// After an <see cref="XdrException"/> its position is unspecified; discard it.</para>
/// </remarks>
public ref partial struct XdrReader
{
    // The input is walked one contiguous segment at a time: _span is the current segment, _index the
    // position in it. Values straddling a segment boundary take a slow path that copies them out.
    private ReadOnlySpan<byte> _span;
    private int _index;
    private long _spanStart;
    private readonly long _length;
    private readonly ReadOnlySequence<byte> _sequence;
    private SequencePosition _nextSegment;

    private readonly bool _allowNonZeroPadding;
    private readonly bool _replaceInvalidUtf8;
    private readonly bool _strictUtf8;
    private readonly bool _strictEnums;
    private readonly int _maxDepth;
    private int _depth;

    // Where ReadPooledOpaque may lend slices instead of copying (contiguous input only), and where its values are recorded.
    private readonly XdrSharedBuffer? _lender;
    private readonly int _lenderOffset;
    private readonly PooledOpaqueScope? _scope;

    /// <summary>Creates a reader over contiguous input.</summary>
    /// <param name="input">The XDR bytes.</param>
    /// <param name="options">Strictness and limits; <see langword="null"/> means <see cref="XdrReaderOptions.Default"/>.</param>
    public XdrReader(ReadOnlySpan<byte> input, XdrReaderOptions? options = null)
    {
        _span = input;
        _length = input.Length;
        options ??= XdrReaderOptions.Default;
        _allowNonZeroPadding = options.AllowNonZeroPadding;
        _replaceInvalidUtf8 = options.ReplaceInvalidUtf8;
        _strictUtf8 = options.StrictUtf8;
        _strictEnums = options.StrictEnums;
        _maxDepth = options.MaxDepth;
    }

    /// <summary>
    /// Creates a reader over contiguous input that <see cref="ReadPooledOpaque"/> may lend slices of, when it lies in
    /// <paramref name="buffer"/>, instead of copying them; each value it returns is also added to <paramref name="scope"/>.
    /// </summary>
    /// <param name="input">The XDR bytes.</param>
    /// <param name="buffer">The shared buffer <paramref name="input"/> lies in; null, or another buffer, means values are copied.</param>
    /// <param name="scope">Where pooled values are recorded, to be disposed with the message; null means the caller disposes them.</param>
    /// <param name="options">Strictness and limits; <see langword="null"/> means <see cref="XdrReaderOptions.Default"/>.</param>
    public XdrReader(ReadOnlyMemory<byte> input, XdrSharedBuffer? buffer, PooledOpaqueScope? scope, XdrReaderOptions? options = null)
        : this(input.Span, options)
    {
        if (buffer is not null && buffer.Contains(input, out int offset))
        {
            _lender = buffer;
            _lenderOffset = offset;
        }

        _scope = scope;
    }

    /// <summary>Creates a reader over input that may be split into several segments.</summary>
    /// <param name="input">The XDR bytes.</param>
    /// <param name="options">Strictness and limits; <see langword="null"/> means <see cref="XdrReaderOptions.Default"/>.</param>
    public XdrReader(ReadOnlySequence<byte> input, XdrReaderOptions? options = null)
        : this(ReadOnlySpan<byte>.Empty, options)
    {
        _length = input.Length;
        if (input.IsSingleSegment)
        {
            _span = input.FirstSpan;
            return;
        }

        _sequence = input;
        _nextSegment = input.Start;
        MoveToNextSegment();
    }

    /// <summary>The number of bytes read so far: the offset of the next item from the start of the input.</summary>
    public readonly long Position => _spanStart + _index;

    /// <summary>The number of bytes not yet read.</summary>
    public readonly long Remaining => _length - (_spanStart + _index);

    /// <summary>
    /// Whether an enum value its declaration does not list must be rejected (<see cref="XdrReaderOptions.StrictEnums"/>):
    /// when true, throw <see cref="InvalidEnumValue"/> for one; when false, keep it.
    /// </summary>
    public readonly bool StrictEnums => _strictEnums;

    /// <summary>How deep the reader is inside nested optional data and arrays.</summary>
    public readonly int Depth => _depth;

    /// <summary>Fails unless every byte of the input has been read.</summary>
    /// <exception cref="XdrException">Bytes remain (<see cref="XdrError.TrailingData"/>).</exception>
    public readonly void EnsureEnd()
    {
        long remaining = Remaining;
        if (remaining != 0)
        {
            ThrowHelper.TrailingData(Position, remaining);
        }
    }

    /// <summary>Fails unless at least <paramref name="byteCount"/> bytes remain. Call it before allocating for a fixed-size item.</summary>
    /// <param name="byteCount">The bytes the next item needs.</param>
    /// <param name="what">What the bytes are for, used in the error message (for example "int[1000]").</param>
    /// <exception cref="XdrException">Fewer bytes remain (<see cref="XdrError.Truncated"/>).</exception>
    public readonly void EnsureRemaining(long byteCount, string what)
    {
        long remaining = Remaining;
        if (byteCount > remaining)
        {
            ThrowHelper.Truncated(Position, what, byteCount, remaining);
        }
    }

    /// <summary>
    /// Enters one level of nesting (optional data, an array, or a recursive type's own recursion).
    /// Pair each call with <see cref="ExitNested"/>. The reader's own optional and array methods do this already.
    /// </summary>
    /// <exception cref="XdrException">The nesting exceeds <see cref="XdrReaderOptions.MaxDepth"/> (<see cref="XdrError.DepthExceeded"/>).</exception>
    public void EnterNested()
    {
        if (++_depth > _maxDepth)
        {
            ThrowHelper.DepthExceeded(Position, _maxDepth);
        }
    }

    /// <summary>Leaves a level of nesting entered with <see cref="EnterNested"/>.</summary>
    public void ExitNested() => _depth--;

    /// <summary>
    /// Makes the exception for an enum value that its declaration does not list. Call it right after reading
    /// the value, and throw what it returns.
    /// </summary>
    /// <param name="typeName">The enum's name in the .x file.</param>
    /// <param name="value">The value read.</param>
    /// <returns>An exception pointing at the value.</returns>
    public readonly XdrException InvalidEnumValue(string typeName, int value) =>
        new(XdrError.InvalidEnumValue, Position - 4, $"a value of enum {typeName}", value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Makes the exception for a union discriminant that selects no arm of a union without a default arm.
    /// Call it right after reading the discriminant, and throw what it returns.
    /// </summary>
    /// <param name="typeName">The union's name in the .x file.</param>
    /// <param name="discriminant">The discriminant read.</param>
    /// <returns>An exception pointing at the discriminant.</returns>
    public readonly XdrException InvalidDiscriminant(string typeName, long discriminant) =>
        new(XdrError.InvalidDiscriminant, Position - 4, $"a discriminant with an arm in union {typeName}", discriminant.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The number of padding bytes after <paramref name="length"/> bytes of data (RFC 4506 section 3).</summary>
    internal static int PaddingOf(long length) => (int)(-length & 3);

    /// <summary>Copies the next <c>destination.Length</c> bytes out; the caller has checked they exist.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReadRaw(scoped Span<byte> destination)
    {
        ReadOnlySpan<byte> span = _span;
        int index = _index;
        if (span.Length - index >= destination.Length)
        {
            span.Slice(index, destination.Length).CopyTo(destination);
            _index = index + destination.Length;
            return;
        }

        ReadRawAcrossSegments(destination);
    }

    private void ReadRawAcrossSegments(scoped Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_index == _span.Length && !MoveToNextSegment())
            {
                // Unreachable when callers check Remaining first; kept so a bug cannot read past the end.
                ThrowHelper.Truncated(Position, "data", destination.Length, 0);
            }

            int n = Math.Min(destination.Length, _span.Length - _index);
            _span.Slice(_index, n).CopyTo(destination);
            _index += n;
            destination = destination.Slice(n);
        }
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes, failing with <see cref="XdrError.Truncated"/> if they are not there.</summary>
    private void ReadExact(scoped Span<byte> destination, string what)
    {
        EnsureRemaining(destination.Length, what);
        ReadRaw(destination);
    }

    /// <summary>Moves to the next non-empty segment of a multi-segment input.</summary>
    private bool MoveToNextSegment()
    {
        while (_sequence.TryGet(ref _nextSegment, out ReadOnlyMemory<byte> memory))
        {
            if (memory.Length != 0)
            {
                _spanStart += _span.Length;
                _span = memory.Span;
                _index = 0;
                return true;
            }
        }

        return false;
    }

    /// <summary>The next <paramref name="count"/> bytes as one span if they lie in the current segment.</summary>
    private readonly bool TryPeekContiguous(int count, out ReadOnlySpan<byte> bytes)
    {
        if (_span.Length - _index >= count)
        {
            bytes = _span.Slice(_index, count);
            return true;
        }

        bytes = default;
        return false;
    }
}
