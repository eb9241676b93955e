using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>
/// A revision of a real protocol: libnfs's nfs.x (NFS versions 2 and 3) against a copy edited the way such files are
/// edited, with every edit listed here, and the checker's whole report recorded in libnfs-nfs.history.txt (a reviewer
/// sees a change to the checker as a change to that file; NETRPC_UPDATE_GOLDEN=1 rewrites it). Two published revisions
/// of one file are not in the repository; RealRevisionTests compares independent publications of one protocol where
/// the machine has them.
/// </summary>
public class HistoryTests
{
    private const string OldName = "libnfs-nfs.x";
    private const string NewName = "libnfs-nfs.next.x";

    /// <summary>The edits, each with what a reviewer should expect the checker to say about it.</summary>
    private static readonly (string Was, string Is, string Expect)[] s_edits =
    [
        // RPCG5010, wire-breaking: two fields of one type swapped.
        ("\tnfstime3    mtime;\n\tnfstime3    ctime;\n};", "\tnfstime3    ctime;\n\tnfstime3    mtime;\n};", "wcc_attr's mtime and ctime swapped"),
        // Nothing: peers built from the old file answer PROC_UNAVAIL, which new clients must expect anyway.
        ("NFS3_COMMIT(COMMIT3args)           = 21;", "NFS3_COMMIT(COMMIT3args)           = 21;\n\n\t\tCOMMIT3res\n\t\tNFS3_COMMIT_RANGE(COMMIT3args)     = 22;", "a procedure added"),
        // RPCG5041, for new readers only: an error code added to nfsstat3.
        ("NFS3ERR_JUKEBOX     = 10008\n", "NFS3ERR_JUKEBOX     = 10008,\n\tNFS3ERR_DELAY       = 10013\n", "an enum value added"),
        // RPCG5019, wire-breaking, once at the typedef though filename3 is used in many places.
        ("typedef string filename3<>;", "typedef string filename3<255>;", "a bound narrowed"),
        // RPCG5044, for new readers only, at nfs_fh3's field: the constant itself is not reported.
        ("const NFS3_FHSIZE    = 64;", "const NFS3_FHSIZE    = 128;", "a constant raised that is a bound"),
        // RPCG5063, source-breaking only.
        ("NFS3_NULL(void)", "NFSPROC3_NULL(void)", "a procedure renamed"),
        // Nothing: uint32_t is unsigned int (RPCG3001 in the new file, a warning of the file, not of the comparison).
        ("typedef unsigned int count3;", "typedef uint32_t count3;", "a typedef written another way"),
    ];

    [Fact]
    public void An_edited_libnfs_nfs_x_reports_exactly_the_recorded_changes()
    {
        string original = File.ReadAllText(Path.Combine(Corpus.Resolve("Corpus/libnfs")!, "libnfs-nfs.x")).ReplaceLineEndings("\n");
        string edited = original;
        foreach ((string was, string @is, string expect) in s_edits)
        {
            Assert.True(edited.Split(was).Length == 2, $"the edit '{expect}' expects '{was}' once in libnfs-nfs.x");
            edited = edited.Replace(was, @is, StringComparison.Ordinal);
        }

        CompatibilityResult result = RpcgenCompiler.CompareCompatibility(OldName, NewName, new InMemorySources((OldName, original), (NewName, edited)));
        Assert.True(result.Compared, Compare.Describe(result.Findings));
        string report = string.Join('\n', result.Findings.Select(f => f.ToString())) + "\n";

        string golden = Path.Combine(Corpus.RepositoryRoot!, "tests", "RpcGen.Tests", "Compatibility", "libnfs-nfs.history.txt");
        if (Environment.GetEnvironmentVariable("NETRPC_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, report);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing; run the tests with NETRPC_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), report);
        Assert.Equal(
            ["RPCG5010", "RPCG5019", "RPCG5041", "RPCG5044", "RPCG5063"],
            result.Findings.Select(f => f.Code).Order(StringComparer.Ordinal));
    }
}
