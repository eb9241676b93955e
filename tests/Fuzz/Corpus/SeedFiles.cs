namespace NetRpc.Fuzz.Corpus;

/// <summary>
/// The committed seed files under Seeds/ (copied beside the program): <c>.hex</c> files hold one message or stream
/// per line as hex, with <c>#</c> lines for comments; Seeds/README.md says how they were captured.
/// </summary>
internal static class SeedFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Seeds");

    /// <summary>Every message in Seeds/<paramref name="name"/>.hex.</summary>
    public static IReadOnlyList<byte[]> Hex(string name)
    {
        string path = Path.Combine(Folder, name + ".hex");
        return [.. File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(Convert.FromHexString)];
    }

    /// <summary>The .x files in Seeds/x (the repository's real ones, linked in by the project file), in name order.</summary>
    public static IEnumerable<(string Name, string Text)> XFiles() =>
        Directory.GetFiles(Path.Combine(Folder, "x"), "*.x")
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), File.ReadAllText(path)));
}
