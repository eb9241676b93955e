using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Xml.Linq;
using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// SourceLink as a published clone gets it: the repository's clones here have no https remote (CI clones a folder),
/// so the package feed's packs carry no repository URL. This clone is given a GitHub remote, and a package packed
/// from it says where it came from: the nuspec's repository and project URLs, and in its symbols package a PDB whose
/// SourceLink maps every source file to that commit's raw file on GitHub (the .NET SDK's SourceLink; nothing of the
/// network is used).
/// </summary>
public sealed class SourceLinkTests : IDisposable
{
    /// <summary>SourceLink's custom debug information in a portable PDB (System.Reflection.Metadata's PortablePdb docs).</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private readonly string _root = Directory.CreateTempSubdirectory("netrpc-sourcelink-").FullName;

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
    public void A_clone_with_a_GitHub_remote_packs_its_repository_URL_and_source_links_to_its_commit()
    {
        const string Remote = "https://github.com/netrpc/netrpc";
        string clone = Path.Combine(_root, "netrpc");
        string git = GitFactAttribute.Git ?? "git";
        Dictionary<string, string?> environment = PackageFeed.IsolatedEnvironment(home: null, packages: null);
        Command.Run(git, ["clone", "--quiet", "--no-hardlinks", PackageFeed.Repository, clone], _root, environment, TimeSpan.FromMinutes(2)).Succeeded();
        Command.Run(git, ["remote", "set-url", "origin", Remote + ".git"], clone, environment, TimeSpan.FromMinutes(1)).Succeeded();
        string commit = Command.Run(git, ["rev-parse", "HEAD"], clone, environment, TimeSpan.FromMinutes(1)).Succeeded().Output.Trim();

        string feed = Path.Combine(_root, "feed");
        Command.Run(
            PackageFeed.DotnetHost,
            ["pack", "src/Xdr", "-c", "Release", $"-p:PackageOutputPath={feed}", "--artifacts-path", Path.Combine(_root, "artifacts"), "-nodeReuse:false"],
            clone,
            environment,
            TimeSpan.FromMinutes(4)).Succeeded();

        string package = Assert.Single(Directory.GetFiles(feed, "NetRpc.Xdr.*.nupkg"));
        using (ZipArchive nupkg = ZipFile.OpenRead(package))
        {
            using Stream nuspec = nupkg.GetEntry("NetRpc.Xdr.nuspec")!.Open();
            XElement metadata = XElement.Load(nuspec).Elements().Single(e => e.Name.LocalName == "metadata");
            XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal(Remote + ".git", (string?)repository.Attribute("url")); // the clone URL, as the remote has it
            Assert.Equal(commit, (string?)repository.Attribute("commit"));
            Assert.Equal(Remote, metadata.Elements().Single(e => e.Name.LocalName == "projectUrl").Value); // its web page
        }

        using ZipArchive snupkg = ZipFile.OpenRead(Path.ChangeExtension(package, ".snupkg"));
        ZipArchiveEntry pdb = Assert.Single(snupkg.Entries, e => e.Name == "NetRpc.Xdr.pdb");
        using var pdbBytes = new MemoryStream();
        using (Stream stream = pdb.Open())
        {
            stream.CopyTo(pdbBytes);
        }

        pdbBytes.Position = 0;
        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(pdbBytes);
        MetadataReader reader = provider.GetMetadataReader();
        BlobHandle blob = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation).Single(i => reader.GetGuid(i.Kind) == SourceLinkKind).Value;
        using JsonDocument links = JsonDocument.Parse(reader.GetBlobBytes(blob));
        Dictionary<string, string> documents = links.RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        // The clone's folder (or /_/, where a CI build maps source paths deterministically) maps to the commit's raw
        // files: every source of the assembly is found there.
        KeyValuePair<string, string> map = Assert.Single(documents);
        Assert.Contains(map.Key, new[] { clone + "/*", "/_/*" });
        Assert.Equal($"https://raw.githubusercontent.com/netrpc/netrpc/{commit}/*", map.Value);
        string[] sources = [.. reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).Where(n => n.EndsWith(".cs", StringComparison.Ordinal) && !n.Contains("/obj/", StringComparison.Ordinal) && !n.Contains("/artifacts/", StringComparison.Ordinal))];
        Assert.Contains(sources, s => s.EndsWith("XdrReader.cs", StringComparison.Ordinal));
        Assert.All(sources, s => Assert.StartsWith(map.Key.TrimEnd('*'), s, StringComparison.Ordinal));
    }
}
