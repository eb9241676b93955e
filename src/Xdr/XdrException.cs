namespace NetRpc.Xdr;

/// <summary>
/// The input is not valid XDR for the type being read. This is the only exception a decode
/// raises for malformed data, so catching it catches "the peer sent junk" and nothing else;
/// mistakes in the calling code surface as <see cref="ArgumentException"/> or
/// <see cref="InvalidOperationException"/> instead.
/// </summary>
public sealed class XdrException : Exception
{
    /// <summary>Creates an exception describing malformed input.</summary>
    /// <param name="error">The kind of problem.</param>
    /// <param name="offset">Offset, in bytes from the start of the input, of the item that is wrong.</param>
    /// <param name="expected">What the reader expected at <paramref name="offset"/>, for example "a bool (0 or 1)".</param>
    /// <param name="found">What it found instead, or <see langword="null"/> when there is nothing useful to say.</param>
    public XdrException(XdrError error, long offset, string expected, string? found = null)
        : base(FormatMessage(offset, expected, found))
    {
        Error = error;
        Offset = offset;
        Expected = expected;
        Found = found;
    }

    /// <summary>The kind of problem.</summary>
    public XdrError Error { get; }

    /// <summary>Offset, in bytes from the start of the input, of the item that is wrong.</summary>
    public long Offset { get; }

    /// <summary>What the reader expected at <see cref="Offset"/>.</summary>
    public string Expected { get; }

    /// <summary>What the reader found instead, when known.</summary>
    public string? Found { get; }

    private static string FormatMessage(long offset, string expected, string? found) =>
        found is null
            ? $"Malformed XDR at offset {offset}: expected {expected}."
            : $"Malformed XDR at offset {offset}: expected {expected}, found {found}.";
}
