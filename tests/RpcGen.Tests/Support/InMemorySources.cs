using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Support;

/// <summary>Source files held in memory, keyed by path exactly as the compiler forms it.</summary>
internal sealed class InMemorySources : ISourceProvider
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);

    public InMemorySources(params (string Path, string Text)[] files)
    {
        foreach ((string path, string text) in files)
        {
            _files[Normalize(path)] = text;
        }
    }

    public List<string> Reads { get; } = [];

    public InMemorySources Add(string path, string text)
    {
        _files[Normalize(path)] = text;
        return this;
    }

    public string? ReadFile(string path)
    {
        Reads.Add(path);
        return _files.TryGetValue(Normalize(path), out string? text) ? text : null;
    }

    private static string Normalize(string path) => Path.GetFullPath(path, "/src");
}
