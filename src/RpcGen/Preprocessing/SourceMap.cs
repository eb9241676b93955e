using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>
/// Maps lines of the preprocessed text back to their files: a sorted list of runs, each a stretch of
/// consecutive output lines that are consecutive lines of one file.
/// </summary>
public sealed class SourceMap
{
    private readonly List<Run> _runs = [];

    /// <summary>Records that output lines from <paramref name="outputLine"/> on come from <paramref name="path"/>, starting at <paramref name="sourceLine"/>.</summary>
    /// <param name="outputLine">1-based first output line of the run; runs must be added in increasing order.</param>
    /// <param name="path">The file.</param>
    /// <param name="sourceLine">1-based line of that file.</param>
    public void StartRun(int outputLine, string path, int sourceLine)
    {
        if (_runs.Count > 0 && outputLine < _runs[^1].OutputLine)
        {
            throw new ArgumentException("Runs must be added in increasing output order.", nameof(outputLine));
        }

        if (_runs.Count > 0 && _runs[^1].OutputLine == outputLine)
        {
            _runs[^1] = new Run(outputLine, path, sourceLine);
            return;
        }

        _runs.Add(new Run(outputLine, path, sourceLine));
    }

    /// <summary>Forgets the runs of output lines after the first <paramref name="lines"/> (output undone by the preprocessor).</summary>
    internal void Truncate(int lines)
    {
        while (_runs.Count > 0 && _runs[^1].OutputLine > lines)
        {
            _runs.RemoveAt(_runs.Count - 1);
        }
    }

    /// <summary>Where an output position came from.</summary>
    /// <param name="outputLine">1-based output line.</param>
    /// <param name="column">1-based column (unchanged by preprocessing).</param>
    /// <returns>The source location.</returns>
    public SourceLocation Locate(int outputLine, int column)
    {
        if (_runs.Count == 0)
        {
            return new SourceLocation(string.Empty, outputLine, column);
        }

        int lo = 0;
        int hi = _runs.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_runs[mid].OutputLine <= outputLine)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        Run run = _runs[lo];
        return new SourceLocation(run.Path, run.SourceLine + Math.Max(0, outputLine - run.OutputLine), column);
    }

    private readonly record struct Run(int OutputLine, string Path, int SourceLine);
}
