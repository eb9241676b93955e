using System.Globalization;
using NetRpc.Fuzz.Engine;
using NetRpc.Fuzz.Targets;

namespace NetRpc.Fuzz;

/// <summary>
/// The fuzzing campaign's command line. The long run (docs/perf/fuzzing.md):
/// <c>dotnet run -c Release --project tests/Fuzz -- --target all --iterations 1000000 --seed 1</c>.
/// Exit status: 0 when no invariant broke (and for --help and --list), 1 when one did, 2 for a bad command line, 3 when an input hung.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: NetRpc.Fuzz [--target NAME|all] [--iterations N] [--seed S] [--progress SECONDS] [--save DIR]
                           NetRpc.Fuzz --target NAME --replay FILE
                           NetRpc.Fuzz --list
                           NetRpc.Fuzz --help

          --target      one target, or all of them one after another (default all)
          --iterations  inputs per target (default 10000)
          --seed        the random seed; the same seed runs the same inputs (default 1)
          --progress    print progress this often (default 30; 0 for none)
          --save        write each finding's input, and the input that used most of its memory budget, into DIR
          --replay      run the input in FILE (as --save writes it) against one target, and say what it cost
          --list        print the targets' names
          --help, -h    print this text
        """;

    public static int Main(string[] args)
    {
        string target = "all";
        long iterations = 10_000;
        int seed = 1;
        int progress = 30;
        string? save = null;
        string? replay = null;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--help" or "-h":
                        Console.WriteLine(Usage);
                        return 0;
                    case "--list":
                        Console.WriteLine(string.Join('\n', FuzzTargets.Names));
                        return 0;
                    case "--target":
                        target = args[++i];
                        break;
                    case "--iterations":
                        iterations = long.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--seed":
                        seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--progress":
                        progress = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--save":
                        save = args[++i];
                        break;
                    case "--replay":
                        replay = args[++i];
                        break;
                    default:
                        throw new FormatException($"unknown option '{args[i]}'");
                }
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string[] names = target == "all" ? [.. FuzzTargets.Names] : [target];
        if (names.Except(FuzzTargets.Names).FirstOrDefault() is { } unknown)
        {
            Console.Error.WriteLine($"no target '{unknown}'; the targets are {string.Join(", ", FuzzTargets.Names)}");
            return 2;
        }

        if (replay is not null)
        {
            using IFuzzTarget replayed = FuzzTargets.Create(names[0]);
            Console.WriteLine(Campaign.Replay(replayed, File.ReadAllBytes(replay)));
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"NetRpc fuzzing: {string.Join(", ", names)}; {iterations} inputs each; seed {seed}"));
        bool passed = true;
        foreach (string name in names)
        {
            using IFuzzTarget fuzzTarget = FuzzTargets.Create(name);
            Console.WriteLine($"{name}: {fuzzTarget.Seeds.Count} seeds; contract: {fuzzTarget.Contract}");
            var campaign = new Campaign(fuzzTarget, Console.Out) { ProgressInterval = progress > 0 ? TimeSpan.FromSeconds(progress) : null };
            TargetReport report = campaign.Run(iterations, seed);
            Console.WriteLine(report.Summary(fuzzTarget.Budget));
            if (fuzzTarget.Notes.Length > 0)
            {
                Console.WriteLine($"  {fuzzTarget.Notes}");
            }

            foreach (Finding finding in report.Findings)
            {
                Console.WriteLine(finding.Describe());
            }

            if (save is not null)
            {
                Save(save, name, report);
            }

            passed &= report.Passed;
        }

        Console.WriteLine(passed ? "PASS: no escapes, hangs, over-budget inputs or unhealthy servers" : "FAIL: see the findings above");
        return passed ? 0 : 1;
    }

    private static void Save(string folder, string target, TargetReport report)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{target}-max-budget-share.bin"), report.MaxBudgetShareInput);
        for (int i = 0; i < report.Findings.Count; i++)
        {
            Finding finding = report.Findings[i];
            File.WriteAllBytes(Path.Combine(folder, $"{target}-{finding.Kind.ToString().ToLowerInvariant()}-{i}.bin"), finding.Input);
        }
    }
}
