using System.IO.Compression;
using System.Xml.Linq;
using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// What each package tells NuGet and its users: a readme inside it, the licence as an SPDX expression, the
/// repository's URLs where the git remote gives them, the commit it was built from, and a symbols package beside it.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageMetadataTests(PackageFeed feed)
{
    [Theory]
    [InlineData("NetRpc.Xdr", "NetRpc.Xdr")]
    [InlineData("NetRpc.Runtime", "NetRpc.Runtime")]
    [InlineData("NetRpc.RpcGen.MSBuild", "NetRpc.RpcGen.MSBuild")]
    [InlineData("NetRpc.Rpcbind.Tool", "netrpc-rpcbind")]
    [InlineData("NetRpc.RpcInfo.Tool", "netrpc-rpcinfo")]
    [InlineData("NetRpc.Resilience", "NetRpc.Resilience")]
    [InlineData("NetRpc.DuplicateRequests.Redis", "NetRpc.DuplicateRequests.Redis")]
    public void A_package_carries_its_readme_its_licence_and_its_symbols(string id, string assembly)
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));
        XElement metadata = Nuspec(package, id);
        XNamespace ns = metadata.Name.Namespace;

        Assert.Equal(feed.Version, (string?)metadata.Element(ns + "version"));
        Assert.Equal("README.md", (string?)metadata.Element(ns + "readme"));
        string readme = new StreamReader(package.GetEntry("README.md")!.Open()).ReadToEnd();
        Assert.StartsWith($"# {id}", readme, StringComparison.Ordinal);

        XElement license = metadata.Element(ns + "license")!;
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.True(File.Exists(Path.Combine(PackageFeed.Repository, "LICENSE")));

        // The repository: the commit always (git is there); the URLs exactly when the git remote has one.
        XElement? repository = metadata.Element(ns + "repository");
        string? remote = RemoteUrl();
        if (GitFactAttribute.MissingReason is null)
        {
            Assert.Equal(Git("rev-parse", "HEAD"), (string?)repository?.Attribute("commit"));
        }

        Assert.Equal(remote, (string?)repository?.Attribute("url"));
        Assert.Equal(remote is null ? null : remote.EndsWith(".git", StringComparison.Ordinal) ? remote[..^4] : remote, (string?)metadata.Element(ns + "projectUrl"));

        // The symbols package: the PDB of the package's own assembly, at the assembly's path.
        string symbols = Path.Combine(feed.Feed, $"{id}.{feed.Version}.snupkg");
        Assert.True(File.Exists(symbols), $"no {Path.GetFileName(symbols)}");
        using ZipArchive snupkg = ZipFile.OpenRead(symbols);
        ZipArchiveEntry dll = Assert.Single(package.Entries, e => e.Name == $"{assembly}.dll");
        Assert.NotNull(snupkg.GetEntry(Path.ChangeExtension(dll.FullName, ".pdb")));
    }

    /// <summary>
    /// rpcgen, packed natively (where Native AOT links here), is three packages (the .NET 10 SDK's RID-specific
    /// tools): NetRpc.RpcGen.Tool carries the readme and the licence and names the others; NetRpc.RpcGen.Tool.any the
    /// framework-dependent tool with its symbols; NetRpc.RpcGen.Tool.linux-x64 the native one. Packed plainly, it is
    /// the framework-dependent tool in one package.
    /// </summary>
    [Fact]
    public void Rpcgen_carries_its_readme_its_licence_and_its_symbols_in_one_package_or_names_one_per_runtime()
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"NetRpc.RpcGen.Tool.{feed.Version}.nupkg"));
        XElement metadata = Nuspec(package, "NetRpc.RpcGen.Tool");
        XNamespace ns = metadata.Name.Namespace;
        Assert.Equal("README.md", (string?)metadata.Element(ns + "readme"));
        Assert.StartsWith("# NetRpc.RpcGen.Tool", new StreamReader(package.GetEntry("README.md")!.Open()).ReadToEnd(), StringComparison.Ordinal);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);

        string withCode = "NetRpc.RpcGen.Tool";
        if (NativeAot.MissingReason is null)
        {
            Assert.DoesNotContain(package.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal));
            XElement settings = XElement.Load(package.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open());
            string[] ids = [.. settings.Descendants("RuntimeIdentifierPackage").Select(p => (string)p.Attribute("Id")!)];
            Assert.Equal([$"NetRpc.RpcGen.Tool.{NativeAot.RuntimeIdentifier}", "NetRpc.RpcGen.Tool.any"], ids);
            Assert.All(ids, id => Assert.True(File.Exists(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg")), $"{id} is named but not packed"));
            withCode = "NetRpc.RpcGen.Tool.any";
        }

        using ZipArchive code = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{withCode}.{feed.Version}.nupkg"));
        using ZipArchive snupkg = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{withCode}.{feed.Version}.snupkg"));
        ZipArchiveEntry dll = Assert.Single(code.Entries, e => e.Name == "rpcgen.dll");
        Assert.NotNull(snupkg.GetEntry(Path.ChangeExtension(dll.FullName, ".pdb")));
    }

    /// <summary>NetRpc.Runtime's Native AOT settings reach whatever references it, however deep (buildTransitive).</summary>
    [Fact]
    public void The_runtime_brings_its_native_AOT_settings_to_what_references_it()
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"NetRpc.Runtime.{feed.Version}.nupkg"));
        ZipArchiveEntry targets = Assert.Single(package.Entries, e => e.FullName == "buildTransitive/NetRpc.Runtime.targets");
        XElement project = XElement.Load(targets.Open());
        XElement item = Assert.Single(project.Descendants("DirectPInvoke"));
        Assert.Equal("libc", (string?)item.Attribute("Include"));
        Assert.Contains("'$(PublishAot)' == 'true'", (string?)item.Parent!.Attribute("Condition"), StringComparison.Ordinal);
    }

    [GitFact]
    public void The_version_counts_the_commits_of_the_repository()
    {
        Assert.Equal($"0.1.0-dev.{Git("rev-list", "--count", "HEAD")}", feed.Version);
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using Stream stream = package.GetEntry($"{id}.nuspec")!.Open();
        XElement root = XElement.Load(stream);
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    /// <summary>The https URL of the remote origin, as SourceLink publishes it (the clone URL), or null when there is none.</summary>
    private static string? RemoteUrl()
    {
        if (GitFactAttribute.MissingReason is not null)
        {
            return null;
        }

        CommandResult remote = Command.Run(GitFactAttribute.Git!, ["remote", "get-url", "origin"], PackageFeed.Repository, PackageFeed.IsolatedEnvironment(null, null), TimeSpan.FromMinutes(1));
        string url = remote.Output.Trim();
        return remote.ExitCode == 0 && url.StartsWith("https://", StringComparison.Ordinal) ? url : null;
    }

    private static string Git(params string[] arguments) =>
        Command.Run(GitFactAttribute.Git!, arguments, PackageFeed.Repository, PackageFeed.IsolatedEnvironment(null, null), TimeSpan.FromMinutes(1)).Succeeded().Output.Trim();
}
