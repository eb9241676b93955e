namespace NetRpc.RpcGen.Diagnostics;

/// <summary>
/// What a host makes of warnings, as the C# compiler's NoWarn, TreatWarningsAsErrors, WarningsAsErrors and
/// WarningsNotAsErrors do: a suppressed warning is not reported; a warning made an error is reported as an error
/// under its own code, and like any error stops generation. Errors are never suppressed or turned into warnings.
/// Codes compare ignoring case, as MSBuild's do.
/// </summary>
public sealed record WarningOptions
{
    /// <summary>Every warning reported as a warning.</summary>
    public static WarningOptions Default { get; } = new();

    /// <summary>The codes of warnings not to report (<c>NoWarn</c>, <c>--nowarn</c>).</summary>
    public IReadOnlyList<string> Suppressed { get; init; } = [];

    /// <summary>Every warning is an error, but those in <see cref="NotAsErrors"/> (<c>TreatWarningsAsErrors</c>, <c>--warnaserror</c>).</summary>
    public bool AllAsErrors { get; init; }

    /// <summary>The codes of warnings that are errors even when <see cref="AllAsErrors"/> is false (<c>WarningsAsErrors</c>).</summary>
    public IReadOnlyList<string> AsErrors { get; init; } = [];

    /// <summary>The codes of warnings that stay warnings under <see cref="AllAsErrors"/> (<c>WarningsNotAsErrors</c>).</summary>
    public IReadOnlyList<string> NotAsErrors { get; init; } = [];

    /// <summary>Splits a list of codes as MSBuild and csc write one: separated by <c>;</c> or <c>,</c>, with spaces allowed.</summary>
    /// <param name="list">The list; null or empty for none.</param>
    /// <returns>The codes.</returns>
    public static IReadOnlyList<string> Codes(string? list) =>
        list?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>The diagnostics as these options have them reported.</summary>
    /// <param name="diagnostics">The diagnostics, as the compiler found them.</param>
    /// <returns>The ones to report, in the same order.</returns>
    public IReadOnlyList<Diagnostic> Apply(IReadOnlyList<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var reported = new List<Diagnostic>(diagnostics.Count);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                reported.Add(diagnostic);
            }
            else if (!Lists(Suppressed, diagnostic.Code))
            {
                bool asError = Lists(AsErrors, diagnostic.Code) || (AllAsErrors && !Lists(NotAsErrors, diagnostic.Code));
                reported.Add(asError ? diagnostic with { Descriptor = diagnostic.Descriptor with { Severity = DiagnosticSeverity.Error } } : diagnostic);
            }
        }

        return reported;
    }

    private static bool Lists(IReadOnlyList<string> codes, string code) => codes.Contains(code, StringComparer.OrdinalIgnoreCase);
}
