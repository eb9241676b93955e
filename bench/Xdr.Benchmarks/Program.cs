using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace NetRpc.Xdr.Benchmarks;

/// <summary>
/// Runs the XDR benchmarks. With <c>--native-exe PATH</c> (libtirpc's xdr_bench) it runs the native
/// benchmark in the same process tree, before and after its own, so both see the same CPU pinning and
/// machine state, and prints NetRpc's time beside libtirpc's with the ratio. Other arguments go to
/// BenchmarkDotNet.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>0 on success.</returns>
    public static int Main(string[] args)
    {
        string? nativeExe = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--native-exe" && i + 1 < args.Length)
            {
                nativeExe = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var nativeRuns = new List<string>();
        if (nativeExe is not null)
        {
            nativeRuns.Add(RunNative(nativeExe));
        }

        var summary = BenchmarkRunner.Run<XdrBenchmarks>(args: [.. rest]);

        if (nativeExe is not null)
        {
            nativeRuns.Add(RunNative(nativeExe));
            Console.WriteLine();
            Console.WriteLine(NativeComparison.Table(summary, nativeRuns));
        }

        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }

    private static string RunNative(string exe)
    {
        Console.WriteLine($"// running native baseline: {exe}");
        using var process = Process.Start(new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not start {exe}");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} exited with {process.ExitCode}");
        }

        Console.Write(output);
        return output;
    }
}
