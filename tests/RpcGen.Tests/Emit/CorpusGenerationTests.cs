using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Tests.Checking;
using NetRpc.RpcGen.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// Every real .x file generates C# (types, client, server and samples) that compiles with no error and no
/// warning, with nullable reference types on and XML documentation checked.
/// </summary>
public class CorpusGenerationTests(ITestOutputHelper output)
{
    [Fact]
    public void Libnfs_files_generate_code_that_compiles_clean()
    {
        string[] files = Directory.GetFiles(Corpus.Resolve("Corpus/libnfs")!, "*.x");
        Assert.True(files.Length >= 4);
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            GenerateAndCompile(file);
        }
    }

    [FilesFact("/usr/include/rpcsvc/nfs_prot.x", "Debian package rpcsvc-proto")]
    public void Debian_rpcsvc_proto_files_generate_code_that_compiles_clean()
    {
        foreach (string file in CorpusTests.RpcsvcProtoFiles)
        {
            GenerateAndCompile(Path.Combine("/usr/include/rpcsvc", file));
        }
    }

    [FilesFact("/usr/include/rpcsvc/nis.x", "Debian package libnsl-dev")]
    public void Debian_libnsl_files_generate_code_that_compiles_clean()
    {
        foreach (string file in new[] { "nis.x", "nis_object.x", "yp.x", "yppasswd.x" })
        {
            GenerateAndCompile(Path.Combine("/usr/include/rpcsvc", file));
        }
    }

    [FilesFact("/usr/include/tirpc", "Debian package libtirpc-dev")]
    public void Libtirpc_files_generate_code_that_compiles_clean()
    {
        GenerateAndCompile("/usr/include/tirpc/rpc/rpcb_prot.x");
        GenerateAndCompile("/usr/include/tirpc/rpcsvc/crypt.x");
    }

    [FilesFact("shared/xfiles", "the reference files beside the repository", requiredInCi: false)]
    public void Solaris_derived_files_beside_the_repository_generate_code_that_compiles_clean()
    {
        foreach (string file in Directory.GetFiles(Corpus.Resolve("shared/xfiles")!, "solaris10-*.x", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            GenerateAndCompile(file);
        }
    }

    [Theory]
    [InlineData(GeneratedAccess.Internal, NameStyle.Keep)]
    [InlineData(GeneratedAccess.Public, NameStyle.Keep)]
    public void The_options_for_access_and_names_compile_clean_too(GeneratedAccess access, NameStyle names)
    {
        foreach (string file in Directory.GetFiles(Corpus.Resolve("Corpus/libnfs")!, "*.x").Order(StringComparer.Ordinal))
        {
            GenerateAndCompile(file, access, names);
        }
    }

    private void GenerateAndCompile(string file, GeneratedAccess access = GeneratedAccess.Public, NameStyle names = NameStyle.Pascal)
    {
        GenerateResult result = RpcgenCompiler.Generate(file, new DiskSources(), new CompilerOptions { Names = names }, new GenerationOptions { Outputs = GeneratedOutputs.All, Access = access });
        Assert.False(result.HasErrors, $"{file}:\n{Compile.Describe(result.Diagnostics)}");
        string[] diagnostics = CSharpBuild.Diagnostics(result.Files);
        Assert.True(diagnostics.Length == 0, $"{file}: {diagnostics.Length} diagnostics:\n{string.Join('\n', diagnostics.Take(40))}");
        output.WriteLine($"{Path.GetFileName(file)}: {result.Files.Count} files, {result.Files.Sum(f => f.Text.Length)} characters");
    }
}
