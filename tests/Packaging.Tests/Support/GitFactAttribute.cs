using System.Runtime.CompilerServices;

namespace NetRpc.Packaging.Tests.Support;

/// <summary>
/// A test that needs git and the repository's history (a clone of it). Where either is missing it is skipped,
/// never silently passed, with the reason in its display name (<c>dotnet test</c> lists skipped tests by name
/// only); where NETRPC_REQUIRE_NATIVE=1 (as .ci/run sets) it runs anyway and fails, as the native tests do.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GitFactAttribute : FactAttribute
{
    public GitFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        if (MissingReason is { } reason && Environment.GetEnvironmentVariable("NETRPC_REQUIRE_NATIVE") != "1")
        {
            Skip = reason;
            DisplayName = $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]";
        }
    }

    /// <summary>Git on PATH, or null when it is not there.</summary>
    public static string? Git { get; } = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator)
        .Where(d => d.Length > 0)
        .Select(d => Path.Combine(d, "git"))
        .FirstOrDefault(File.Exists);

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public static string? MissingReason =>
        Git is null ? "git is not on PATH"
        : !Directory.Exists(Path.Combine(PackageFeed.Repository, ".git")) && !File.Exists(Path.Combine(PackageFeed.Repository, ".git")) ? $"{PackageFeed.Repository} is not a git repository"
        : null;
}
