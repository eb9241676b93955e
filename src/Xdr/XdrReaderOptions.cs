namespace NetRpc.Xdr;

/// <summary>How strictly an <see cref="XdrReader"/> treats its input. The defaults follow RFC 4506 to the letter.</summary>
public sealed record class XdrReaderOptions
{
    /// <summary>The default depth limit: deep enough for every real protocol, far from the stack's end.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Strict options: zero padding required, invalid UTF-8 rejected, depth limited to <see cref="DefaultMaxDepth"/>.</summary>
    public static XdrReaderOptions Default { get; } = new();

    /// <summary>
    /// Accept non-zero padding bytes. RFC 4506 section 3 requires zeros and the reader rejects anything
    /// else by default; libtirpc never checks, so a peer built on it may send junk there. Default: false.
    /// </summary>
    public bool AllowNonZeroPadding { get; init; }

    /// <summary>
    /// Replace invalid UTF-8 in strings read as text with U+FFFD instead of failing with
    /// <see cref="XdrError.InvalidUtf8"/>. Protocols whose strings carry arbitrary bytes (NFS file names)
    /// should read them with <see cref="XdrReader.ReadStringBytes"/> instead. Default: false.
    /// </summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>
    /// The deepest nesting of optional data and arrays the reader follows before failing with
    /// <see cref="XdrError.DepthExceeded"/>; guards real recursion. Linked lists read with
    /// <see cref="XdrReader.ReadList{T}"/> do not count against it, however long. Default: <see cref="DefaultMaxDepth"/>.
    /// </summary>
    public int MaxDepth
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxDepth must be positive.");
    } = DefaultMaxDepth;
}
