using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// Certificates for the RPC-with-TLS tests, made by openssl in a folder of their own: a CA, a server certificate for
/// localhost and 127.0.0.1, two client certificates (CN=alice, CN=bob) from the same CA, and a client certificate (CN=mallory)
/// from a CA nobody trusts. All EC P-256, valid for two days.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("netrpc-tls-").FullName;

    public TestCertificates()
    {
        if (OpenSsl.MissingReason is not null)
        {
            Ca = Server = Client = OtherClient = Untrusted = null!;
            return;
        }

        MakeCa("ca", "NetRpc test CA");
        MakeCa("rogue", "Nobody's CA");
        Server = Issue("server", "localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Client = Issue("alice", "alice", "ca", "extendedKeyUsage=clientAuth\n");
        OtherClient = Issue("bob", "bob", "ca", "extendedKeyUsage=clientAuth\n");
        Untrusted = Issue("mallory", "mallory", "rogue", "extendedKeyUsage=clientAuth\n");
        Ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_folder, "ca.crt")));
    }

    /// <summary>The CA both sides trust.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The server's certificate, with its key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A client certificate the CA issued (CN=alice), with its key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>Another client certificate the CA issued (CN=bob), with its key.</summary>
    public X509Certificate2 OtherClient { get; }

    /// <summary>A client certificate from another CA (CN=mallory), with its key.</summary>
    public X509Certificate2 Untrusted { get; }

    /// <summary>A chain policy that trusts the test CA alone (no revocation lists: there are none).</summary>
    public X509ChainPolicy TrustTheCa()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Ca);
        return policy;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void MakeCa(string name, string subject) => OpenSsl.Run(_folder,
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-keyout", $"{name}.key", "-out", $"{name}.crt", "-subj", $"/CN={subject}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private X509Certificate2 Issue(string name, string subject, string ca, string extensions)
    {
        File.WriteAllText(Path.Combine(_folder, $"{name}.ext"), extensions);
        OpenSsl.Run(_folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", $"{name}.key", "-out", $"{name}.csr", "-subj", $"/CN={subject}");
        OpenSsl.Run(_folder, "x509", "-req", "-in", $"{name}.csr", "-CA", $"{ca}.crt", "-CAkey", $"{ca}.key", "-CAcreateserial",
            "-days", "2", "-out", $"{name}.crt", "-extfile", $"{name}.ext");
        return X509Certificate2.CreateFromPemFile(Path.Combine(_folder, $"{name}.crt"), Path.Combine(_folder, $"{name}.key"));
    }
}

internal static class OpenSsl
{
    /// <summary>Why a test cannot capture loopback traffic with tshark here (openssl, tshark, root), or null.</summary>
    public static string? CaptureMissingReason { get; } =
        MissingReason ?? (NativeToolchain.FindOnPath("tshark") is null ? "tshark is not installed (Debian: tshark)"
            : Environment.UserName != "root" ? "capturing on the loopback interface needs root" : null);

    /// <summary>Why certificates cannot be made here (no openssl), or null.</summary>
    public static string? MissingReason { get; } = NativeToolchain.FindOnPath("openssl") is null ? "openssl is not installed (Debian: openssl)" : null;

    public static void Run(string folder, params string[] arguments) => NativeToolchain.Run("openssl", arguments, folder);
}

/// <summary>A test that needs openssl to make its certificates: skipped, with the reason in its name, where it is missing; under NETRPC_REQUIRE_NATIVE=1 (CI) it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class OpenSslFactAttribute : FactAttribute
{
    public OpenSslFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, OpenSsl.MissingReason, test, file);
    }
}

/// <summary>A test that captures loopback traffic with tshark (and makes certificates with openssl): skipped, with the reason in its name, where either is missing or the process is not root; under NETRPC_REQUIRE_NATIVE=1 (CI) it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class CaptureFactAttribute : FactAttribute
{
    public CaptureFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, OpenSsl.CaptureMissingReason, test, file);
    }
}
