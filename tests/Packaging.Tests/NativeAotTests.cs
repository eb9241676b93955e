using System.IO.Compression;
using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// Native AOT (issue 16): rpcgen from the feed is native code on Linux x64 and writes what the framework-dependent
/// rpcgen writes, byte for byte, for every .x file at hand; samples/my_proto and samples/my_proto_hosted, published
/// with PublishAot, run the classic example end to end.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class NativeAotTests(PackageFeed feed)
{
    [NativeAotFact]
    public void Rpcgen_installs_as_native_code_and_writes_what_the_framework_dependent_rpcgen_writes()
    {
        Assert.Null(NativeAot.MissingReason);
        string work = Directory.CreateDirectory(Path.Combine(feed.Root, "aot rpcgen")).FullName;
        string tools = Path.Combine(work, "tools");
        feed.Dotnet(work, "tool", "install", "NetRpc.RpcGen.Tool", "--version", feed.Version, "--tool-path", tools).Succeeded();

        // The command the CLI installed is the native executable of the linux-x64 package, not an app host.
        string native = new FileInfo(Path.Combine(tools, "dotnet-rpcgen")).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? Path.Combine(tools, "dotnet-rpcgen");
        Assert.Contains($"netrpc.rpcgen.tool.{NativeAot.RuntimeIdentifier}", native, StringComparison.Ordinal);
        Assert.Equal("\u007FELF"u8.ToArray(), File.ReadAllBytes(native)[..4]);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(native)!, "rpcgen.dll")), "the native package carries .NET assemblies");

        // The framework-dependent rpcgen: the package every other machine installs.
        string any = Path.Combine(work, "any");
        ZipFile.ExtractToDirectory(Path.Combine(feed.Feed, $"NetRpc.RpcGen.Tool.any.{feed.Version}.nupkg"), any);
        string dll = Path.Combine(any, "tools", "net10.0", "any", "rpcgen.dll");

        string[] corpus = CorpusFiles();
        Assert.True(corpus.Length >= 14, $"only {corpus.Length} .x files found");
        foreach (string file in corpus)
        {
            string name = Path.GetFileName(file);
            string viaNative = Generate(work, file, "native", native, []);
            string viaDotnet = Generate(work, file, "framework-dependent", PackageFeed.DotnetHost, [dll]);
            AssertSameFolders(viaDotnet, viaNative, name);
        }
    }

    /// <summary>The classic example, plain and in a generic host (NetRpc.Hosting: DI, options, configuration binding).</summary>
    [NativeAotTheory]
    [InlineData("my_proto")]
    [InlineData("my_proto_hosted")]
    public void The_samples_published_with_native_AOT_serve_and_call_the_classic_example(string sample)
    {
        Assert.Null(NativeAot.MissingReason);
        string output = Path.Combine(feed.Root, $"aot {sample}");
        CommandResult publish = Command.Run(
            PackageFeed.DotnetHost,
            ["publish", Path.Combine(PackageFeed.Repository, "samples", sample), "-c", "Release", "-r", NativeAot.RuntimeIdentifier, "-p:PublishAot=true",
             "-o", output, "--artifacts-path", Path.Combine(feed.Root, $"aot {sample} artifacts"), "-nodeReuse:false"],
            PackageFeed.Repository,
            PackageFeed.IsolatedEnvironment(home: null, packages: null),
            TimeSpan.FromMinutes(6)).Succeeded();
        Assert.DoesNotMatch(@"warning [A-Z]+\d+", publish.Output); // no trimming or AOT warning (IL2xxx, IL3xxx) or any other
        string program = Path.Combine(output, sample);
        Assert.Equal("\u007FELF"u8.ToArray(), File.ReadAllBytes(program)[..4]);
        Assert.False(File.Exists(Path.Combine(output, $"{sample}.dll")), "the AOT publish left a .NET assembly to run");
        if (sample == "my_proto")
        {
            // A program that sets no TLS links no SslStream (TlsEngine): 4.2 MB on .NET 10 with, 7.6 MB when it was linked,
            // which the server's start felt (bench/first-reply.sh).
            long size = new FileInfo(program).Length;
            Assert.True(size < 6_000_000, $"the native my_proto is {size:N0} bytes: has SslStream been linked into a program without TLS?");
        }

        // Without arguments the sample serves TEST_PROG, registers it with rpcbind (its own, when none answers), and
        // calls TEST over UDP and TCP, where nothing meets the host's rpcbind.
        CommandResult run = Isolated.Run(program, [], output, PackageFeed.IsolatedEnvironment(home: null, packages: null)).Succeeded();
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("TEST_PROG version TEST_VERS serves on TCP ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["The result from RPC is 100", "The result from RPC is 100"], lines[1..]);
    }

    /// <summary>Every .x file of the repository, and the system's rpcsvc files where rpcsvc-proto installed them.</summary>
    private static string[] CorpusFiles()
    {
        IEnumerable<string> ours = Directory.EnumerateFiles(PackageFeed.Repository, "*.x", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(PackageFeed.Repository, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" || part.StartsWith('.')));
        IEnumerable<string> system = Directory.Exists("/usr/include/rpcsvc") ? Directory.EnumerateFiles("/usr/include/rpcsvc", "*.x") : [];
        return [.. ours.Concat(system).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// <c>rpcgen -a FILE</c> in a folder of its own holding only a copy of the file; returns the folder, with what
    /// the tool printed and its exit code beside what it wrote.
    /// </summary>
    private string Generate(string work, string file, string how, string program, string[] before)
    {
        string folder = Path.Combine(work, "corpus", how, Path.GetRelativePath("/", file).Replace(Path.DirectorySeparatorChar, '_'));
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        CommandResult result = Command.Run(program, [.. before, "-a", Path.GetFileName(file)], folder, feed.Environment, TimeSpan.FromMinutes(1));
        File.WriteAllText(Path.Combine(folder, "rpcgen.result"), $"exit {result.ExitCode}\n{result.Output}");
        return folder;
    }

    private static void AssertSameFolders(string expected, string actual, string name)
    {
        string[] files = [.. Directory.GetFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(files, Directory.GetFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string file in files)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))),
                $"{name}: {file} differs between the framework-dependent and the native rpcgen:\n{File.ReadAllText(Path.Combine(actual, file))}");
        }
    }
}
