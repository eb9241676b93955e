using System.Buffers;
using System.Net;
using System.Net.Security;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// Inside a <see cref="KerberosRealm"/>'s namespace: logs the user in, then makes a Kerberos v5 context between a
/// client and a server through .NET's NegotiateAuthentication (GSSAPI on Linux), and uses what RPCSEC_GSS needs of it
/// (RFC 2203): a MIC and its check (krb5i, verifiers), Wrap with and without confidentiality (krb5p, krb5i), and a
/// tampered MIC refused. Prints one line per step.
/// </summary>
internal static class KerberosScenario
{
    public static Task<int> RunAsync()
    {
        KerberosRealm.LogIn();
        var client = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
        {
            Package = "Kerberos",
            TargetName = KerberosRealm.Service,
            RequiredProtectionLevel = ProtectionLevel.EncryptAndSign,
            Credential = CredentialCache.DefaultNetworkCredentials,
        });
        var server = new NegotiateAuthentication(new NegotiateAuthenticationServerOptions
        {
            Package = "Kerberos",
            RequiredProtectionLevel = ProtectionLevel.EncryptAndSign,
            Credential = CredentialCache.DefaultNetworkCredentials,
        });

        // The tokens go back and forth as RPCSEC_GSS_INIT and CONTINUE_INIT would carry them, until both are done.
        byte[]? token = client.GetOutgoingBlob(ReadOnlySpan<byte>.Empty, out NegotiateAuthenticationStatusCode status);
        for (int round = 0; round < 4 && !(client.IsAuthenticated && server.IsAuthenticated); round++)
        {
            byte[]? answer = server.GetOutgoingBlob(token ?? [], out NegotiateAuthenticationStatusCode serverStatus);
            if (serverStatus is not (NegotiateAuthenticationStatusCode.Completed or NegotiateAuthenticationStatusCode.ContinueNeeded))
            {
                Console.WriteLine($"server refused the token: {serverStatus}");
                return Task.FromResult(1);
            }

            if (answer is { Length: > 0 } && !client.IsAuthenticated)
            {
                token = client.GetOutgoingBlob(answer, out status);
            }
        }

        Console.WriteLine($"context {status} client={client.IsAuthenticated} server={server.IsAuthenticated} caller={server.RemoteIdentity.Name} package={server.Package}");

        var mic = new ArrayBufferWriter<byte>();
        client.ComputeIntegrityCheck("xid, call, credential"u8, mic);
        Console.WriteLine($"mic {server.VerifyIntegrityCheck("xid, call, credential"u8, mic.WrittenSpan)}");
        byte[] tampered = mic.WrittenSpan.ToArray();
        tampered[^1] ^= 1;
        Console.WriteLine($"tampered mic {server.VerifyIntegrityCheck("xid, call, credential"u8, tampered)}");

        foreach (bool confidential in new[] { true, false })
        {
            var wrapped = new ArrayBufferWriter<byte>();
            client.Wrap("seq_num and arguments"u8, wrapped, confidential, out bool encrypted);
            var unwrapped = new ArrayBufferWriter<byte>();
            NegotiateAuthenticationStatusCode unwrap = server.Unwrap(wrapped.WrittenSpan, unwrapped, out bool wasEncrypted);
            bool plainInside = wrapped.WrittenSpan.IndexOf("seq_num and arguments"u8) >= 0;
            Console.WriteLine($"wrap confidential={confidential} encrypted={encrypted} unwrap={unwrap} equal={unwrapped.WrittenSpan.SequenceEqual("seq_num and arguments"u8)} was-encrypted={wasEncrypted} plain-inside={plainInside}");
        }

        return Task.FromResult(0);
    }
}
