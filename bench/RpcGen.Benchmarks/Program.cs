using BenchmarkDotNet.Running;

namespace NetRpc.RpcGen.Benchmarks;

/// <summary>Runs the front-end benchmarks; arguments go to BenchmarkDotNet.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    /// <param name="args">BenchmarkDotNet arguments.</param>
    /// <returns>0 on success.</returns>
    public static int Main(string[] args)
    {
        var summary = BenchmarkRunner.Run<FrontEndBenchmarks>(args: args);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }
}
