using NetRpc.Fuzz.Engine;
using NetRpc.Fuzz.Targets;
using Xunit.Abstractions;

namespace NetRpc.Fuzz.Tests;

/// <summary>
/// The short run of the fuzzing campaign: every target, the first 3,000 inputs of the long run (seed 1, the same
/// inputs in the same order; docs/perf/fuzzing.md has the long run). Every invariant the long run checks must hold.
/// </summary>
public class ShortRunTests(ITestOutputHelper output)
{
    public const int Inputs = 3000;

    public static TheoryData<string> Targets => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_first_inputs_of_the_long_run_break_no_invariant(string target)
    {
        using IFuzzTarget fuzzTarget = FuzzTargets.Create(target);
        var log = new StringWriter();
        TargetReport report = new Campaign(fuzzTarget, log).Run(Inputs, seed: 1);

        string summary = report.Summary(fuzzTarget.Budget);
        output.WriteLine(summary);
        Assert.True(report.Passed, $"{summary}\n{log}");
        Assert.Equal(Inputs, report.Inputs);
        Assert.NotEmpty(fuzzTarget.Seeds);
    }
}
