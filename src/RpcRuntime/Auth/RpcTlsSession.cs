using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// A connection's TLS session (RPC-with-TLS, RFC 9289), as handlers see it: what was negotiated, the client's
/// certificate when it showed one (mutual TLS), and who the server's <c>MapClientCertificate</c> says that is.
/// </summary>
public sealed class RpcTlsSession
{
    internal RpcTlsSession(SslProtocols protocol, TlsCipherSuite cipherSuite, SslApplicationProtocol applicationProtocol, X509Certificate2? clientCertificate, AuthSysParameters? identity, byte[]? callerKey)
    {
        CallerKey = callerKey;
        Protocol = protocol;
        CipherSuite = cipherSuite;
        ApplicationProtocol = applicationProtocol;
        ClientCertificate = clientCertificate;
        Identity = identity;
    }

    /// <summary>The TLS version negotiated (TLS 1.3 unless the server's settings allowed another).</summary>
    public SslProtocols Protocol { get; }

    /// <summary>The cipher suite negotiated.</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>The ALPN identifier negotiated ("sunrpc"), or none when the client offered none.</summary>
    public SslApplicationProtocol ApplicationProtocol { get; }

    /// <summary>The certificate the client authenticated with, already checked by the handshake; null when it showed none.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The uid, gid and gids the client's certificate maps to, which stand in for its AUTH_SYS credentials; null when unmapped.</summary>
    public AuthSysParameters? Identity { get; }

    /// <summary>
    /// What tells this client apart from others on the same address in the duplicate request cache: the first 16 bytes of
    /// the SHA-256 of its certificate; null without one.
    /// </summary>
    internal byte[]? CallerKey { get; }
}
