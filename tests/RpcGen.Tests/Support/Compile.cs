using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Tests.Support;

/// <summary>Runs the front end over text held in memory.</summary>
internal static class Compile
{
    public const string Path = "test.x";

    /// <summary>Checks <paramref name="text"/> as test.x, with other files it may include.</summary>
    public static CheckResult Text(string text, params (string Path, string Text)[] others) =>
        RpcgenCompiler.Check(Path, new InMemorySources([(Path, text), .. others]));

    /// <summary>Checks text that must be free of errors, and returns the model.</summary>
    public static Model.Specification Clean(string text)
    {
        CheckResult result = Text(text);
        Assert.False(result.HasErrors, string.Join('\n', result.Diagnostics));
        return result.Specification!;
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join('\n', diagnostics);
}
