using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// The generated code checked into the repository is exactly what the generator makes now, so a change to the
/// generator shows in review as a change to these files. They are not only read: Interop.Tests and the
/// benchmarks compile and run them. NETRPC_UPDATE_GOLDEN=1 rewrites them instead of comparing.
/// </summary>
public class GoldenFileTests
{
    /// <summary>
    /// Each .x file, where its generated files live, the namespace they were generated with, and its pooled opaque data
    /// (GenerationOptions.AllOpaquePooled; PooledOpaque, names separated by commas). The files of pooled.x are only
    /// compared, not compiled by a project (PooledOpaqueTests compiles what the generator makes).
    /// </summary>
    public static TheoryData<string, string, string?, bool, string?> Sets => new()
    {
        { "tests/Interop.Tests/Protocols/my_proto.x", "tests/Interop.Tests/Generated", null, false, null },
        { "tests/Interop.Tests/Protocols/rich.x", "tests/Interop.Tests/Generated", null, false, null },
        { "bench/bench.x", "bench/BenchProtocol/Generated", "NetRpc.Bench.Protocol", false, "opaque_blob" },
        { "src/RpcRuntime/Binding/rpcbind.x", "src/RpcRuntime/Binding/Generated", "NetRpc.Runtime.Binding", false, null },
        { "tests/RpcGen.Tests/Corpus/libnfs/libnfs-nfs4.x", "tests/Fuzz/Generated", "NetRpc.Fuzz.Nfs4", false, null },
        { "tests/RpcGen.Tests/Emit/Golden/pooled.x", "tests/RpcGen.Tests/Emit/Golden/PooledByName", "Pooled.ByName", false, PooledOpaqueTests.ByName },
        { "tests/RpcGen.Tests/Emit/Golden/pooled.x", "tests/RpcGen.Tests/Emit/Golden/PooledAll", "Pooled.All", true, null },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void The_checked_in_generated_code_is_what_the_generator_makes(string input, string folder, string? @namespace, bool allPooled, string? pooled)
    {
        string root = Corpus.RepositoryRoot ?? throw new InvalidOperationException("the repository is not above the test's output folder");
        var generation = new GenerationOptions { Namespace = @namespace, AllOpaquePooled = allPooled, PooledOpaque = pooled?.Split(',') ?? [] };
        GenerateResult result = RpcgenCompiler.Generate(Path.Combine(root, input), new DiskSources(), generation: generation);
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Equal(3, result.Files.Count);
        bool update = Environment.GetEnvironmentVariable("NETRPC_UPDATE_GOLDEN") == "1";
        foreach (GeneratedFile file in result.Files)
        {
            string path = Path.Combine(root, folder, file.Name);
            if (update)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, file.Text);
                continue;
            }

            Assert.True(File.Exists(path), $"{path} is missing; run the tests with NETRPC_UPDATE_GOLDEN=1 to write it");
            Assert.True(File.ReadAllText(path) == file.Text, $"{path} differs from what the generator makes now; if the change is intended, run the tests with NETRPC_UPDATE_GOLDEN=1 and review the diff");
        }
    }
}
