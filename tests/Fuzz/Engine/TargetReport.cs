using System.Globalization;

namespace NetRpc.Fuzz.Engine;

/// <summary>What a campaign against one target saw.</summary>
internal sealed class TargetReport(string target, string contract)
{
    /// <summary>Findings of each kind kept in full; past this only the counts grow.</summary>
    public const int MaxKeptFindings = 3;

    public string Target { get; } = target;

    public string Contract { get; } = contract;

    public long Inputs { get; set; }

    public long Escapes { get; set; }

    public long Hangs { get; set; }

    public long OverBudget { get; set; }

    public long Unhealthy { get; set; }

    public long HealthChecks { get; set; }

    /// <summary>Inputs over a cap once that were within it when run again (a pause of the machine, not of the code).</summary>
    public long NotReproduced { get; set; }

    /// <summary>The largest (bytes - constant) / input length over all inputs: how close the target came to its multiple.</summary>
    public double MaxAllocationRatio { get; set; }

    public long MaxAllocatedBytes { get; set; }

    /// <summary>The largest share of its memory budget an input used (1 is the whole budget).</summary>
    public double MaxBudgetShare { get; set; }

    /// <summary>The input that used the largest share of its memory budget.</summary>
    public byte[] MaxBudgetShareInput { get; set; } = [];

    public TimeSpan MaxInputTime { get; set; }

    public TimeSpan Elapsed { get; set; }

    public List<Finding> Findings { get; } = [];

    public bool Passed => Escapes == 0 && Hangs == 0 && OverBudget == 0 && Unhealthy == 0;

    public void Add(Finding finding)
    {
        switch (finding.Kind)
        {
            case FindingKind.Escape:
                Escapes++;
                break;
            case FindingKind.Hang:
                Hangs++;
                break;
            case FindingKind.Allocation:
                OverBudget++;
                break;
            default:
                Unhealthy++;
                break;
        }

        if (Keeps(finding.Kind))
        {
            Findings.Add(finding);
        }
    }

    public bool Keeps(FindingKind kind) => Findings.Count(f => f.Kind == kind) < MaxKeptFindings;

    public string Summary(Budget budget) => string.Create(CultureInfo.InvariantCulture,
        $"{Target,-16} inputs {Inputs,9}  escapes {Escapes}  hangs {Hangs}  over-budget {OverBudget}  unhealthy {Unhealthy}/{HealthChecks}  " +
        $"max alloc ratio {MaxAllocationRatio,6:F2} (cap {budget.BytesPerInputByte}, +{budget.ConstantBytes / 1024} KiB)  max alloc {MaxAllocatedBytes / 1024.0:F1} KiB  max budget share {MaxBudgetShare:P0}  " +
        $"slowest {MaxInputTime.TotalMilliseconds:F1} ms (cap {budget.TimeCap.TotalMilliseconds:F0})  not reproduced {NotReproduced}  time {Elapsed.TotalSeconds:F1} s  {(Passed ? "PASS" : "FAIL")}");
}
