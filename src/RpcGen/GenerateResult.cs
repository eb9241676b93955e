using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;

namespace NetRpc.RpcGen;

/// <summary>What generating C# from a .x file produced.</summary>
/// <param name="Files">The generated files; none when there were errors.</param>
/// <param name="Diagnostics">Errors and warnings of checking and generating, in the order found.</param>
public sealed record GenerateResult(IReadOnlyList<GeneratedFile> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when any diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
