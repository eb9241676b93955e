using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// The repository builds and runs from any path: a clone under a folder called src (as in ~/src/netrpc) once
/// built every project as a shipping library (XML docs, AOT analyzers: 550 errors), because the rule looked for
/// /src/ anywhere in a project's path. The rule now looks only below the repository's root.
/// </summary>
public sealed class CloneUnderSrcTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("netrpc-clone-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a file still held: the temporary folder is the system's to clean
        }
    }

    [GitFact]
    public void A_clone_under_a_src_folder_builds_the_solution_and_runs_the_quickstart_example()
    {
        // What was committed (HEAD), in a path with /src/ above the repository's own src/.
        string clone = Path.Combine(_root, "src", "netrpc");
        Dictionary<string, string?> environment = PackageFeed.IsolatedEnvironment(home: null, packages: null);
        Command.Run(GitFactAttribute.Git ?? "git", ["clone", "--quiet", "--no-hardlinks", PackageFeed.Repository, clone], _root, environment, TimeSpan.FromMinutes(2)).Succeeded();

        // The Quickstart's build (its test run is the suite itself, too long to repeat here): one build of everything.
        CommandResult build = Command.Run(PackageFeed.DotnetHost, ["build", "NetRpc.sln", "-nodeReuse:false"], clone, environment, TimeSpan.FromMinutes(15));
        build.Succeeded();
        Assert.Contains(" 0 Error(s)", build.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(clone, "tests", "RpcGen.Tests", "bin", "Debug", "net10.0", "NetRpc.RpcGen.Tests.dll")));
        Assert.True(File.Exists(Path.Combine(clone, "src", "RpcRuntime", "bin", "Debug", "net10.0", "NetRpc.Runtime.xml"))); // still a shipping library

        // The Quickstart's first command, where its rpcbind touches nothing of the host's.
        CommandResult run = Isolated.Run(PackageFeed.DotnetHost, ["run", "--project", "samples/my_proto", "--no-build"], clone, environment).Succeeded();
        Assert.Equal(2, run.Output.Split('\n').Count(l => l.Trim() == "The result from RPC is 100"));
    }
}
