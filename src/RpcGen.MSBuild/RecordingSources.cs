using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.MSBuild;

/// <summary>Reads through another source provider and remembers every file it found: the inputs of an incremental build.</summary>
internal sealed class RecordingSources(ISourceProvider inner) : ISourceProvider
{
    private readonly List<string> _read = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>The full paths of the files read, in the order first read.</summary>
    public IReadOnlyList<string> Read => _read;

    public string? ReadFile(string path)
    {
        string? text = inner.ReadFile(path);
        if (text is not null)
        {
            // A path that was tried and not found is left out: as an input that does not exist, it would make
            // MSBuild run the generation on every build.
            string full = Path.GetFullPath(path);
            if (_seen.Add(full))
            {
                _read.Add(full);
            }
        }

        return text;
    }
}
