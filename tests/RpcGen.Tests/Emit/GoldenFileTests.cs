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
    /// <summary>Each .x file, where its generated files live, and the namespace they were generated with.</summary>
    public static TheoryData<string, string, string?> Sets => new()
    {
        { "tests/Interop.Tests/Protocols/my_proto.x", "tests/Interop.Tests/Generated", null },
        { "tests/Interop.Tests/Protocols/rich.x", "tests/Interop.Tests/Generated", null },
        { "bench/bench.x", "bench/BenchProtocol/Generated", "NetRpc.Bench.Protocol" },
        { "src/RpcRuntime/Binding/rpcbind.x", "src/RpcRuntime/Binding/Generated", "NetRpc.Runtime.Binding" },
        { "tests/RpcGen.Tests/Corpus/libnfs/libnfs-nfs4.x", "tests/Fuzz/Generated", "NetRpc.Fuzz.Nfs4" },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void The_checked_in_generated_code_is_what_the_generator_makes(string input, string folder, string? @namespace)
    {
        string root = Corpus.RepositoryRoot ?? throw new InvalidOperationException("the repository is not above the test's output folder");
        GenerateResult result = RpcgenCompiler.Generate(Path.Combine(root, input), new DiskSources(), generation: new GenerationOptions { Namespace = @namespace });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Equal(3, result.Files.Count);
        bool update = Environment.GetEnvironmentVariable("NETRPC_UPDATE_GOLDEN") == "1";
        foreach (GeneratedFile file in result.Files)
        {
            string path = Path.Combine(root, folder, file.Name);
            if (update)
            {
                File.WriteAllText(path, file.Text);
                continue;
            }

            Assert.True(File.Exists(path), $"{path} is missing; run the tests with NETRPC_UPDATE_GOLDEN=1 to write it");
            Assert.True(File.ReadAllText(path) == file.Text, $"{path} differs from what the generator makes now; if the change is intended, run the tests with NETRPC_UPDATE_GOLDEN=1 and review the diff");
        }
    }
}
