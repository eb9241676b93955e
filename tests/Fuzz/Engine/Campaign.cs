using System.Diagnostics;
using System.Globalization;

namespace NetRpc.Fuzz.Engine;

/// <summary>
/// Runs one target: picks a seed, mutates it, runs it, and checks the invariants after every input. An escape is
/// a finding at once; an input over its time cap or memory budget is run again and is a finding only if it breaks
/// the cap again (a machine that paused is not a bug). Each finding is minimized. The inputs depend only on the
/// seed and the target's name, so a run can be repeated exactly, and a short run is the start of a long one.
/// </summary>
internal sealed class Campaign(IFuzzTarget target, TextWriter log)
{
    private static readonly TimeSpan s_minimizeTime = TimeSpan.FromSeconds(20);

    private readonly Budget _budget = target.Budget;
    private readonly TargetReport _report = new(target.Name, target.Contract);

    /// <summary>How often a long run prints its progress; null for none.</summary>
    public TimeSpan? ProgressInterval { get; init; }

    public TargetReport Run(long iterations, int seed)
    {
        var random = new Random(seed ^ StableHash(target.Name));
        IReadOnlyList<byte[]> seeds = target.Seeds;
        var clock = Stopwatch.StartNew();
        TimeSpan nextProgress = ProgressInterval ?? TimeSpan.MaxValue;
        using var watchdog = new Watchdog(target.Name, _budget.TimeCap);

        // Every seed once, unjudged but for escapes: first calls compile code and build static state, which no input should pay for.
        foreach (byte[] input in seeds)
        {
            if (Measure(input, watchdog).Escaped is { } escaped)
            {
                Report(FindingKind.Escape, -1, Describe(escaped), input, candidate => Measure(candidate, watchdog).Escaped?.GetType() == escaped.GetType());
            }
        }

        for (long number = 0; number < iterations; number++)
        {
            byte[] seedInput = seeds[random.Next(seeds.Count)];
            byte[] input = random.Next(32) == 0 ? seedInput : target.Mutator.Mutate(random, seedInput, seeds);
            Judge(number, input, watchdog);
            _report.Inputs++;

            if (target.HealthInterval > 0 && (number + 1) % target.HealthInterval == 0)
            {
                CheckHealth(number, input);
            }

            if (clock.Elapsed >= nextProgress)
            {
                nextProgress += ProgressInterval!.Value;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target.Name}: {number + 1} inputs, {(number + 1) / clock.Elapsed.TotalSeconds:F0}/s, {_report.Escapes + _report.Hangs + _report.OverBudget + _report.Unhealthy} findings"));
            }
        }

        if (target.HealthInterval > 0)
        {
            CheckHealth(iterations, []);
        }

        _report.Elapsed = clock.Elapsed;
        return _report;
    }

    /// <summary>Runs one input, after the seeds have warmed the target up, and says what it cost against the budget.</summary>
    public static string Replay(IFuzzTarget target, byte[] input)
    {
        var campaign = new Campaign(target, TextWriter.Null);
        using var watchdog = new Watchdog(target.Name, target.Budget.TimeCap);
        foreach (byte[] seed in target.Seeds)
        {
            campaign.Measure(seed, watchdog);
        }

        Outcome outcome = campaign.Measure(input, watchdog);
        string escaped = outcome.Escaped is { } e ? $"escaped: {Describe(e)}" : "nothing escaped";
        return string.Create(CultureInfo.InvariantCulture,
            $"{target.Name}: {input.Length} bytes of input: {outcome.Elapsed.TotalMilliseconds:F1} ms (cap {target.Budget.TimeCap.TotalMilliseconds:F0}), {outcome.Bytes} bytes (budget {target.Budget.AllowedBytes(input.Length)}), {escaped}");
    }

    private void Judge(long number, byte[] input, Watchdog watchdog)
    {
        Outcome outcome = Measure(input, watchdog);
        if (outcome.Escaped is { } escaped)
        {
            Report(FindingKind.Escape, number, Describe(escaped), input, candidate => Measure(candidate, watchdog).Escaped?.GetType() == escaped.GetType());
            return;
        }

        if (outcome.Elapsed > _budget.TimeCap || outcome.Bytes > _budget.AllowedBytes(input.Length))
        {
            Outcome again = Measure(input, watchdog);
            outcome = new Outcome(again.Escaped, Min(outcome.Elapsed, again.Elapsed), Math.Min(outcome.Bytes, again.Bytes));
            if (outcome.Elapsed > _budget.TimeCap)
            {
                Report(FindingKind.Hang, number, $"took {outcome.Elapsed.TotalMilliseconds:F0} ms twice (cap {_budget.TimeCap.TotalMilliseconds:F0} ms)", input,
                    candidate => Measure(candidate, watchdog).Elapsed > _budget.TimeCap, maxAttempts: 20);
            }
            else if (outcome.Bytes > _budget.AllowedBytes(input.Length))
            {
                Report(FindingKind.Allocation, number, $"{outcome.Bytes} bytes for {input.Length} bytes of input, twice (budget {_budget.AllowedBytes(input.Length)})", input,
                    candidate => Measure(candidate, watchdog).Bytes > _budget.AllowedBytes(candidate.Length));
            }
            else
            {
                _report.NotReproduced++;
            }
        }

        if (outcome.Elapsed > _report.MaxInputTime)
        {
            _report.MaxInputTime = outcome.Elapsed;
        }

        _report.MaxAllocatedBytes = Math.Max(_report.MaxAllocatedBytes, outcome.Bytes);
        double ratio = (double)(outcome.Bytes - _budget.ConstantBytes) / Math.Max(1, input.Length);
        _report.MaxAllocationRatio = Math.Max(_report.MaxAllocationRatio, ratio);
        double share = (double)outcome.Bytes / _budget.AllowedBytes(input.Length);
        if (share > _report.MaxBudgetShare)
        {
            _report.MaxBudgetShare = share;
            _report.MaxBudgetShareInput = input;
        }
    }

    private void CheckHealth(long number, byte[] lastInput)
    {
        _report.HealthChecks++;
        if (target.CheckHealth() is { } problem)
        {
            _report.Add(new Finding(FindingKind.Unhealthy, number, problem + " (the input shown is the last one sent before the check)", lastInput));
        }
    }

    /// <summary>Records a finding; the first few are minimized and printed as they are found, the rest only counted.</summary>
    private void Report(FindingKind kind, long number, string detail, byte[] input, Func<byte[], bool> stillFails, int maxAttempts = 2000)
    {
        bool kept = _report.Keeps(kind);
        var finding = new Finding(kind, number, detail, kept ? Minimizer.Minimize(input, stillFails, maxAttempts, s_minimizeTime) : input);
        _report.Add(finding);
        if (kept)
        {
            log.WriteLine($"  {target.Name}: {finding.Describe()}");
        }
    }

    private Outcome Measure(byte[] input, Watchdog watchdog)
    {
        bool allThreads = _budget.CountAllThreads;
        long before = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        watchdog.Begin(input);
        Exception? escaped = null;
        long held = 0;
        try
        {
            held = target.Run(input);
        }
        catch (Exception e)
        {
            escaped = e;
        }

        watchdog.End();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        long after = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        return new Outcome(escaped, elapsed, after - before + held);
    }

    private static string Describe(Exception e) => $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>FNV-1a: string.GetHashCode differs from one process to the next.</summary>
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)hash;
    }

    private readonly record struct Outcome(Exception? Escaped, TimeSpan Elapsed, long Bytes);
}
