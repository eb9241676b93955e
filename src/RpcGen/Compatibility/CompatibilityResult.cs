namespace NetRpc.RpcGen.Compatibility;

/// <summary>What comparing two versions of a .x file found.</summary>
/// <param name="Old">Checking the old file: its model and diagnostics.</param>
/// <param name="New">Checking the new file.</param>
/// <param name="Findings">The changes, in the order of their places in the new file; empty when either file has errors.</param>
public sealed record CompatibilityResult(CheckResult Old, CheckResult New, IReadOnlyList<CompatibilityFinding> Findings)
{
    /// <summary>True when both files checked without errors, so that <see cref="Findings"/> is the whole comparison.</summary>
    public bool Compared => !Old.HasErrors && !New.HasErrors && Old.Specification is not null && New.Specification is not null;

    /// <summary>True when a change breaks the wire between peers built from the two files.</summary>
    public bool HasWireBreakingChanges => Findings.Any(f => f.Category == CompatibilityCategory.WireBreaking);

    /// <summary>How many findings fall in a category.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The count.</returns>
    public int Count(CompatibilityCategory category) => Findings.Count(f => f.Category == category);
}
