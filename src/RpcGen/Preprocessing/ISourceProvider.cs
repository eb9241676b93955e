namespace NetRpc.RpcGen.Preprocessing;

/// <summary>
/// Where the compiler reads source text from. The library does no I/O of its own: the command line and the
/// MSBuild task supply the file system, tests supply files in memory.
/// </summary>
public interface ISourceProvider
{
    /// <summary>The text of the file at <paramref name="path"/>, or <see langword="null"/> when there is no such file.</summary>
    /// <param name="path">A path as the compiler formed it: the input's path, or an include directory or the including file's directory combined with an #include name.</param>
    /// <returns>The text, or null.</returns>
    string? ReadFile(string path);
}
