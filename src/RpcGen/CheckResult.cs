using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen;

/// <summary>What checking a .x file found.</summary>
/// <param name="Specification">The checked model; null when the file could not be read or parsed far enough to have one. Only trust it when <see cref="HasErrors"/> is false.</param>
/// <param name="Diagnostics">Errors and warnings, in the order found.</param>
public sealed record CheckResult(Specification? Specification, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when any diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
