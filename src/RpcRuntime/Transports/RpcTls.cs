using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// RPC-with-TLS (RFC 9289) on a stream connection, the part in plain text: the client's AUTH_TLS probe (a NULL call whose
/// credential has the AUTH_TLS flavor) and the server's answer (an accepted reply whose AUTH_NONE verifier holds
/// "STARTTLS"). TLS 1.3 follows on the same connection (<see cref="TlsEngine"/>), inside which records are marked as
/// on plain TCP.
/// </summary>
internal static class RpcTls
{
    // A probe's reply is a header with an 8-byte verifier: anything much longer is not one.
    private const int MaxProbeReplySize = 1024;

    /// <summary>The verifier body of the server's answer to the probe.</summary>
    public static ReadOnlySpan<byte> StartTls => "STARTTLS"u8;

    /// <summary>The verifier a server answers the probe with.</summary>
    public static OpaqueAuth StartTlsVerifier { get; } = new(AuthFlavor.None, StartTls.ToArray());

    /// <summary>The handshake's reason in a line: the alert or certificate problem rather than the wrapper's words.</summary>
    public static string Reason(Exception e) => e.InnerException is { } inner && e is AuthenticationException or IOException
        ? $"{e.Message} ({inner.Message})"
        : e.Message;

    /// <summary>Sends the AUTH_TLS probe and reads the answer, which must be STARTTLS; nothing after it is read.</summary>
    /// <exception cref="RpcConnectionException">The server does not offer TLS, or answered with something else.</exception>
    /// <exception cref="SocketException">The socket failed, or its timeout passed.</exception>
    public static void Probe(Socket socket, EndPoint server, uint xid, uint program, uint version)
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
