using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>Runs the compatibility checker over two files held in memory, old.x and new.x.</summary>
internal static class Compare
{
    public const string OldPath = "old.x";
    public const string NewPath = "new.x";

    /// <summary>Compares two texts that must both check clean.</summary>
    public static CompatibilityResult Texts(string oldText, string newText, CompilerOptions? options = null)
    {
        CompatibilityResult result = RpcgenCompiler.CompareCompatibility(OldPath, NewPath, new InMemorySources((OldPath, oldText), (NewPath, newText)), options);
        Assert.True(result.Compared, Compile.Describe([.. result.Old.Diagnostics, .. result.New.Diagnostics]));
        return result;
    }

    /// <summary>
    /// A text with an <c>@</c> before the token a finding should point at, without it, and where it was (1-based).
    /// No .x token contains <c>@</c>.
    /// </summary>
    public static (string Text, int Line, int Column) Marked(string text)
    {
        int at = text.IndexOf('@', StringComparison.Ordinal);
        Assert.True(at >= 0, "no @ marker");
        string before = text[..at];
        int line = before.Count(c => c == '\n') + 1;
        int column = at - (before.LastIndexOf('\n') + 1) + 1;
        return (text.Remove(at, 1), line, column);
    }

    public static string Describe(IEnumerable<CompatibilityFinding> findings) => string.Join('\n', findings);

    /// <summary>The one finding of a comparison, which must be the only one.</summary>
    public static CompatibilityFinding Single(CompatibilityResult result)
    {
        Assert.True(result.Findings.Count == 1, $"expected one finding, got {result.Findings.Count}:\n{Describe(result.Findings)}");
        return result.Findings[0];
    }
}
