using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>
/// Real .x files, as rpcgen users have them, parse and check with zero errors: Debian's rpcsvc-proto and
/// libnsl-dev files, libtirpc's rpcb_prot.x and crypt.x, libnfs's NFSv3, MOUNT, NLM and NFSv4 files (shipped in
/// Corpus/), and the Solaris-derived files beside the repository (read from ../shared, never copied).
/// </summary>
public class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Libnfs_files_check_clean() => CheckAll(Corpus.Resolve("Corpus/libnfs")!, expectedAtLeast: 4);

    /// <summary>What Debian's rpcsvc-proto 1.4.3 installs (dpkg -L rpcsvc-proto).</summary>
    public static readonly string[] RpcsvcProtoFiles =
    [
        "bootparam_prot.x", "key_prot.x", "klm_prot.x", "mount.x", "nfs_prot.x", "nlm_prot.x",
        "rex.x", "rquota.x", "rstat.x", "rusers.x", "sm_inter.x", "spray.x",
    ];

    [FilesFact("/usr/include/rpcsvc/nfs_prot.x", "Debian package rpcsvc-proto")]
    public void Debian_rpcsvc_proto_files_check_clean()
    {
        foreach (string file in RpcsvcProtoFiles)
        {
            CheckOne(Path.Combine("/usr/include/rpcsvc", file));
        }
    }

    [FilesFact("/usr/include/rpcsvc/nis.x", "Debian package libnsl-dev")]
    public void Debian_libnsl_files_check_clean()
    {
        foreach (string file in new[] { "nis.x", "nis_object.x", "yp.x", "yppasswd.x" })
        {
            CheckOne(Path.Combine("/usr/include/rpcsvc", file));
        }
    }

    /// <summary>
    /// Debian's yp.x, the copy the runtime's tests generate from (tests/RpcRuntime.Tests/Yp): its unions on bool
    /// switch on TRUE and FALSE, which are XDR's own names (RFC 4506 section 4.4), so it draws no diagnostic at all
    /// and a build that treats warnings as errors takes it.
    /// </summary>
    [Fact]
    public void Debian_yp_x_checks_with_no_diagnostic_at_all()
    {
        CheckResult result = RpcgenCompiler.Check(Path.Combine(Corpus.RepositoryRoot!, "tests/RpcRuntime.Tests/Yp/yp.x"), new DiskSources());
        Assert.True(result.Diagnostics.Count == 0, Compile.Describe(result.Diagnostics));
        Assert.Contains(result.Specification!.Types, t => t.Name == "ypresp_all");
    }

    /// <summary>
    /// nis_callback.x takes nis_object and nis_error from the C header rpcsvc/nis.h (through a %#include), not
    /// from any .x file: rpcgen passes the names to the C compiler unchecked, but for an XDR compiler they are
    /// undefined, and NetRpc says exactly that.
    /// </summary>
    [FilesFact("/usr/include/rpcsvc/nis_callback.x", "Debian package libnsl-dev")]
    public void Nis_callback_reports_the_types_it_takes_from_a_c_header()
    {
        CheckResult result = RpcgenCompiler.Check("/usr/include/rpcsvc/nis_callback.x", new DiskSources());
        Assert.Equal(
            ["RPCG2002 type 'nis_object' is not defined", "RPCG2002 type 'nis_error' is not defined"],
            result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Code} {d.Message}"));
    }

    [FilesFact("/usr/include/tirpc", "Debian package libtirpc-dev")]
    public void Libtirpc_files_check_clean()
    {
        CheckOne("/usr/include/tirpc/rpc/rpcb_prot.x");
        CheckOne("/usr/include/tirpc/rpcsvc/crypt.x");
    }

    [FilesFact("shared/xfiles", "the reference files beside the repository", requiredInCi: false)]
    public void Solaris_derived_files_beside_the_repository_check_clean()
    {
        string folder = Corpus.Resolve("shared/xfiles")!;
        string[] files = Directory.GetFiles(folder, "solaris10-*.x", SearchOption.AllDirectories);
        Assert.Equal(3, files.Length);
        foreach (string file in files)
        {
            CheckOne(file);
        }
    }

    private void CheckAll(string folder, int expectedAtLeast)
    {
        string[] files = Directory.GetFiles(folder, "*.x");
        Assert.True(files.Length >= expectedAtLeast, $"{folder} holds {files.Length} .x files, expected at least {expectedAtLeast}");
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            CheckOne(file);
        }
    }

    private void CheckOne(string file)
    {
        CheckResult result = RpcgenCompiler.Check(file, new DiskSources());
        Diagnostic[] errors = [.. result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.Length == 0, $"{file}:\n{Compile.Describe(errors)}");
        Assert.NotNull(result.Specification);
        Assert.NotEmpty(result.Specification.Definitions);
        output.WriteLine($"{Path.GetFileName(file)}: {result.Specification.Definitions.Length} definitions, {result.Diagnostics.Count} warnings");
        foreach (Diagnostic warning in result.Diagnostics)
        {
            output.WriteLine($"  {warning}");
        }
    }
}
