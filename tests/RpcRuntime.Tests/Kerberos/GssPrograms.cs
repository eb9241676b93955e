namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// Kerberos/Native: gss_server.c (libtirpc's svcauth_gss) and gss_client.c (authgss_create_default) of gss_test.x, built
/// with rpcgen (-M) + gcc + libtirpc + MIT GSSAPI into a folder of their own, deleted with this.
/// </summary>
internal sealed class GssPrograms : IDisposable
{
    public GssPrograms()
    {
        Folder = Directory.CreateTempSubdirectory("netrpc-gss-c-").FullName;
        foreach (string file in new[] { "gss_test.x", "gss_server.c", "gss_client.c" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Kerberos", "Native", file), Path.Combine(Folder, file));
        }

        string rpcgen = NativeToolchain.FindOnPath("rpcgen")!;
        NativeToolchain.Run(rpcgen, ["-M", "-h", "-o", "gss_test.h", "gss_test.x"], Folder);
        NativeToolchain.Run(rpcgen, ["-M", "-c", "-o", "gss_test_xdr.c", "gss_test.x"], Folder);
        NativeToolchain.Run(rpcgen, ["-M", "-m", "-o", "gss_test_svc.c", "gss_test.x"], Folder);
        string gcc = NativeToolchain.FindOnPath("gcc")!;
        NativeToolchain.Run(gcc, [.. NativeToolchain.RpcgenCFlags, "-o", Server, "gss_server.c", "gss_test_svc.c", "gss_test_xdr.c", "-ltirpc", "-lgssapi_krb5"], Folder);
        NativeToolchain.Run(gcc, [.. NativeToolchain.RpcgenCFlags, "-o", Client, "gss_client.c", "gss_test_xdr.c", "-ltirpc", "-lgssapi_krb5"], Folder);
    }

    /// <summary>Why they cannot be built here (the C toolchain, MIT GSSAPI's headers), or null.</summary>
    public static string? MissingReason { get; } =
        NativeToolchain.MissingReason
        ?? (File.Exists("/usr/include/gssapi/gssapi_krb5.h") ? null : "MIT GSSAPI's headers are not installed (Debian: libkrb5-dev)");

    public string Folder { get; }

    public string Server => Path.Combine(Folder, "gss_server");

    public string Client => Path.Combine(Folder, "gss_client");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
