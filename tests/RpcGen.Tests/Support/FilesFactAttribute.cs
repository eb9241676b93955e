namespace NetRpc.RpcGen.Tests.Support;

/// <summary>
/// A test over files this repository does not ship: system .x files from Debian packages, or the reference
/// files beside the repository in ../shared. Where the folder is missing the test is skipped with the reason
/// in its name (dotnet test lists skipped tests by name). With NETRPC_REQUIRE_NATIVE=1, as .ci/run sets,
/// a missing system folder fails instead; ../shared is never required.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class FilesFactAttribute : FactAttribute
{
    private readonly string _test;

    public FilesFactAttribute(string folder, string providedBy, bool requiredInCi = true, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        _test = test;
        SkipUnless(folder, providedBy, requiredInCi);
    }

    /// <summary>A second file or folder the test needs, as "path|provided by" (required in CI).</summary>
    public string? AlsoNeeds
    {
        get => null;
        init
        {
            if (value is not null && Skip is null && value.Split('|', 2) is [string folder, string providedBy])
            {
                SkipUnless(folder, providedBy, requiredInCi: true);
            }
        }
    }

    private void SkipUnless(string folder, string providedBy, bool requiredInCi)
    {
        string? path = Corpus.Resolve(folder);
        bool required = requiredInCi && Environment.GetEnvironmentVariable("NETRPC_REQUIRE_NATIVE") == "1";
        if ((path is null || !(Directory.Exists(path) || File.Exists(path))) && !required)
        {
            Skip = $"{folder} not found ({providedBy})";
            DisplayName = $"{_test} [SKIPPED: {Skip}]";
        }
    }
}

/// <summary>Where the corpus files are.</summary>
internal static class Corpus
{
    /// <summary>The repository's root: the folder holding NetRpc.sln above the test's output folder.</summary>
    public static string? RepositoryRoot { get; } = FindRoot();

    /// <summary>An absolute folder as is; "shared/..." relative to the folder beside the repository; else relative to the test output.</summary>
    public static string? Resolve(string folder) =>
        Path.IsPathRooted(folder) ? folder
        : folder.StartsWith("shared/", StringComparison.Ordinal) ? (RepositoryRoot is null ? null : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", folder)))
        : Path.Combine(AppContext.BaseDirectory, folder);

    private static string? FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetRpc.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
