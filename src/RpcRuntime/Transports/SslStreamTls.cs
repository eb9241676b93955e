using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// RPC-with-TLS through .NET's SslStream (OpenSSL on Linux): TLS 1.3 and the ALPN identifier "sunrpc" (RFC 9289) unless
/// the settings say otherwise, over the socket's libc reads and writes (<see cref="SocketIoStream"/>).
/// </summary>
internal sealed class SslStreamTls : TlsEngine
{
    /// <summary>RFC 9289's ALPN protocol identifier.</summary>
    public static readonly SslApplicationProtocol Alpn = new("sunrpc");

    public static SslStreamTls Instance { get; } = new();

    public override TlsChannel StartClient(Socket socket, EndPoint server, uint xid, uint program, uint version, SslClientAuthenticationOptions options, TimeSpan timeout, TimeSpan spinBeforeSleep)
    {
        int milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        socket.SendTimeout = milliseconds;
        socket.ReceiveTimeout = milliseconds;
        try
        {
            RpcTls.Probe(socket, server, xid, program, version);
            var tls = new Channel(socket, spinBeforeSleep);
            try
            {
                tls.Stream.AuthenticateAsClient(ForClient(options, server));
            }
            catch (Exception e) when (e is not (OutOfMemoryException or SocketException))
            {
                // Any failure: what the server sends is parsed by SslStream, which does not only throw the exceptions it
                // documents for malformed input (see TcpConnection.StartTls).
                tls.Dispose();
                throw new RpcConnectionException($"RPC: TLS with {server} failed: {RpcTls.Reason(e)}", e);
            }

            return tls;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new RpcConnectionException($"RPC: Timed out starting TLS with {server}", e);
        }
        catch (SocketException e)
        {
            throw new RpcConnectionException($"RPC: Cannot start TLS with {server}: {e.Message}", e);
        }
        finally
        {
            socket.SendTimeout = 0;
            socket.ReceiveTimeout = 0;
        }
    }

    public override TlsChannel StartServer(Socket socket, SslServerAuthenticationOptions options, Func<X509Certificate2, AuthSysParameters?>? mapClientCertificate, TimeSpan spinBeforeSleep, out RpcTlsSession session)
    {
        var tls = new Channel(socket, spinBeforeSleep);
        try
        {
            tls.Stream.AuthenticateAsServer(ForServer(options));
            X509Certificate2? certificate = tls.Stream.RemoteCertificate switch
            {
                null => null,
                X509Certificate2 full => full,
                X509Certificate other => new X509Certificate2(other),
            };
            AuthSysParameters? identity = certificate is null ? null : mapClientCertificate?.Invoke(certificate);
            byte[]? callerKey = certificate is null ? null : SHA256.HashData(certificate.RawData)[..16];
            session = new RpcTlsSession(tls.Stream.SslProtocol, tls.Stream.NegotiatedCipherSuite, tls.Stream.NegotiatedApplicationProtocol, certificate, identity, callerKey);
            return tls;
        }
        catch
        {
            tls.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The client's settings for one connection: the caller's, with TLS 1.3 (RFC 9289 forbids older versions) and the
    /// "sunrpc" ALPN identifier where the caller chose none, and the server's address as the host name to check when
    /// none is given.
    /// </summary>
    private static SslClientAuthenticationOptions ForClient(SslClientAuthenticationOptions given, EndPoint server) => new()
    {
        TargetHost = given.TargetHost ?? server switch
        {
            DnsEndPoint dns => dns.Host,
            IPEndPoint ip => ip.Address.ToString(),
            _ => server.ToString(),
        },
        EnabledSslProtocols = given.EnabledSslProtocols == SslProtocols.None ? SslProtocols.Tls13 : given.EnabledSslProtocols,
        ApplicationProtocols = given.ApplicationProtocols ?? [Alpn],
        ClientCertificates = given.ClientCertificates,
        ClientCertificateContext = given.ClientCertificateContext,
        LocalCertificateSelectionCallback = given.LocalCertificateSelectionCallback,
        RemoteCertificateValidationCallback = given.RemoteCertificateValidationCallback,
        CertificateRevocationCheckMode = given.CertificateRevocationCheckMode,
        CertificateChainPolicy = given.CertificateChainPolicy,
        EncryptionPolicy = given.EncryptionPolicy,
        AllowRenegotiation = false,
        AllowTlsResume = given.AllowTlsResume,
        CipherSuitesPolicy = given.CipherSuitesPolicy,
    };

    /// <summary>The server's settings for one handshake: the caller's, with TLS 1.3 and "sunrpc" where the caller chose none.</summary>
    private static SslServerAuthenticationOptions ForServer(SslServerAuthenticationOptions given) => new()
    {
        ServerCertificate = given.ServerCertificate,
        ServerCertificateContext = given.ServerCertificateContext,
        ServerCertificateSelectionCallback = given.ServerCertificateSelectionCallback,
        ClientCertificateRequired = given.ClientCertificateRequired,
        RemoteCertificateValidationCallback = given.RemoteCertificateValidationCallback,
        EnabledSslProtocols = given.EnabledSslProtocols == SslProtocols.None ? SslProtocols.Tls13 : given.EnabledSslProtocols,
        ApplicationProtocols = given.ApplicationProtocols ?? [Alpn],
        CertificateRevocationCheckMode = given.CertificateRevocationCheckMode,
        CertificateChainPolicy = given.CertificateChainPolicy,
        EncryptionPolicy = given.EncryptionPolicy,
        AllowRenegotiation = false,
        AllowTlsResume = given.AllowTlsResume,
        CipherSuitesPolicy = given.CipherSuitesPolicy,
    };

    /// <summary>
    /// A session over an SslStream. A write of a batch of records goes out in one send: SslStream writes each TLS record
    /// (16 KiB at most) to its transport on its own, which would cost a system call, and a wake-up of the peer, per 16 KiB.
    /// </summary>
    private sealed class Channel : TlsChannel
    {
        private readonly SocketIoStream _transport;

        public Channel(Socket socket, TimeSpan spinBeforeSleep)
        {
            _transport = new SocketIoStream(socket, Spinning.ToTicks(spinBeforeSleep));
            Stream = new SslStream(_transport, leaveInnerStreamOpen: false);
        }

        public SslStream Stream { get; }

        public override int Read(Span<byte> buffer) => Stream.Read(buffer);

        public override void Write(ReadOnlySpan<byte> data)
        {
            bool written = false;
            _transport.BeginGather();
            try
            {
                Stream.Write(data);
                written = true;
            }
            finally
            {
                _transport.EndGather(written);
            }
        }

        public override void Dispose() => Stream.Dispose();
    }
}
