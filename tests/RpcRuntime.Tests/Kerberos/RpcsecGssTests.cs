using System.Runtime.CompilerServices;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// RPCSEC_GSS (RFC 2203) with Kerberos v5 between NetRpc clients and a NetRpc server, in a throwaway realm: krb5, krb5i
/// and krb5p over TCP and UDP, the caller's principal seen by the handler, calls in flight together; replays, calls below
/// the window, forged MICs and unknown contexts refused as the RFC says without disturbing the context's client; and a
/// client without a ticket. On both TCP server designs.
/// </summary>
public sealed class RpcsecGssTests
{
    [KerberosTheory]
    [InlineData("loops")]
    [InlineData("threads")]
    public void NetRpc_clients_and_server_speak_krb5_krb5i_and_krb5p_and_refuse_what_RFC_2203_refuses(string design)
    {
        using var realm = new KerberosRealm();
        string[] lines = realm.Run("rpcsec-gss-scenario", design).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string alice = $"{KerberosRealm.User}@{KerberosRealm.Name}";
        Assert.Equal(
            [
                $"tcp None: principal={alice}|None add=42 together=True blob=True oneway=True",
                $"tcp Integrity: principal={alice}|Integrity add=42 together=True blob=True oneway=True",
                $"tcp Privacy: principal={alice}|Privacy add=42 together=True blob=True oneway=True",
                $"udp None: principal={alice}|None add=42 together=True blob=True oneway=True",
                $"udp Integrity: principal={alice}|Integrity add=42 together=True blob=True oneway=True",
                $"udp Privacy: principal={alice}|Privacy add=42 together=True blob=True oneway=True",
                "sealed by hand: xid 4001 accepted, status 0",
                "replayed, then another: xid 4002 accepted, status 0",
                "below the window, then another: xid 4003 accepted, status 0",
                "forged MIC: xid 4004 denied, auth status 13",
                "unknown context: xid 4005 denied, auth status 13",
                "changed calls: the good call after each answered 200 of 200",
                "the client after: 100",
                "krb5i required: sys TooWeak, None TooWeak, Integrity 2, Privacy 2",
                "udp reply lost, without the cache: answered, ran more than once: True, 1 reply dropped",
                "udp reply lost, with the cache: answered, ran 1 time(s), 1 reply dropped",
                "no ticket: Failed",
            ],
            lines);
    }

    [KerberosInteropFact]
    public void NetRpc_and_libtirpc_call_each_other_with_krb5_krb5i_and_krb5p()
    {
        using var realm = new KerberosRealm();
        using var programs = new GssPrograms();
        string[] lines = realm.Run("gss-interop-scenario", programs.Folder).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string alice = $"{KerberosRealm.User}@{KerberosRealm.Name}";
        Assert.Equal(
            [
                $"C client -> C server, tcp none: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:1 | echo: RPC: Success equal",
                $"C client -> C server, tcp integrity: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:2 | echo: RPC: Success equal",
                $"C client -> C server, tcp privacy: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:3 | echo: RPC: Success equal",
                $"C client -> C server, udp none: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:1 | echo: RPC: Success equal",
                $"C client -> C server, udp integrity: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:2 | echo: RPC: Success equal",
                $"C client -> C server, udp privacy: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:3 | echo: RPC: Success equal",
                $"netrpc client -> C server, tcp None: add=42 whoami={alice}:1 echo=True",
                $"netrpc client -> C server, tcp Integrity: add=42 whoami={alice}:2 echo=True",
                $"netrpc client -> C server, tcp Privacy: add=42 whoami={alice}:3 echo=True",
                $"netrpc client -> C server, udp None: add=42 whoami={alice}:1 echo=True",
                $"netrpc client -> C server, udp Integrity: add=42 whoami={alice}:2 echo=True",
                $"netrpc client -> C server, udp Privacy: add=42 whoami={alice}:3 echo=True",
                "netrpc clients one after another -> C server: 20 of 20 answered",
                $"C client -> netrpc server, tcp none: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:1 | echo: RPC: Success equal",
                $"C client -> netrpc server, tcp integrity: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:2 | echo: RPC: Success equal",
                $"C client -> netrpc server, tcp privacy: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:3 | echo: RPC: Success equal",
                $"C client -> netrpc server, udp none: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:1 | echo: RPC: Success equal",
                $"C client -> netrpc server, udp integrity: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:2 | echo: RPC: Success equal",
                $"C client -> netrpc server, udp privacy: add_one: RPC: Success 42 | whoami: RPC: Success {alice}:3 | echo: RPC: Success equal",
            ],
            lines);
    }
}

/// <summary>
/// NetRpc's clients, generated from libnfs's .x files, against NFS-Ganesha exporting a folder with SecType krb5, krb5i,
/// krb5p: MOUNT, NFSv3 GETATTR, CREATE, WRITE and READ back (and the bytes on disk), NFSv4.0 COMPOUND; AUTH_SYS refused.
/// </summary>
public sealed class GaneshaKerberosTests
{
    [GaneshaKerberosFact]
    public void A_kerberized_nfs_ganesha_export_is_mounted_written_and_read_with_krb5_krb5i_and_krb5p()
    {
        using var realm = new KerberosRealm();
        string[] lines = realm.Run("ganesha-krb5-scenario", realm.Folder).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "mount: Mnt3Ok, flavors 390005,390004,390003",
                "nfs3 None: root Nf3Dir, CREATE Nfs3Ok, WRITE Nfs3Ok 20000, READ Nfs3Ok equal=True",
                "nfs4 None: COMPOUND Nfs4Ok, root Nf4Dir",
                "nfs3 Integrity: root Nf3Dir, CREATE Nfs3Ok, WRITE Nfs3Ok 20000, READ Nfs3Ok equal=True",
                "nfs4 Integrity: COMPOUND Nfs4Ok, root Nf4Dir",
                "nfs3 Privacy: root Nf3Dir, CREATE Nfs3Ok, WRITE Nfs3Ok 20000, READ Nfs3Ok equal=True",
                "nfs4 Privacy: COMPOUND Nfs4Ok, root Nf4Dir",
                "on disk: file-Integrity True, file-None True, file-Privacy True",

                // Ganesha refuses AUTH_SYS on a krb5-only export; without a ticket the client has no context to offer.
                "nfs3 AUTH_SYS: RpcAuthenticationException TooWeak",
                "nfs3 no ticket: RpcAuthenticationException Failed",
            ],
            lines);
    }
}

/// <summary>A test that needs a Kerberos realm and NFS-Ganesha (in-memory FSAL), native rpcbind; skipped with the reason where missing, failed instead in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GaneshaKerberosFactAttribute : FactAttribute
{
    public GaneshaKerberosFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        Skipping.Unless(this, KerberosRealm.MissingReason ?? Nfs.GaneshaFactAttribute.MissingReason ?? VfsMissingReason, test, file);

    private static string? VfsMissingReason { get; } =
        Directory.EnumerateFiles("/usr/lib", "libfsalvfs.so", SearchOption.AllDirectories).Any() ? null : "NFS-Ganesha's VFS FSAL is not installed (apt-get install -y nfs-ganesha-vfs)";
}

/// <summary>A test that needs a Kerberos realm and the C programs of <see cref="GssPrograms"/>; skipped with the reason where either is missing, failed instead in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KerberosInteropFactAttribute : FactAttribute
{
    public KerberosInteropFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        Skipping.Unless(this, KerberosRealm.MissingReason ?? GssPrograms.MissingReason, test, file);
}
