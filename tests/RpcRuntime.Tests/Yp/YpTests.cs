using System.Security.Cryptography;

namespace NetRpc.Runtime.Tests.Yp;

/// <summary>
/// NIS against Debian's own: YPPROC_ALL's reply is a stream of ypresp_all unions in one record, read and written by code
/// generated from the unmodified yp.x with YPPROC_ALL marked as streamed. Each test runs this assembly in a network and
/// mount namespace of its own (private tmpfs on /run and /var/yp), where native rpcbind, and Debian's ypserv or NetRpc's,
/// are started and stopped by PID.
/// </summary>
public sealed class YpTests
{
    /// <summary>The map both scenarios serve: 300 entries, key001 to key300.</summary>
    public const int Entries = 300;

    [YpFact]
    public void A_netrpc_client_reads_all_300_records_from_debians_ypserv_through_the_streaming_method()
    {
        Assert.Equal(
            [
                $"native ypserv: {Entries} entries, every key and value as in the map, in one stream",
            ],
            RunScenario("native"));
    }

    [YpFact]
    public void Ypcat_reads_all_300_records_from_a_netrpc_ypserv_generated_from_yp_x()
    {
        Assert.Equal(
            [
                $"ypcat -k: {Entries} lines, every key and value as in the map",
                $"ypcat: {Entries} values",
            ],
            RunScenario("netrpc"));
    }

    [YpxFact]
    public void The_yp_x_here_is_debians_unmodified()
    {
        byte[] ours = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Yp", "yp.x"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(YpxFactAttribute.Installed))), Convert.ToHexStringLower(SHA256.HashData(ours)));
    }

    private static string[] RunScenario(string which)
    {
        string directory = Directory.CreateTempSubdirectory("netrpc-yp-").FullName;
        try
        {
            string[] unshare = ["-n", "-m", "--propagation", "private", "sh", "-c",
                "ip link set lo up && mount -t tmpfs tmpfs /run && mkdir -p /var/yp && mount -t tmpfs tmpfs /var/yp && exec \"$0\" \"$@\"",
                Binding.RpcbindScenario.Dotnet, typeof(YpTests).Assembly.Location, "yp-scenario", which, directory];
            return NativeToolchain.Run("unshare", unshare, AppContext.BaseDirectory, timeoutSeconds: 300).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A test that needs Debian's ypserv (with makedbm), yp-tools' ypcat, native rpcbind and a namespace of its own.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class YpFactAttribute : FactAttribute
{
    public YpFactAttribute([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string? reason = NativeToolchain.NamespaceMissingReason
            ?? (NativeToolchain.FindOnPath("ypserv") is null && !File.Exists("/usr/sbin/ypserv") || !File.Exists(YpScenario.Makedbm)
                ? "ypserv not installed (apt-get install -y ypserv yp-tools)" : null)
            ?? (NativeToolchain.FindOnPath("ypcat") is null ? "ypcat not installed (apt-get install -y yp-tools)" : null)
            ?? Support.Privilege.MissingReason;
        if (reason is not null && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"YpTests.{test} [SKIPPED: {reason}]";
        }
    }
}

/// <summary>A test that compares with Debian's installed yp.x (libnsl-dev).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class YpxFactAttribute : FactAttribute
{
    public const string Installed = "/usr/include/rpcsvc/yp.x";

    public YpxFactAttribute([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        if (!File.Exists(Installed) && !NativeToolchain.Required)
        {
            Skip = $"{Installed} not installed (apt-get install -y libnsl-dev)";
            DisplayName = $"YpTests.{test} [SKIPPED: {Skip}]";
        }
    }
}
