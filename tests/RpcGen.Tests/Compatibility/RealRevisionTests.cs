using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>
/// Independent publications of one protocol, compared as if one were the next revision of the other: what the checker
/// finds is what an implementation built from one meets in a peer built from the other. The files are the system's
/// (Debian's rpcsvc-proto) and the reference files beside the repository; each test is skipped where its files are
/// missing (FilesFactAttribute).
/// </summary>
public class RealRevisionTests(ITestOutputHelper output)
{
    private static string Libnfs(string name) => Path.Combine(Corpus.Resolve("Corpus/libnfs")!, name);

    [FilesFact("/usr/include/rpcsvc/mount.x", "Debian package rpcsvc-proto")]
    public void Libnfs_mount_x_against_debians_finds_its_export_and_dump_results_without_the_optional_data()
    {
        // libnfs declares 'typedef struct exportnode MOUNT3EXPORTres;' where the protocol sends optional data
        // ('typedef exportnode *exports;'): its EXPORT and DUMP replies do not match the wire (../shared/xfiles/SOURCES.md).
        CompatibilityResult result = Run("/usr/include/rpcsvc/mount.x", Libnfs("libnfs-mount.x"));
        string[] optional = [.. result.Findings.Where(f => f.Code == "RPCG5018").Select(f => f.Diagnostic.Message[..f.Diagnostic.Message.IndexOf(':', StringComparison.Ordinal)])];
        Assert.Contains("procedure MOUNT1_DUMP result", optional);
        Assert.Contains("procedure MOUNT1_EXPORT result", optional);

        // Debian's fhstatus switches on an unsigned int, libnfs's mountres1 on the mountstat1 enum: fewer values.
        Assert.Contains(result.Findings, f => f.Code == "RPCG5021" && f.Diagnostic.Message.Contains("fhs_status", StringComparison.Ordinal));
    }

    [FilesFact("shared/xfiles/nfs4/solaris10-nfs4_prot.x", "the reference files beside the repository", requiredInCi: false)]
    public void Libnfs_nfs4_x_against_solaris_nfs4_0_extends_the_wire_without_breaking_it()
    {
        // libnfs's nfs4.x is RFC 3530's NFSv4.0 with NFSv4.1's operation numbers and errors added: what a minor version does.
        CompatibilityResult result = Run(Corpus.Resolve("shared/xfiles/nfs4/solaris10-nfs4_prot.x")!, Libnfs("libnfs-nfs4.x"));
        Assert.Equal(0, result.Count(CompatibilityCategory.WireBreaking));
        Assert.Equal(18, result.Findings.Count(f => f.Code == "RPCG5041" && f.Diagnostic.Message.StartsWith("enum nfs_opnum4:", StringComparison.Ordinal)));
        Assert.Equal(18, result.Findings.Count(f => f.Code == "RPCG5042" && f.Diagnostic.Message.StartsWith("union nfs_argop4:", StringComparison.Ordinal)));
        Assert.Equal(18, result.Findings.Count(f => f.Code == "RPCG5042" && f.Diagnostic.Message.StartsWith("union nfs_resop4:", StringComparison.Ordinal)));
    }

    [FilesFact("shared/xfiles/nfs3/solaris10-nfs_prot.x", "the reference files beside the repository", requiredInCi: false, AlsoNeeds = "/usr/include/rpcsvc/nfs_prot.x|Debian package rpcsvc-proto")]
    public void Debians_nfs_prot_x_against_solaris_numbers_nfserr_wflush_differently()
    {
        CompatibilityResult result = Run("/usr/include/rpcsvc/nfs_prot.x", Corpus.Resolve("shared/xfiles/nfs3/solaris10-nfs_prot.x")!);
        CompatibilityFinding changed = Assert.Single(result.Findings, f => f.Category == CompatibilityCategory.WireBreaking);
        Assert.Equal("RPCG5011", changed.Code);
        Assert.StartsWith("enum nfsstat: NFSERR_WFLUSH changed from 99 to 72", changed.Diagnostic.Message, StringComparison.Ordinal);
    }

    private CompatibilityResult Run(string old, string @new)
    {
        CompatibilityResult result = RpcgenCompiler.CompareCompatibility(old, @new, new DiskSources());
        Assert.True(result.Compared, Compile.Describe([.. result.Old.Diagnostics, .. result.New.Diagnostics]));
        foreach (CompatibilityFinding finding in result.Findings)
        {
            output.WriteLine(finding.ToString());
        }

        return result;
    }
}
