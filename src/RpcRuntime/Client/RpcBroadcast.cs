using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Client;

/// <summary>How a broadcast call reaches the servers.</summary>
public enum RpcBroadcastRoute
{
    /// <summary>
    /// Through each host's portmapper: PMAPPROC_CALLIT (version 2) to port 111, which forwards the call to the program
    /// where it is registered and sends back its port and results; libtirpc's clnt_broadcast does this over IPv4. Only
    /// hosts whose binder forwards calls answer (native rpcbind with -r, NetRpc's with ForwardCalls).
    /// </summary>
    Portmapper,

    /// <summary>As <see cref="Portmapper"/>, with rpcbind's RPCBPROC_BCAST (version 4), which answers with a universal address.</summary>
    Rpcbind,

    /// <summary>Straight to <see cref="RpcBroadcastOptions.Port"/> on every host: for servers on a port known in advance.</summary>
    Direct,
}

/// <summary>How <see cref="RpcBroadcast.CallAsync"/> broadcasts.</summary>
public sealed record RpcBroadcastOptions
{
    /// <summary>Through the hosts' binders (default, as clnt_broadcast), or straight to a port.</summary>
    public RpcBroadcastRoute Route { get; init; } = RpcBroadcastRoute.Portmapper;

    /// <summary>The port the servers listen on, for <see cref="RpcBroadcastRoute.Direct"/>.</summary>
    public int Port { get; init; }

    /// <summary>How long to collect replies. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before the call is broadcast again (for hosts that missed it); the wait doubles. Default 1 second.</summary>
    public TimeSpan RetransmitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The credential sent. Default AUTH_SYS for this process, as clnt_broadcast's authunix_create_default.</summary>
    public RpcCredential Credential { get; init; } = RpcCredential.SysForCurrentProcess();

    /// <summary>
    /// Where to send: null (default) means the IPv4 broadcast address of every interface that has one and is up, as
    /// libtirpc's __rpc_getbroadifs lists them; or given addresses (a directed broadcast, or plain hosts).
    /// </summary>
    public IReadOnlyList<IPAddress>? Addresses { get; init; }

    /// <summary>Largest datagram sent or read. Default 8800 (UDPMSGSIZE).</summary>
    public int MaxDatagramSize { get; init; } = 8800;
}

/// <summary>One server's answer to a broadcast call.</summary>
/// <typeparam name="TResult">The procedure's results.</typeparam>
/// <param name="Responder">Who sent the answer: the host's binder when routed through it, else the server.</param>
/// <param name="Server">Where the program is served: the address and port the binder gave, or the responder.</param>
/// <param name="Result">The results.</param>
public readonly record struct RpcBroadcastReply<TResult>(IPEndPoint Responder, IPEndPoint Server, TResult Result);

/// <summary>
/// libtirpc's clnt_broadcast and rpc_broadcast: one call to every host on the local networks, over UDP, and every
/// server's answer as it comes. The call is broadcast on each interface's broadcast address (SO_BROADCAST), again at
/// growing intervals for hosts that missed it, until the timeout; each responder is reported once. Answers that are not
/// SUCCESS are passed over, as clnt_broadcast passes them over.
/// </summary>
public static class RpcBroadcast
{
    private const uint Binder = 100000;
    private const int BinderPort = 111;
    private const uint CallIt = 5;

    /// <summary>Broadcasts a call and yields each server's answer, until <see cref="RpcBroadcastOptions.Timeout"/> or cancellation.</summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <typeparam name="TResult">The results (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="options">Route, port, timeout, credential, addresses; null means the defaults.</param>
    /// <param name="cancellationToken">Stops collecting (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answers, each responder once, as they come.</returns>
    /// <exception cref="ArgumentException">The options do not make a broadcast (no port for a direct one), or the call does not fit a datagram.</exception>
    /// <exception cref="RpcSendFailedException">No address could be sent to.</exception>
    public static async IAsyncEnumerable<RpcBroadcastReply<TResult>> CallAsync<TArgs, TResult>(uint program, uint version, uint procedure, TArgs arguments, RpcBroadcastOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        options ??= new RpcBroadcastOptions();
        if (options.Route == RpcBroadcastRoute.Direct && options.Port is <= 0 or > 65535)
        {
            throw new ArgumentException("A direct broadcast needs the servers' port (RpcBroadcastOptions.Port).", nameof(options));
        }

        DatagramLimits.Validate(options.MaxDatagramSize, AddressFamily.InterNetwork, nameof(RpcBroadcastOptions.MaxDatagramSize));
        int port = options.Route == RpcBroadcastRoute.Direct ? options.Port : BinderPort;
        IPEndPoint[] destinations = [.. (options.Addresses ?? BroadcastAddresses()).Select(a => new IPEndPoint(a, port))];
        uint xid = (uint)Random.Shared.Next() | 1u;
        byte[] datagram = Encode(xid, program, version, procedure, arguments, options);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        long deadline = Environment.TickCount64 + (long)options.Timeout.TotalMilliseconds;
        long wait = Math.Max(1, (long)options.RetransmitInterval.TotalMilliseconds);
        long nextSend = 0;
        var answered = new HashSet<IPEndPoint>();
        byte[] buffer = new byte[Math.Max(options.MaxDatagramSize, 1024)];
        while (true)
        {
            long now = Environment.TickCount64;
            if (now >= deadline)
            {
                yield break;
            }

            if (now >= nextSend)
            {
                Send(socket, datagram, destinations);
                nextSend = now + wait;
                wait *= 2;
            }

            using var slice = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            slice.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, Math.Min(nextSend, deadline) - now)));
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), slice.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // time to send again, or to stop
            }
            catch (SocketException)
            {
                continue; // an ICMP error for one of the destinations: the others may still answer
            }

            var responder = (IPEndPoint)received.RemoteEndPoint;
            if (Decode<TResult>(buffer.AsSpan(0, received.ReceivedBytes), xid, responder, options.Route, options.Credential) is { } reply && answered.Add(responder))
            {
                yield return reply;
            }
        }
    }

    /// <summary>The IPv4 broadcast address of each interface that is up and has one.</summary>
    internal static IReadOnlyList<IPAddress> BroadcastAddresses() =>
        [.. HostInterfaces.Current().Where(i => i.IsUp && i.Broadcast is not null).Select(i => i.Broadcast!).Distinct()];

    private static byte[] Encode<TArgs>(uint xid, uint program, uint version, uint procedure, TArgs arguments, RpcBroadcastOptions options)
        where TArgs : IXdrCodec<TArgs>
    {
        using var message = new PooledBufferWriter(512);
        var writer = new XdrWriter(message);
        OpaqueAuth credential = options.Credential.Credential;
        OpaqueAuth verifier = options.Credential.Verifier;
        if (options.Route == RpcBroadcastRoute.Direct)
        {
            new CallHeader(xid, program, version, procedure, credential, verifier).Encode(ref writer);
            arguments.Encode(ref writer);
        }
        else
        {
            // The binder's CALLIT (v2) or BCAST (v4): the program's call, its arguments as opaque bytes, to be forwarded.
            using var inner = new PooledBufferWriter(256);
            var argumentWriter = new XdrWriter(inner);
            arguments.Encode(ref argumentWriter);
            argumentWriter.Flush();
            new CallHeader(xid, Binder, options.Route == RpcBroadcastRoute.Portmapper ? 2u : 4u, CallIt, credential, verifier).Encode(ref writer);
            new RemoteCall { Prog = program, Vers = version, Proc = procedure, Arguments = inner.WrittenSpan.ToArray() }.Encode(ref writer);
        }

        writer.Flush();
        if (message.WrittenCount > options.MaxDatagramSize)
        {
            throw new ArgumentOutOfRangeException(nameof(arguments), message.WrittenCount, $"The call needs {message.WrittenCount} bytes, more than a datagram may carry here ({options.MaxDatagramSize}).");
        }

        return message.WrittenSpan.ToArray();
    }

    private static void Send(Socket socket, byte[] datagram, IPEndPoint[] destinations)
    {
        SocketException? failure = null;
        int sent = 0;
        foreach (IPEndPoint destination in destinations)
        {
            try
            {
                socket.SendTo(datagram, destination);
                sent++;
            }
            catch (SocketException e)
            {
                failure = e; // one interface refused (down, no route): the others still get it
            }
        }

        if (sent == 0 && failure is not null)
        {
            throw new RpcSendFailedException($"RPC: Unable to broadcast: {failure.Message}", failure.SocketErrorCode, failure);
        }
    }

    /// <summary>A successful answer to this broadcast, or null for anything else (another XID, a refusal, junk).</summary>
    private static RpcBroadcastReply<TResult>? Decode<TResult>(ReadOnlySpan<byte> datagram, uint xid, IPEndPoint responder, RpcBroadcastRoute route, RpcCredential credential)
        where TResult : IXdrCodec<TResult>
    {
        try
        {
            var reader = new XdrReader(datagram);
            if (!ReplyHeader.TryReadStart(ref reader, out uint replyXid) || replyXid != xid)
            {
                return null;
            }

            ReplyHeader header = ReplyHeader.DecodeBody(ref reader, replyXid);
            if (header.Status != ReplyStatus.Accepted || header.Accept != AcceptStatus.Success || !credential.ValidateReplyVerifier(header.Verifier))
            {
                return null;
            }

            switch (route)
            {
                case RpcBroadcastRoute.Direct:
                    return new RpcBroadcastReply<TResult>(responder, responder, TResult.Decode(ref reader));
                case RpcBroadcastRoute.Portmapper:
                {
                    PortCallResult forwarded = PortCallResult.Decode(ref reader);
                    var results = new XdrReader(forwarded.Results);
                    return new RpcBroadcastReply<TResult>(responder, new IPEndPoint(responder.Address, (int)(forwarded.Port & 0xFFFF)), TResult.Decode(ref results));
                }

                default:
                {
                    RpcbCallResult forwarded = RpcbCallResult.Decode(ref reader);
                    var results = new XdrReader(forwarded.Results);
                    IPEndPoint server = UniversalAddress.TryParse(forwarded.Address, out IPEndPoint? at) ? at : responder;
                    return new RpcBroadcastReply<TResult>(responder, server, TResult.Decode(ref results));
                }
            }
        }
        catch (XdrException)
        {
            return null; // junk from someone on the network: not an answer
        }
    }
}
