using NetRpc.Fuzz.Engine;

namespace NetRpc.Fuzz.Tests;

/// <summary>The harness finds what it is there to find, and repeats itself exactly.</summary>
public class HarnessTests
{
    [Fact]
    public void An_exception_outside_the_contract_is_an_escape_with_a_minimized_input()
    {
        using var target = new FakeTarget(input => input.Contains((byte)0xAB) ? throw new NullReferenceException() : 0);
        TargetReport report = new Campaign(target, TextWriter.Null).Run(2000, seed: 1);

        Assert.True(report.Escapes > 0);
        Finding finding = report.Findings.First(f => f.Kind == FindingKind.Escape);
        Assert.Equal([0xAB], finding.Input);
        Assert.Contains("NullReferenceException", finding.Detail, StringComparison.Ordinal);
        Assert.False(report.Passed);
    }

    [Fact]
    public void Memory_beyond_the_budget_is_a_finding_and_the_closest_input_is_kept()
    {
        using var target = new FakeTarget(input => input.Length > 0 && input[0] == 0xFF ? 1L << 30 : 0);
        TargetReport report = new Campaign(target, TextWriter.Null).Run(2000, seed: 1);

        Assert.True(report.OverBudget > 0);
        Assert.Equal(0xFF, report.Findings.First(f => f.Kind == FindingKind.Allocation).Input.Single());
    }

    [Fact]
    public void A_slow_input_is_a_hang()
    {
        using var target = new FakeTarget(input =>
        {
            if (input.Length > 0 && input[0] == 0xFF)
            {
                Thread.Sleep(150);
            }

            return 0;
        }, timeCap: TimeSpan.FromMilliseconds(100));
        TargetReport report = new Campaign(target, TextWriter.Null).Run(300, seed: 1);

        Assert.True(report.Hangs > 0);
    }

    [Fact]
    public void The_same_seed_gives_the_same_inputs()
    {
        byte[][] seeds = [[0, 0, 0, 4, 1, 2, 3, 4], [0x80, 0, 0, 8, 9, 9, 9, 9, 8, 8, 8, 8]];
        Assert.Equal(Inputs(new ByteMutator(1024), seeds), Inputs(new ByteMutator(1024), seeds));
        byte[][] text = ["struct s { int a; };\n"u8.ToArray(), "const A = 1;\n"u8.ToArray()];
        Assert.Equal(Inputs(new TextMutator(4096), text), Inputs(new TextMutator(4096), text));
    }

    private static List<string> Inputs(IMutator mutator, byte[][] seeds)
    {
        var random = new Random(1);
        return [.. Enumerable.Range(0, 500).Select(i => Convert.ToHexString(mutator.Mutate(random, seeds[i % seeds.Length], seeds)))];
    }

    /// <summary>A target whose behaviour the test chooses: it returns bytes "held", or throws.</summary>
    private sealed class FakeTarget(Func<byte[], long> run, TimeSpan? timeCap = null) : IFuzzTarget
    {
        public string Name => "fake";

        public string Contract => "nothing escapes";

        public IReadOnlyList<byte[]> Seeds { get; } = [[1, 2, 3, 4], [0, 0, 0, 8, 5, 6, 7, 8, 9, 10, 11, 12]];

        public IMutator Mutator { get; } = new ByteMutator(256);

        public Budget Budget { get; } = new(timeCap ?? TimeSpan.FromSeconds(1), 64, 64 * 1024);

        public int HealthInterval => 0;

        public string Notes => string.Empty;

        public long Run(byte[] input) => run(input);

        public string? CheckHealth() => null;

        public void Dispose()
        {
        }
    }
}
