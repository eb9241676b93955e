using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace NetRpc.Xdr.Benchmarks;

/// <summary>Pairs BenchmarkDotNet's results with xdr_bench's RESULT lines and prints the ratios.</summary>
internal static class NativeComparison
{
    /// <param name="summary">BenchmarkDotNet's results.</param>
    /// <param name="nativeRuns">The standard output of each xdr_bench run.</param>
    public static string Table(Summary summary, IReadOnlyList<string> nativeRuns)
    {
        // ns/op per op for each native run; the comparison uses the median over the runs.
        var native = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (string output in nativeRuns)
        {
            foreach (string line in output.Split('\n'))
            {
                if (!line.StartsWith("RESULT kind=xdr ", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
                string op = fields["op"];
                if (!native.TryGetValue(op, out List<double>? runs))
                {
                    native[op] = runs = [];
                }

                runs.Add(double.Parse(fields["ns_per_op"], CultureInfo.InvariantCulture));
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"NetRpc.Xdr vs libtirpc xdr_bench, same run (median of {nativeRuns.Count} native runs, before and after):");
        text.AppendLine();
        text.AppendLine("| op | libtirpc ns/op | NetRpc ns/op | NetRpc allocated B/op | ratio NetRpc/libtirpc |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (BenchmarkReport report in summary.Reports)
        {
            string op = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            double? ours = report.ResultStatistics?.Median;
            long? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            if (ours is null || !native.TryGetValue(op, out List<double>? runs))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {op} | (no native figure) | {ours:F1} | {allocated} | |");
                continue;
            }

            double theirs = Median(runs);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {op} | {theirs:F1} | {ours:F1} | {allocated} | {ours / theirs:F2} |");
        }

        return text.ToString();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
