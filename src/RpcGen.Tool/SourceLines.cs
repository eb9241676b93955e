using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tool;

/// <summary>Shows the source line a diagnostic points at, with a caret under the column, as compilers do on a terminal.</summary>
internal sealed class SourceLines(ISourceProvider sources)
{
    private const int MaxShown = 160;
    private readonly Dictionary<string, string[]?> _files = new(StringComparer.Ordinal);

    public void WriteCaret(TextWriter output, SourceLocation location)
    {
        if (!_files.TryGetValue(location.Path, out string[]? lines))
        {
            lines = sources.ReadFile(location.Path)?.ReplaceLineEndings("\n").Split('\n');
            _files[location.Path] = lines;
        }

        if (lines is null || location.Line < 1 || location.Line > lines.Length)
        {
            return;
        }

        string line = lines[location.Line - 1];
        int column = Math.Clamp(location.Column - 1, 0, line.Length);

        // Keep a window around the column on very long lines, and make control characters visible.
        int start = Math.Max(0, Math.Min(column - (MaxShown / 2), line.Length - MaxShown));
        string shown = new(line.Substring(start, Math.Min(MaxShown, line.Length - start)).Select(c => c == '\t' || !char.IsControl(c) ? c : '?').ToArray());
        string pad = new(shown[..Math.Min(column - start, shown.Length)].Select(c => c == '\t' ? '\t' : ' ').ToArray());
        output.WriteLine($"    {shown}");
        output.WriteLine($"    {pad}^");
    }
}
