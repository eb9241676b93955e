using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Support;

/// <summary>Source files read from disk, for the corpus tests.</summary>
internal sealed class DiskSources : ISourceProvider
{
    public string? ReadFile(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
}
