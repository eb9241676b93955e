namespace NetRpc.RpcGen.Diagnostics;

/// <summary>
/// Collects the diagnostics of one compilation. It keeps at most <see cref="MaxErrors"/> errors, so hostile
/// input (binary junk, say) cannot produce an unbounded list; past the cap it records one final error and
/// <see cref="IsFull"/> tells the stages to stop.
/// </summary>
public sealed class DiagnosticBag
{
    /// <summary>The most errors one compilation reports.</summary>
    public const int MaxErrors = 100;

    private readonly List<Diagnostic> _diagnostics = [];
    private int _errors;

    /// <summary>Everything reported so far, in the order reported.</summary>
    public IReadOnlyList<Diagnostic> All => _diagnostics;

    /// <summary>True once an error has been reported.</summary>
    public bool HasErrors => _errors > 0;

    /// <summary>True once <see cref="MaxErrors"/> errors have been reported; stages stop then.</summary>
    public bool IsFull => _errors >= MaxErrors;

    /// <summary>Reports a diagnostic (ignored once the bag is full).</summary>
    /// <param name="diagnostic">The diagnostic.</param>
    public void Add(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        if (IsFull)
        {
            return;
        }

        _diagnostics.Add(diagnostic);
        if (diagnostic.Severity == DiagnosticSeverity.Error && ++_errors == MaxErrors)
        {
            _diagnostics.Add(DiagnosticDescriptors.TooManyErrors.At(diagnostic.Location, $"too many errors ({MaxErrors}); stopping"));
        }
    }

    /// <summary>Takes back every diagnostic after the first <paramref name="count"/>: the preprocessor undoes an endless include recursion, and what its reads reported with it.</summary>
    internal void Truncate(int count)
    {
        _diagnostics.RemoveRange(count, _diagnostics.Count - count);
        _errors = _diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>Reports a diagnostic of the given kind.</summary>
    /// <param name="descriptor">The kind.</param>
    /// <param name="location">Where.</param>
    /// <param name="message">What.</param>
    public void Add(DiagnosticDescriptor descriptor, SourceLocation location, string message) => Add(descriptor.At(location, message));
}
