using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>The built-in C preprocessor subset that real .x files use; no external cpp is ever run.</summary>
public static class Preprocessor
{
    /// <summary>Preprocesses <paramref name="path"/> and everything it includes.</summary>
    /// <param name="path">The input file, read through <paramref name="sources"/>.</param>
    /// <param name="sources">Where files are read from.</param>
    /// <param name="options">-I and -D.</param>
    /// <param name="diagnostics">Where problems are reported.</param>
    /// <returns>The preprocessed text, its map back to the sources, passthrough lines and macro events.</returns>
    /// <exception cref="ArgumentNullException">An argument is null. Problems with the input are never thrown: they are reported to <paramref name="diagnostics"/>.</exception>
    public static PreprocessedSource Run(string path, ISourceProvider sources, PreprocessorOptions options, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return new PreprocessorEngine(sources, options, diagnostics).Run(path);
    }
}
