namespace NetRpc.Xdr;

/// <summary>Limits an <see cref="XdrWriter"/> applies to what it is asked to write.</summary>
public sealed record class XdrWriterOptions
{
    /// <summary>Default options: depth limited to <see cref="XdrReaderOptions.DefaultMaxDepth"/>.</summary>
    public static XdrWriterOptions Default { get; } = new();

    /// <summary>
    /// The deepest nesting of optional data and arrays the writer follows before failing with an
    /// <see cref="ArgumentException"/>. It stops a cyclic object graph from overflowing the stack.
    /// Default: <see cref="XdrReaderOptions.DefaultMaxDepth"/>.
    /// </summary>
    public int MaxDepth
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxDepth must be positive.");
    } = XdrReaderOptions.DefaultMaxDepth;
}
