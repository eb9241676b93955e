using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>Runs the preprocessor over in-memory files; the input is always <see cref="MainPath"/>.</summary>
internal static class Preprocess
{
    public const string MainPath = "/src/main.x";

    public const RpcgenTarget AllButHeader = RpcgenTarget.All & ~RpcgenTarget.Header;

    public static Outcome Text(string text, params (string Path, string Text)[] files) => Run(text, PreprocessorOptions.Default, files);

    public static Outcome Run(string text, PreprocessorOptions options, params (string Path, string Text)[] files)
    {
        InMemorySources sources = new InMemorySources(files).Add(MainPath, text);
        var diagnostics = new DiagnosticBag();
        PreprocessedSource source = Preprocessor.Run(MainPath, sources, options, diagnostics);
        return new Outcome(source, diagnostics, sources);
    }

    public static PreprocessorOptions Defines(params (string Name, string Value)[] defines) =>
        new() { Defines = [.. defines.Select(d => new KeyValuePair<string, string>(d.Name, d.Value))] };
}

internal sealed record Outcome(PreprocessedSource Source, DiagnosticBag Diagnostics, InMemorySources Sources)
{
    /// <summary>The output lines; index 0 is line 1.</summary>
    public string[] Lines => Source.LineCount == 0 ? [] : Source.Text.Split('\n');

    /// <summary>The targets of every output line, in order.</summary>
    public RpcgenTarget[] Targets => [.. Enumerable.Range(1, Source.LineCount).Select(Source.TargetsOf)];

    public IReadOnlyList<Diagnostic> All => Diagnostics.All;

    /// <summary>The 1-based output line whose text is exactly <paramref name="text"/> (the only one).</summary>
    public int LineOf(string text) => Array.IndexOf(Lines, text) is var index and >= 0 ? index + 1 : throw new InvalidOperationException($"no output line '{text}'");

    /// <summary>Asserts there is no diagnostic at all.</summary>
    public Outcome Clean()
    {
        Assert.True(Diagnostics.All.Count == 0, "unexpected diagnostics:\n" + string.Join("\n", Diagnostics.All));
        return this;
    }

    /// <summary>Asserts there is exactly one diagnostic, with this code, line and column in <see cref="Preprocess.MainPath"/>, and returns it.</summary>
    public Diagnostic Single(DiagnosticDescriptor descriptor, int line, int column, string? path = null)
    {
        Assert.True(Diagnostics.All.Count == 1, "expected one diagnostic, got:\n" + string.Join("\n", Diagnostics.All));
        Diagnostic diagnostic = Diagnostics.All[0];
        Assert.Equal(descriptor.Code, diagnostic.Code);
        Assert.Equal(new SourceLocation(path ?? Preprocess.MainPath, line, column), diagnostic.Location);
        return diagnostic;
    }
}
