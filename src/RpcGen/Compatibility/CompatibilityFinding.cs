using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>One change between two versions of a .x file, and what it breaks.</summary>
/// <param name="Category">What the change breaks: the wire, the wire for old readers, or only code.</param>
/// <param name="Diagnostic">The finding in the compiler's form, located in the new file; its message gives the old file's location and the reason, with the RFC section.</param>
/// <param name="OldLocation">Where the changed thing is in the old file (for something the new file adds, what holds it there).</param>
public sealed record CompatibilityFinding(CompatibilityCategory Category, Diagnostic Diagnostic, SourceLocation OldLocation)
{
    /// <summary>The stable code, RPCG5001 to RPCG5099.</summary>
    public string Code => Diagnostic.Code;

    /// <summary>Where the change is in the new file (for something the new file removes, what held it, or its first line).</summary>
    public SourceLocation Location => Diagnostic.Location;

    /// <summary>The canonical MSBuild form: <c>new.x(line,col): error RPCG5009: message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Diagnostic.ToString();
}
