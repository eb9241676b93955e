using System.Text.Json;
using NetRpc.RpcGen;

namespace NetRpc.Packaging.Tests.Support;

/// <summary>
/// Every NetRpc package, packed once for the test run into a feed in a temporary folder, with what they depend on
/// beside them, and a nuget.config there that names that feed alone. Projects and tools set up below
/// <see cref="Root"/> restore only from it, into a packages folder of their own: nothing leaves the folder,
/// which is deleted at the end.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    /// <summary>The projects packed: the packages NetRpc ships.</summary>
    private static readonly string[] s_packages =
    [
        "src/Xdr/NetRpc.Xdr.csproj",
        "src/RpcRuntime/NetRpc.Runtime.csproj",
        "src/RpcGen.MSBuild/NetRpc.RpcGen.MSBuild.csproj",
        "src/Rpcbind.Tool/NetRpc.Rpcbind.Tool.csproj",
        "src/RpcInfo.Tool/NetRpc.RpcInfo.Tool.csproj",
        "src/Hosting/NetRpc.Hosting.csproj",
        "src/Resilience/NetRpc.Resilience.csproj",
        "src/DuplicateRequests.Redis/NetRpc.DuplicateRequests.Redis.csproj",
    ];

    /// <summary>
    /// rpcgen, packed on its own: with Native AOT where this machine can link it (<see cref="PackRpcgen"/>).
    /// </summary>
    private const string RpcgenProject = "src/RpcGen.Tool/NetRpc.RpcGen.Tool.csproj";

    /// <summary>The ids of the packages NetRpc ships.</summary>
    public static IReadOnlyList<string> PackageIds { get; } = ["NetRpc.Xdr", "NetRpc.Runtime", "NetRpc.RpcGen.Tool", "NetRpc.RpcGen.MSBuild", "NetRpc.Rpcbind.Tool", "NetRpc.RpcInfo.Tool", "NetRpc.Hosting", "NetRpc.Resilience", "NetRpc.DuplicateRequests.Redis"];

    public PackageFeed()
    {
        Root = Directory.CreateTempSubdirectory("netrpc-packages-").FullName;
        Outside = Directory.CreateTempSubdirectory("netrpc-packages-outside-").FullName;
        try
        {
            Feed = Path.Combine(Root, "feed");
            Home = Path.Combine(Root, "home");
            Pack();
            AddDependencies();
            File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="netrpc-test-feed" value="{Feed}" />
                  </packageSources>
                  <config>
                    <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
                  </config>
                </configuration>
                """);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temporary folder: the feed, its nuget.config, and room for the tests' projects.</summary>
    public string Root { get; }

    /// <summary>
    /// A temporary folder outside <see cref="Root"/>, so not under its nuget.config: for a project that restores
    /// from the machine's package sources as well as from the feed.
    /// </summary>
    public string Outside { get; }

    /// <summary>The feed: NetRpc's packages and their dependencies.</summary>
    public string Feed { get; }

    /// <summary>DOTNET_CLI_HOME of the commands run: where global tools go.</summary>
    public string Home { get; }

    /// <summary>
    /// The version of every package: the one rpcgen was built with (the test's build and the pack compute it alike,
    /// from the same commit).
    /// </summary>
    public string Version => RpcgenCompiler.Version;

    /// <summary>The repository (the folder of NetRpc.sln above the tests).</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>
    /// The environment of the commands run against the feed: the CLI's home and NuGet's packages inside
    /// <see cref="Root"/>, no MSBuild node or server left running, and none of the MSBuild settings
    /// <c>dotnet test</c> passes to this process.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment => IsolatedEnvironment(Home, Path.Combine(Root, "packages"));

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/>, against the feed.</summary>
    public CommandResult Dotnet(string directory, params string[] arguments) =>
        Command.Run(DotnetHost, arguments, directory, Environment, TimeSpan.FromMinutes(3));

    /// <summary>The dotnet that runs this test (the SDK under test), or the one on PATH.</summary>
    public static string DotnetHost { get; } =
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public void Dispose()
    {
        foreach (string folder in new[] { Root, Outside })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // a file still held: the temporary folder is the system's to clean
            }
        }
    }

    /// <summary>
    /// The environment of a build that must not meet this process's: no MSBuild node or server left running, none
    /// of the MSBuild settings <c>dotnet test</c> passes here; with <paramref name="home"/> and
    /// <paramref name="packages"/>, the CLI's home and NuGet's packages there too.
    /// </summary>
    internal static Dictionary<string, string?> IsolatedEnvironment(string? home, string? packages)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        if (home is not null && packages is not null)
        {
            environment["DOTNET_CLI_HOME"] = home;
            environment["NUGET_PACKAGES"] = packages;
        }

        foreach (string name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !environment.ContainsKey(name))
            {
                environment[name] = null;
            }
        }

        return environment;
    }

    /// <summary>
    /// dotnet pack, from the repository's sources but with every build output under <see cref="Root"/>
    /// (--artifacts-path): a test run building the same projects in Debug, or a developer's build, is never
    /// touched, and this pack never reuses their output. Packages restore as the repository's build does.
    /// </summary>
    private void Pack()
    {
        string filter = Path.Combine(Root, "packages.slnf");
        File.WriteAllText(filter, JsonSerializer.Serialize(new
        {
            solution = new { path = Path.Combine(Repository, "NetRpc.sln"), projects = s_packages },
        }));
        Command.Run(
            DotnetHost,
            ["pack", filter, "-c", "Release", $"-p:PackageOutputPath={Feed}", "--artifacts-path", Path.Combine(Root, "artifacts"), "-nodeReuse:false"],
            Repository,
            IsolatedEnvironment(home: null, packages: null),
            TimeSpan.FromMinutes(4)).Succeeded();
        PackRpcgen();
        foreach (string id in PackageIds)
        {
            Assert.True(File.Exists(Path.Combine(Feed, $"{id}.{Version}.nupkg")), $"{id}.{Version}.nupkg was not packed: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        }
    }

    /// <summary>
    /// rpcgen as a release on Linux x64 packs it (src/RpcGen.Tool/README.md): a package that names one per runtime,
    /// the framework-dependent one (<c>any</c>) and the Native AOT one. Where Native AOT cannot link here, the plain
    /// framework-dependent tool, as <c>dotnet pack</c> makes it by default, and the AOT tests say why they are skipped.
    /// </summary>
    private void PackRpcgen()
    {
        string[][] packs = NativeAot.MissingReason is null
            ? [["-p:PackNativeTool=true"], ["-p:PackNativeTool=true", "-r", "any"], ["-p:PackNativeTool=true", "-r", NativeAot.RuntimeIdentifier]]
            : [[]];
        foreach (string[] how in packs)
        {
            Command.Run(
                DotnetHost,
                ["pack", Path.Combine(Repository, RpcgenProject), "-c", "Release", .. how, $"-p:PackageOutputPath={Feed}", "--artifacts-path", Path.Combine(Root, "artifacts"), "-nodeReuse:false"],
                Repository,
                IsolatedEnvironment(home: null, packages: null),
                TimeSpan.FromMinutes(6)).Succeeded();
        }
    }

    /// <summary>
    /// Copies the packages NetRpc.Runtime depends on (Microsoft.Extensions.Logging.Abstractions and its own) into
    /// the feed, from where the pack's restore found them, so that the feed alone restores a NetRpc project.
    /// </summary>
    private void AddDependencies()
    {
        string assets = Path.Combine(Root, "artifacts", "obj", "NetRpc.Runtime", "project.assets.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(assets));
        JsonElement root = document.RootElement;
        string[] folders = [.. root.GetProperty("packageFolders").EnumerateObject().Select(f => f.Name)];
        foreach (JsonProperty target in root.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject().Where(l => l.Value.GetProperty("type").GetString() == "package"))
            {
                string path = root.GetProperty("libraries").GetProperty(library.Name).GetProperty("path").GetString()!;
                string nupkg = $"{path.Replace('/', '.')}.nupkg"; // id/version -> id.version.nupkg, lower case as stored
                string? source = folders.Select(f => Path.Combine(f, path, nupkg)).FirstOrDefault(File.Exists);
                Assert.True(source is not null, $"{nupkg} is not in {string.Join(", ", folders)}");
                File.Copy(source, Path.Combine(Feed, nupkg), overwrite: true);
            }
        }
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "NetRpc.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"NetRpc.sln is not above {AppContext.BaseDirectory}");
    }
}

/// <summary>The tests that use the packages: one feed for all, and one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "packages";
}
