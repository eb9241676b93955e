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

    [Fact]
    public void With_all_opaque_data_pooled_the_libnfs_files_compile_clean_too()
    {
        foreach (string file in Directory.GetFiles(Corpus.Resolve("Corpus/libnfs")!, "*.x").Order(StringComparer.Ordinal))
        {
            GenerateAndCompile(file, pooled: new GenerationOptions { AllOpaquePooled = true });
        }
    }

    [Fact]
    public void NFSv3_with_its_READ_and_WRITE_data_pooled_compiles_clean()
    {
        // The NFS payloads the option is for, named as members: WRITE3args.data and READ3resok.data are opaque data<>.
        IReadOnlyList<GeneratedFile> files = GenerateAndCompile(Path.Combine(Corpus.Resolve("Corpus/libnfs")!, "libnfs-nfs.x"), pooled: new GenerationOptions { PooledOpaque = ["WRITE3args.data", "READ3resok.data", "nfsdata2"] });
        string types = files.Single(f => f.Output == GeneratedOutputs.Types).Text;
        Assert.Equal(4, types.Split("public global::NetRpc.Xdr.PooledOpaque Data { get; set; }").Length - 1); // WRITE3args, READ3resok, and v2's two nfsdata2
        Assert.Contains("public byte[] Data { get; set; }", types, StringComparison.Ordinal); // nfs_fh3.data is not named
    }

    private IReadOnlyList<GeneratedFile> GenerateAndCompile(string file, GeneratedAccess access = GeneratedAccess.Public, NameStyle names = NameStyle.Pascal, GenerationOptions? pooled = null)
    {
        var generation = (pooled ?? GenerationOptions.Default) with { Outputs = GeneratedOutputs.All, Access = access };
        GenerateResult result = RpcgenCompiler.Generate(file, new DiskSources(), new CompilerOptions { Names = names }, generation);
        Assert.False(result.HasErrors, $"{file}:\n{Compile.Describe(result.Diagnostics)}");
        string[] diagnostics = CSharpBuild.Diagnostics(result.Files);
        Assert.True(diagnostics.Length == 0, $"{file}: {diagnostics.Length} diagnostics:\n{string.Join('\n', diagnostics.Take(40))}");
        output.WriteLine($"{Path.GetFileName(file)}: {result.Files.Count} files, {result.Files.Sum(f => f.Text.Length)} characters");
        return result.Files;
    }
}
