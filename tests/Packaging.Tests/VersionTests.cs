using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// Every commit packs a higher version: a package packed before a commit and one packed after it never share a
/// number, so the NuGet cache cannot hand a user the older build under the newer one's name.
/// </summary>
public sealed class VersionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("netrpc-version-").FullName;

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
    public void A_pack_after_a_commit_has_a_higher_version()
    {
        string clone = Path.Combine(_root, "clone");
        Dictionary<string, string?> environment = PackageFeed.IsolatedEnvironment(home: null, packages: null);
        string git = GitFactAttribute.Git ?? "git";
        Command.Run(git, ["clone", "--quiet", "--no-hardlinks", PackageFeed.Repository, clone], _root, environment, TimeSpan.FromMinutes(2)).Succeeded();

        Version before = Pack(clone, "before", environment);
        Command.Run(git, ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "--allow-empty", "-m", "a commit"], clone, environment, TimeSpan.FromMinutes(1)).Succeeded();
        Version after = Pack(clone, "after", environment);

        Assert.True(after > before, $"packed {after} after a commit, {before} before it");
        Assert.Equal(before.Revision + 1, after.Revision);
    }

    /// <summary>Packs NetRpc.Xdr (it depends on nothing) and returns its version, 0.1.0-dev.N read as 0.1.0.N.</summary>
    private Version Pack(string clone, string name, IReadOnlyDictionary<string, string?> environment)
    {
        string output = Path.Combine(_root, name);
        Command.Run(
            PackageFeed.DotnetHost,
            ["pack", "src/Xdr/NetRpc.Xdr.csproj", "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(_root, $"artifacts-{name}"), "-nodeReuse:false"],
            clone,
            environment,
            TimeSpan.FromMinutes(4)).Succeeded();
        string package = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(output, "NetRpc.Xdr.*.nupkg")));
        System.Text.RegularExpressions.Match version = System.Text.RegularExpressions.Regex.Match(package, @"^NetRpc\.Xdr\.(\d+)\.(\d+)\.(\d+)-dev\.(\d+)$");
        Assert.True(version.Success, $"{package} is not NetRpc.Xdr.X.Y.Z-dev.N");
        return new Version(int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(version.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(version.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(version.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
