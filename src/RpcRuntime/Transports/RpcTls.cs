using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// RPC-with-TLS (RFC 9289) on a stream connection: the client's AUTH_TLS probe (a NULL call whose credential has the
/// AUTH_TLS flavor), the server's answer (an accepted reply whose AUTH_NONE verifier holds "STARTTLS"), then TLS 1.3 on
/// the same connection, inside which records are marked as on plain TCP. The ALPN identifier is "sunrpc".
/// </summary>
internal static class RpcTls
{
    /// <summary>RFC 9289's ALPN protocol identifier.</summary>
    public static readonly SslApplicationProtocol Alpn = new("sunrpc");

    // A probe's reply is a header with an 8-byte verifier: anything much longer is not one.
    private const int MaxProbeReplySize = 1024;

    /// <summary>The verifier body of the server's answer to the probe.</summary>
    public static ReadOnlySpan<byte> StartTls => "STARTTLS"u8;

    /// <summary>The verifier a server answers the probe with.</summary>
    public static OpaqueAuth StartTlsVerifier { get; } = new(AuthFlavor.None, StartTls.ToArray());

    /// <summary>
    /// The client's settings for one connection: the caller's, with TLS 1.3 (RFC 9289 forbids older versions) and the
    /// "sunrpc" ALPN identifier where the caller chose none, and the server's address as the host name to check when
    /// none is given.
    /// </summary>
    public static SslClientAuthenticationOptions ForClient(SslClientAuthenticationOptions given, EndPoint server) => new()
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

    /// <summary>The server's settings: the caller's, with TLS 1.3 and "sunrpc" where the caller chose none.</summary>
    public static SslServerAuthenticationOptions ForServer(SslServerAuthenticationOptions given) => new()
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
    /// On a freshly connected blocking socket: sends the AUTH_TLS probe, checks the server answers STARTTLS, and makes
    /// the TLS handshake, all within <paramref name="timeout"/>. Nothing else may be sent on the socket meanwhile.
    /// </summary>
    /// <returns>The TLS session the connection's records go through from now on (it does not own the socket).</returns>
    /// <exception cref="RpcConnectionException">The server does not offer TLS, the handshake failed, or it took too long.</exception>
    public static TlsChannel StartClient(Socket socket, EndPoint server, uint xid, uint program, uint version, SslClientAuthenticationOptions options, TimeSpan timeout, TimeSpan spinBeforeSleep)
    {
        int milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        socket.SendTimeout = milliseconds;
        socket.ReceiveTimeout = milliseconds;
        try
        {
            Probe(socket, server, xid, program, version);
            var tls = new TlsChannel(socket, spinBeforeSleep);
            try
            {
                tls.Stream.AuthenticateAsClient(ForClient(options, server));
            }
            catch (Exception e) when (e is not (OutOfMemoryException or SocketException))
            {
                // Any failure: what the server sends is parsed by SslStream, which does not only throw the exceptions it
                // documents for malformed input (see TcpConnection.StartTls).
                tls.Dispose();
                throw new RpcConnectionException($"RPC: TLS with {server} failed: {Reason(e)}", e);
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

    /// <summary>The handshake's reason in a line: the alert or certificate problem rather than the wrapper's words.</summary>
    public static string Reason(Exception e) => e.InnerException is { } inner && e is AuthenticationException or IOException
        ? $"{e.Message} ({inner.Message})"
        : e.Message;

    private static void Probe(Socket socket, EndPoint server, uint xid, uint program, uint version)
    {
        using var call = new PooledBufferWriter(128);
        int start = RecordMarking.BeginRecord(call);
        var writer = new XdrWriter(call);
        new CallHeader(xid, program, version, 0, new OpaqueAuth(AuthFlavor.Tls, ReadOnlyMemory<byte>.Empty), OpaqueAuth.None).Encode(ref writer);
        writer.Flush();
        RecordMarking.EndRecord(call, start);
        SocketIo.SendAll(socket, call.WrittenSpan);

        // The reply, read with exact-length receives: the first byte after it is the server's TLS handshake.
        Span<byte> mark = stackalloc byte[4];
        ReceiveExactly(socket, server, mark);
        uint header = BinaryPrimitives.ReadUInt32BigEndian(mark);
        int length = (int)(header & 0x7FFF_FFFF);
        if ((header & 0x8000_0000) == 0 || length > MaxProbeReplySize)
        {
            throw new RpcConnectionException($"RPC: {server} answered the AUTH_TLS probe with something that is not a probe's reply ({length}-byte fragment)");
        }

        byte[] body = new byte[length];
        ReceiveExactly(socket, server, body);
        ReplyHeader reply;
        try
        {
            var reader = new XdrReader(body);
            if (!ReplyHeader.TryReadStart(ref reader, out uint replyXid) || replyXid != xid)
            {
                throw new RpcConnectionException($"RPC: {server} answered the AUTH_TLS probe with another message");
            }

            reply = ReplyHeader.DecodeBody(ref reader, replyXid);
        }
        catch (XdrException e)
        {
            throw new RpcConnectionException($"RPC: {server} answered the AUTH_TLS probe with a malformed reply: {e.Message}", e);
        }

        if (reply.Status == ReplyStatus.Accepted && reply.Accept == AcceptStatus.Success
            && reply.Verifier.Flavor == AuthFlavor.None && reply.Verifier.Body.Span.SequenceEqual(StartTls))
        {
            return;
        }

        // A server without RPC-with-TLS refuses the flavor (AUTH_ERROR) or answers the NULL call as any other.
        string answer = reply.Status == ReplyStatus.Denied
            ? reply.Reject == RejectStatus.AuthError ? $"AUTH_ERROR ({reply.Auth})" : "RPC_MISMATCH"
            : reply.Accept == AcceptStatus.Success ? "a reply without STARTTLS" : reply.Accept.ToString();
        throw new RpcConnectionException($"RPC: {server} does not offer RPC-with-TLS (it answered the AUTH_TLS probe with {answer})");
    }

    private static void ReceiveExactly(Socket socket, EndPoint server, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = SocketIo.Receive(socket, buffer);
            if (n == 0)
            {
                throw new RpcConnectionException($"RPC: {server} closed the connection at the AUTH_TLS probe");
            }

            buffer = buffer[n..];
        }
    }
}
