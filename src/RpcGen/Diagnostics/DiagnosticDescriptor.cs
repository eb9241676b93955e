namespace NetRpc.RpcGen.Diagnostics;

/// <summary>A kind of diagnostic: a stable code, a severity and a one-line title (listed in docs/diagnostics.md).</summary>
/// <param name="Code">The code, <c>RPCG</c> and four digits: 0xxx input and syntax, 1xxx preprocessor, 2xxx meaning, 3xxx names taken on trust, 4xxx the C# generator, 5xxx the compatibility checker.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Title">What the code means, in a line.</param>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title)
{
    /// <summary>A diagnostic of this kind.</summary>
    /// <param name="location">Where.</param>
    /// <param name="message">What, specifically.</param>
    /// <returns>The diagnostic.</returns>
    public Diagnostic At(SourceLocation location, string message) => new(this, location, message);
}
