using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests.Nfs;

/// <summary>
/// Against NFS-Ganesha with an export that requires a privileged port (PrivilegedPort = true), as Linux knfsd's
/// default "secure" exports do: NetRpc's clients bind a reserved port as libtirpc's clnt_create does, so MOUNT and
/// NFSv3 GETATTR work as root over UDP and TCP; from an unreserved port Ganesha refuses them, and a client that
/// requires a reserved port without the privilege fails with its own exception before sending anything.
/// </summary>
public sealed class GaneshaTests
{
    [GaneshaFact]
    public void A_privileged_port_export_of_nfs_ganesha_is_mounted_and_read_as_libtirpc_would()
    {
        string directory = Directory.CreateTempSubdirectory("netrpc-ganesha-").FullName;
        try
        {
            string[] unshare = ["-n", "-m", "--propagation", "private", "sh", "-c",
                "ip link set lo up && mount -t tmpfs tmpfs /run && mkdir -p /var/lib/nfs && mount -t tmpfs tmpfs /var/lib/nfs && mkdir -p /var/lib/nfs/ganesha && exec \"$0\" \"$@\"",
                Binding.RpcbindScenario.Dotnet, typeof(GaneshaTests).Assembly.Location, "ganesha-scenario", directory];
            string[] lines = NativeToolchain.Run("unshare", unshare, AppContext.BaseDirectory, timeoutSeconds: 300).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(
                [
                    "Udp IfPossible: mounted, GETATTR: directory",
                    "Udp Never: RpcAuthenticationException TooWeak",
                    "Udp Required, unprivileged: RpcReservedPortException AccessDenied",
                    "Tcp IfPossible: mounted, GETATTR: directory",
                    "Tcp Never: RpcAuthenticationException TooWeak",
                    "Tcp Required, unprivileged: RpcReservedPortException AccessDenied",
                ],
                lines);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A test that needs NFS-Ganesha (with its in-memory FSAL), native rpcbind and a namespace of its own.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GaneshaFactAttribute : FactAttribute
{
    /// <summary>Why NFS-Ganesha cannot run here (namespaces, the daemon and its in-memory FSAL, root), or null.</summary>
    public static string? MissingReason { get; } =
        NativeToolchain.NamespaceMissingReason
            ?? (NativeToolchain.FindOnPath("ganesha.nfsd") is null || !File.Exists("/usr/lib/x86_64-linux-gnu/ganesha/libfsalmem.so") && !Directory.EnumerateFiles("/usr/lib", "libfsalmem.so", SearchOption.AllDirectories).Any()
                ? "nfs-ganesha not installed (apt-get install -y nfs-ganesha nfs-ganesha-mem)" : null)
            ?? Privilege.MissingReason;

    public GaneshaFactAttribute([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string? reason = MissingReason;
        if (reason is not null && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"GaneshaTests.{test} [SKIPPED: {reason}]";
        }
    }
}
