using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tool;

/// <summary>Source files read from disk: the command line's <see cref="ISourceProvider"/>.</summary>
internal sealed class FileSystemSources : ISourceProvider
{
    /// <summary>Larger inputs are refused rather than read: no real .x file comes near this.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public string? ReadFile(string path)
    {
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxFileBytes)
            {
                return null;
            }

            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
