using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Runtime.Auth;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// The TLS handshakes of RPC-with-TLS, behind virtual calls. Only TLS settings make one (<c>RpcClientOptions.Tls</c>,
/// <c>RpcTlsServerOptions</c>): a program that sets none never constructs <see cref="SslStreamTls"/>, and Native AOT
/// then leaves SslStream and its OpenSSL interop out of it (samples/my_proto: 4.2 MB instead of 7.6 MB, which its
/// start felt: bench/first-reply.sh).
/// </summary>
internal abstract class TlsEngine
{
    /// <summary>
    /// On a freshly connected blocking socket: the AUTH_TLS probe, then the client's handshake, within
    /// <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="Client.RpcConnectionException">The server does not offer TLS, the handshake failed, or it took too long.</exception>
    public abstract TlsChannel StartClient(Socket socket, EndPoint server, uint xid, uint program, uint version, SslClientAuthenticationOptions options, TimeSpan timeout, TimeSpan spinBeforeSleep);

    /// <summary>
    /// The server's handshake, after STARTTLS was sent, on a blocking socket whose timeouts bound it; the session's
    /// description, with who the client certificate maps to, in <paramref name="session"/>.
    /// </summary>
    /// <exception cref="Exception">Anything: the handshake parses what a hostile client sends (see TcpConnection.StartTls).</exception>
    public abstract TlsChannel StartServer(Socket socket, SslServerAuthenticationOptions options, Func<X509Certificate2, AuthSysParameters?>? mapClientCertificate, TimeSpan spinBeforeSleep, out RpcTlsSession session);
}
