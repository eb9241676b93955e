using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Client;

/// <summary>
/// Calls one version of one program on one server (libtirpc's CLIENT). Calls are asynchronous, many may be
/// in flight at once (matched to replies by XID), and each fails with an <see cref="RpcException"/> that says
/// why. Create one with <see cref="CreateTcp(EndPoint, uint, uint, RpcClientOptions?)"/> or <see cref="CreateUdp(EndPoint, uint, uint, RpcClientOptions?)"/>; it is thread-safe and meant to be
/// shared.
/// </summary>
public abstract class RpcClient : IAsyncDisposable, IDisposable
{
    // Deadlines and retransmissions are checked by ClientTicker, not by a timer per call.
    private const int IdleTicksBeforeLeaving = 100;

    private readonly Dictionary<uint, PendingCall> _pending = [];
    private readonly object _lock = new();
    private List<Func<Task>>? _closing; // under _lock
    private readonly SemaphoreSlim _window;
    private readonly RpcClientMetrics _metrics;
    private readonly RpcClientNames _names;
    private readonly RpcClientInterceptor[]? _interceptors;
    private int _nextXid = InitialXid();
    private int _idleTicks;
    private bool _ticking;
    private bool _disposed;

    /// <summary>
    /// The first XID: unpredictable (RFC 5531 section 9 leaves XIDs to the client; a guessable one invites forged UDP
    /// replies), from the operating system's secure random source. Through Guid.NewGuid, which CoreLib serves without
    /// OpenSSL: RandomNumberGenerator loads libssl and libcrypto on Linux, milliseconds of the first call of every
    /// process (bench/first-reply.sh). A version-4 GUID's first four bytes are all random.
    /// </summary>
    /// <summary>A fresh XID, for messages sent outside a call (the AUTH_TLS probe, RPCSEC_GSS_DESTROY).</summary>
    internal uint NextXid() => (uint)Interlocked.Increment(ref _nextXid);

    private static int InitialXid()
    {
        Span<byte> random = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(random);
        return BinaryPrimitives.ReadInt32LittleEndian(random);
    }

    private protected RpcClient(uint program, uint version, RpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 1, nameof(options));
        Program = program;
        Version = version;
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("NetRpc.Client") ?? NullLogger.Instance;
        _window = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _metrics = new RpcClientMetrics(options.MeterFactory);
        _names = new RpcClientNames(program, options);

        // Copied once, so that the chain built for it can be kept; none leaves calls unwrapped.
        _interceptors = options.Interceptors is { Count: > 0 } interceptors ? [.. interceptors] : null;
    }

    /// <summary>The program called.</summary>
    public uint Program { get; }

    /// <summary>The program version called.</summary>
    public uint Version { get; }

    /// <summary>The options.</summary>
    public RpcClientOptions Options { get; }

    /// <summary>
    /// This end's address and port: the UDP socket's, or the TCP connection's while there is one (null before the first
    /// call connects, and between a broken connection and the next). What a server sees as the caller, and what
    /// protocols that call back (VXI-11's create_intr_chan, NFSv4.0's callbacks) tell the server.
    /// </summary>
    public abstract EndPoint? LocalEndPoint { get; }

    /// <summary>The transport, for telemetry (<c>network.transport</c>).</summary>
    private protected abstract RpcTransport Transport { get; }

    /// <summary>The server called, for telemetry (<c>server.address</c>, <c>server.port</c>).</summary>
    private protected abstract EndPoint Server { get; }

    /// <summary>Calls in flight now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Whether replies are awaited; read without the lock, as a hint for the receive threads' spin.</summary>
    private protected bool HasCallsInFlight => _pending.Count > 0;

    private protected ILogger Logger { get; }

    /// <summary>
    /// Binds a new IP socket to a reserved port as <see cref="RpcClientOptions.ReservedPort"/> asks (bindresvport).
    /// </summary>
    /// <returns>True when the socket was bound to a reserved port.</returns>
    /// <exception cref="RpcReservedPortException">One was required and none could be bound.</exception>
    private protected bool BindReservedPort(Socket socket)
    {
        if (Options.ReservedPort == ReservedPortUse.Never || socket.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        SocketError error = Transports.ReservedPorts.TryBind(socket);
        if (error != SocketError.Success && Options.ReservedPort == ReservedPortUse.Required)
        {
            string why = error == SocketError.AccessDenied
                ? "the process may not bind one (it needs root or CAP_NET_BIND_SERVICE)"
                : error == SocketError.AddressAlreadyInUse ? "every one is taken" : error.ToString();
            throw new RpcReservedPortException($"RPC: A reserved port was required, and none could be bound: {why}", error);
        }

        return error == SocketError.Success;
    }

    /// <summary>Whether the client has been disposed.</summary>
    private protected bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>A client that calls over TCP; it connects on the first call, and again on the call after a connection breaks.</summary>
    /// <param name="server">The server's address and port.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="options">Credential, timeouts, limits; null means the defaults.</param>
    /// <returns>The client.</returns>
    public static RpcClient CreateTcp(EndPoint server, uint program, uint version, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new TcpRpcClient(server, program, version, options ?? new RpcClientOptions());
    }

    /// <summary>
    /// A client that calls over TCP the servers an <see cref="RpcEndpointSource"/> names (a service's instances found
    /// through a registry, DNS, or rpcbind): it keeps a connection to each and sends calls to them in turn, skipping
    /// those it cannot reach. With <see cref="RpcClientOptions.RetryOnConnectionLoss"/>, calls stranded on a lost
    /// connection are sent again with their XIDs, to the same server when it can be reached again, else to another
    /// (a server's duplicate request cache only knows the calls it was sent: failover to another server can run a call
    /// the lost one had run).
    /// </summary>
    /// <param name="servers">Where the servers are; asked when connecting, when a server is lost, and every <see cref="RpcEndpointSource.RefreshInterval"/>.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="options">Credential, timeouts, limits; null means the defaults.</param>
    /// <returns>The client; it connects on the first call.</returns>
    public static RpcClient CreateTcp(RpcEndpointSource servers, uint program, uint version, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return new TcpRpcClient(servers, program, version, options ?? new RpcClientOptions());
    }

    /// <summary>
    /// A client that calls over UDP the servers an <see cref="RpcEndpointSource"/> names, each call to the next in turn
    /// and its retransmissions (same XID) to the same server. With <see cref="RpcClientOptions.RetryOnConnectionLoss"/>,
    /// a call whose retransmission wait has grown to <see cref="RpcClientOptions.MaxRetransmitInterval"/> goes on to the
    /// next server with its XID (failover: an unanswered server may be gone). One socket, of the first server's address
    /// family, not connected: replies are taken only from the servers.
    /// </summary>
    /// <param name="servers">Where the servers are; asked at the first call and every <see cref="RpcEndpointSource.RefreshInterval"/>.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="options">Credential, timeouts, retransmission, limits; null means the defaults.</param>
    /// <returns>The client.</returns>
    public static RpcClient CreateUdp(RpcEndpointSource servers, uint program, uint version, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return new UdpRpcClient(servers, program, version, options ?? new RpcClientOptions());
    }

    /// <summary>A client that calls over UDP, retransmitting with the same XID until a reply comes or the call times out.</summary>
    /// <param name="server">The server's address and port.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="options">Credential, timeouts, retransmission, limits; null means the defaults.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RpcClientOptions.MaxDatagramSize"/> is more than UDP carries to the server's address family.</exception>
    /// <exception cref="RpcConnectionException">The server's address cannot be sent to (no route to it, a broadcast address).</exception>
    public static RpcClient CreateUdp(EndPoint server, uint program, uint version, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new UdpRpcClient(server, program, version, options ?? new RpcClientOptions());
    }

    /// <summary>
    /// libtirpc's clnt_create(host, prog, vers, "udp" or "tcp"): finds where the program version is served through
    /// the host's rpcbind (version 4, then 3, then the portmapper), then makes a client for it. Where nothing
    /// answers on rpcbind's port 111, it asks at <see cref="Binding.RpcbindClient.FallbackPort"/>, where NetRpc's
    /// embedded rpcbind runs when it may not bind 111.
    /// </summary>
    /// <param name="host">A host name or address.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="transport">TCP or UDP.</param>
    /// <param name="options">Credential, timeouts, limits; null means the defaults. The lookup uses its timeout too.</param>
    /// <param name="cancellationToken">Abandons the lookup.</param>
    /// <returns>A client of the program version at the address rpcbind gave.</returns>
    /// <exception cref="RpcProgramNotRegisteredException">rpcbind has no address for the program version.</exception>
    /// <exception cref="RpcConnectionException">No rpcbind answers on the host.</exception>
    /// <exception cref="RpcException">rpcbind could not be asked for another reason.</exception>
    public static async Task<RpcClient> CreateAsync(string host, uint program, uint version, RpcTransport transport, RpcClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        options ??= new RpcClientOptions();
        IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? literal)
            ? [literal]
            : [.. (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false)).OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1)];
        // The interceptors are for the program's calls, not for rpcbind's: a retry policy keyed on procedure numbers would misread GETADDR's.
        // Nor is an RPCSEC_GSS context rpcbind's business: the lookup goes with AUTH_NONE, as libtirpc's rpcb_getaddr does.
        var lookup = options with
        {
            Timeout = TimeSpan.FromTicks(Math.Min(options.Timeout.Ticks, TimeSpan.FromSeconds(10).Ticks)),
            Interceptors = [],
            Credential = options.Credential is Auth.RpcsecGssCredential ? Auth.RpcCredential.None : options.Credential,
        };
        RpcException? failure = null;
        foreach (IPAddress address in addresses)
        {
            foreach (int port in Binding.RpcbindClient.SearchPorts)
            {
                try
                {
                    IPEndPoint? endPoint = await new Binding.RpcbindClient(address, port, lookup).ResolveAsync(program, version, transport, cancellationToken).ConfigureAwait(false);
                    if (endPoint is null)
                    {
                        throw new RpcProgramNotRegisteredException(program, version);
                    }

                    return transport == RpcTransport.Tcp ? CreateTcp(endPoint, program, version, options) : CreateUdp(endPoint, program, version, options);
                }
                catch (RpcConnectionException e)
                {
                    failure = e; // nothing on this port: the next one, or the next address
                }
            }
        }

        throw new RpcConnectionException($"RPC: Port mapper failure: no rpcbind answers on {host} (ports {Binding.RpcbindClient.StandardPort} and {Binding.RpcbindClient.FallbackPort})", failure);
    }

    /// <summary>Calls a procedure, with the client's timeout.</summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <typeparam name="TResult">The results (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="cancellationToken">Abandons the call (it may still run on the server).</param>
    /// <returns>The results.</returns>
    /// <exception cref="RpcException">The call failed; the derived type says how.</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public ValueTask<TResult> CallAsync<TArgs, TResult>(uint procedure, TArgs arguments, CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult> =>
        CallAsync<TArgs, TResult>(procedure, arguments, Options.Timeout, cancellationToken);

    /// <summary>Calls a procedure with its own timeout.</summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <typeparam name="TResult">The results (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="timeout">How long the call may take, from now.</param>
    /// <param name="cancellationToken">Abandons the call (it may still run on the server).</param>
    /// <returns>The results.</returns>
    /// <exception cref="RpcException">The call failed; the derived type says how.</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public ValueTask<TResult> CallAsync<TArgs, TResult>(uint procedure, TArgs arguments, TimeSpan timeout, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult> =>
        CallAsync<TArgs, TResult>(procedure, arguments, timeout, Options.Credential, cancellationToken);

    /// <summary>Calls a procedure with options of its own: a timeout or deadline, a credential.</summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <typeparam name="TResult">The results (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="options">What this call does differently from the client's options; null means nothing.</param>
    /// <param name="cancellationToken">Abandons the call (it may still run on the server).</param>
    /// <returns>The results.</returns>
    /// <exception cref="RpcException">The call failed; the derived type says how.</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public ValueTask<TResult> CallAsync<TArgs, TResult>(uint procedure, TArgs arguments, RpcCallOptions? options, CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult> =>
        options is null
            ? CallAsync<TArgs, TResult>(procedure, arguments, Options.Timeout, Options.Credential, cancellationToken)
            : CallAsync<TArgs, TResult>(procedure, arguments, options.TimeoutFrom(Options.Timeout), options.Credential ?? Options.Credential, cancellationToken);

    /// <summary>
    /// Sends a call and expects no reply (libtirpc's clnt_call with a zero timeout): the task completes once the call is
    /// handed to the transport, over UDP as one datagram sent once. Nothing says whether it arrived or ran; a reply the
    /// server sends anyway is ignored. The server's procedure usually returns void.
    /// </summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="options">A credential of its own, and how long connecting may take (TCP); null means the client's.</param>
    /// <param name="cancellationToken">Abandons the send (before it is handed over).</param>
    /// <returns>A task that completes once the call is sent.</returns>
    /// <exception cref="RpcException">It could not be sent: no connection, or the network refused it.</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    public ValueTask SendOneWayAsync<TArgs>(uint procedure, TArgs arguments, RpcCallOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs> =>
        OneWayAsync(procedure, arguments, options, batch: false, cancellationToken);

    /// <summary>
    /// Queues a one-way call without sending it (libtirpc's batching, RFC 5531 section 8.4.1): over TCP, batched calls go
    /// out together with the next call that expects a reply, in order before it, in as few writes as fit. Over UDP each
    /// is sent at once, as <see cref="SendOneWayAsync"/>. A batch with no later call is never sent.
    /// </summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="options">A credential of its own, and how long connecting may take (TCP); null means the client's.</param>
    /// <param name="cancellationToken">Abandons it (before it is queued).</param>
    /// <returns>A task that completes once the call is queued.</returns>
    /// <exception cref="RpcException">No connection could be made.</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    public ValueTask BatchAsync<TArgs>(uint procedure, TArgs arguments, RpcCallOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs> =>
        OneWayAsync(procedure, arguments, options, batch: true, cancellationToken);

    /// <summary>
    /// Calls a procedure whose reply is a stream: YPPROC_ALL's <c>ypresp_all</c>, a union switched on a bool whose TRUE arm
    /// holds an element and whose FALSE arm is void, repeated in one reply record until FALSE. The call is sent when the
    /// enumeration begins; elements are decoded as the record's bytes arrive, so memory stays bounded (a window of 64 KiB
    /// received ahead, or one element's bytes, at most <see cref="RpcClientOptions.MaxRecordSize"/>) whatever the stream's
    /// length, and while the consumer does not pull, the connection reads nothing more (TCP flow control holds the server
    /// back; other replies on the connection wait behind the stream, as they are behind it on the wire). The timeout
    /// bounds the wait for the reply to begin, then each wait for more of it; time the consumer spends between elements
    /// does not count. Stopping before the end (breaking out of <c>await foreach</c>, cancelling, a timeout, a malformed
    /// element) closes a TCP connection in the middle of the record: the other calls in flight on it fail with
    /// <see cref="RpcConnectionException"/> (or are sent again, with <see cref="RpcClientOptions.RetryOnConnectionLoss"/>),
    /// and the next call connects again. Over UDP the stream comes in one datagram and is decoded the same way.
    /// </summary>
    /// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
    /// <typeparam name="TElement">What the TRUE arm holds.</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="options">What this call does differently from the client's options; null means nothing.</param>
    /// <param name="cancellationToken">Abandons the call, or the rest of the stream.</param>
    /// <returns>The elements, in the order sent.</returns>
    /// <exception cref="RpcException">The call failed (its reply status, a timeout, a lost connection), or the stream is malformed or ends without its FALSE (<see cref="RpcProtocolException"/>).</exception>
    /// <exception cref="ArgumentException">The arguments break a declared limit, or do not fit a UDP datagram.</exception>
    /// <exception cref="OperationCanceledException">The enumeration was cancelled.</exception>
    public async IAsyncEnumerable<TElement> CallStreamAsync<TArgs, TElement>(uint procedure, TArgs arguments, RpcCallOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TArgs : IXdrCodec<TArgs>
        where TElement : IXdrCodec<TElement>
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan timeout = options?.TimeoutFrom(Options.Timeout) ?? Options.Timeout;
        if (timeout <= TimeSpan.Zero)
        {
            throw new RpcTimeoutException(timeout);
        }

        long deadline = Environment.TickCount64 + (long)Math.Min(timeout.TotalMilliseconds, long.MaxValue / 2);
        if (!(IsReady && _window.Wait(0)))
        {
            await AcquireAsync(deadline, timeout, cancellationToken).ConfigureAwait(false);
        }

        var call = new StreamingCall(Options.MaxRecordSize)
        {
            Client = this,
            Procedure = procedure,
            Credential = options?.Credential ?? Options.Credential,
            Deadline = deadline,
            Timeout = timeout,
            Started = _metrics.Enabled ? Stopwatch.GetTimestamp() : 0,
            Activity = RpcInstrumentation.ActivitySource.HasListeners() ? StartActivity(procedure) : null,
        };
        try
        {
            Send(call, arguments, cancellationToken);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StreamStep step = call.TryRead(out TElement? element);
                if (step == StreamStep.Element)
                {
                    yield return element!;
                }
                else if (step == StreamStep.End)
                {
                    yield break;
                }
                else
                {
                    await call.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // After the FALSE this only gives the buffer back; before it, it withdraws the call or closes the connection.
            call.Abandon();
        }
    }

    private async ValueTask OneWayAsync<TArgs>(uint procedure, TArgs arguments, RpcCallOptions? options, bool batch, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan timeout = options?.TimeoutFrom(Options.Timeout) ?? Options.Timeout;
        long deadline = Environment.TickCount64 + (long)Math.Min(timeout.TotalMilliseconds, long.MaxValue / 2);
        long started = _metrics.Enabled ? Stopwatch.GetTimestamp() : 0;
        if (!IsReady)
        {
            await EnsureReadyAsync(deadline, timeout, cancellationToken).ConfigureAwait(false);
        }

        Auth.RpcCredential credential = options?.Credential ?? Options.Credential;
        using var message = new PooledBufferWriter(256);

        // An XID of its own: the counter only comes back to it after 2^32 calls, so a reply the server sends anyway
        // cannot be taken for another call's.
        uint xid = (uint)Interlocked.Increment(ref _nextXid);
        if (credential is Auth.RpcsecGssCredential gss)
        {
            // Sealed as any call of the context (made first if need be); nothing comes back to check.
            Auth.GssClientSession session = gss.SessionFor(this) ?? await gss.EstablishAsync(this, timeout, cancellationToken).ConfigureAwait(false);
            (uint sequence, int body) = session.BeginCall(message, Auth.GssProcedure.Data, xid, Program, Version, procedure);
            var sealedWriter = new XdrWriter(message);
            arguments.Encode(ref sealedWriter);
            sealedWriter.Flush();
            session.EndCall(message, body, sequence);
        }
        else
        {
            var writer = new XdrWriter(message);
            new CallHeader(xid, Program, Version, procedure, credential.Credential, credential.Verifier).Encode(ref writer);
            arguments.Encode(ref writer);
            writer.Flush();
        }

        SendOneWay(message.WrittenSpan, batch);
        if (_metrics.Enabled)
        {
            _metrics.Called(_names, Version, procedure, batch ? "BATCHED" : "ONE_WAY", started);
        }
    }

    private ValueTask<TResult> CallAsync<TArgs, TResult>(uint procedure, TArgs arguments, TimeSpan timeout, Auth.RpcCredential credential, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_interceptors is { } interceptors)
        {
            return Intercept<TArgs, TResult>(interceptors, procedure, arguments, timeout, credential, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (timeout <= TimeSpan.Zero)
        {
            // No time left (a deadline already past): over before it begins, and not sent. A call sent without waiting
            // for its reply, libtirpc's zero timeout, is SendOneWayAsync.
            return ValueTask.FromException<TResult>(new RpcTimeoutException(timeout));
        }

        long deadline = Environment.TickCount64 + (long)Math.Min(timeout.TotalMilliseconds, long.MaxValue / 2);
        return Send<TArgs, TResult>(procedure, arguments, deadline, timeout, credential, cancellationToken);
    }

    /// <summary>Runs a call through the interceptors; the last of them calls <see cref="Continue"/>.</summary>
    private ValueTask<TResult> Intercept<TArgs, TResult>(RpcClientInterceptor[] interceptors, uint procedure, TArgs arguments, TimeSpan timeout, Auth.RpcCredential credential, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        long deadline = Environment.TickCount64 + (long)Math.Clamp(timeout.TotalMilliseconds, 0, long.MaxValue / 2);
        var context = new RpcClientCallContext(this, procedure, credential, timeout, deadline, cancellationToken);
        try
        {
            return ClientInterception<TArgs, TResult>.Chain(interceptors)(arguments, context);
        }
        catch (Exception e)
        {
            // An interceptor that throws before it returns a task fails the call the same way as one whose task fails.
            return ValueTask.FromException<TResult>(e);
        }
    }

    /// <summary>
    /// The end of the interceptor chain: sends the call as the context says, within the deadline the call was given when
    /// made (a second call of the continuation, a retry, gets what is left of it, and is a new call with a new XID).
    /// </summary>
    internal ValueTask<TResult> Continue<TArgs, TResult>(TArgs arguments, RpcClientCallContext context)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!ReferenceEquals(context.Client, this))
        {
            throw new ArgumentException("The context is another client's.", nameof(context));
        }

        if (Volatile.Read(ref _disposed))
        {
            return ValueTask.FromException<TResult>(new ObjectDisposedException(GetType().FullName));
        }

        if (context.CancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(context.CancellationToken);
        }

        if (context.Timeout <= TimeSpan.Zero || context.DeadlineTicks <= Environment.TickCount64)
        {
            return ValueTask.FromException<TResult>(new RpcTimeoutException(context.Timeout));
        }

        return Send<TArgs, TResult>(context.Procedure, arguments, context.DeadlineTicks, context.Timeout, context.Credential, context.CancellationToken);
    }

    private ValueTask<TResult> Send<TArgs, TResult>(uint procedure, TArgs arguments, long deadline, TimeSpan timeout, Auth.RpcCredential credential, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        if (credential is Auth.RpcsecGssCredential gss && gss.SessionFor(this) is null)
        {
            return EstablishThenSend<TArgs, TResult>(gss, procedure, arguments, deadline, timeout, cancellationToken);
        }

        if (IsReady && _window.Wait(0))
        {
            return Start<TArgs, TResult>(procedure, arguments, deadline, timeout, credential, cancellationToken);
        }

        return StartWhenReady<TArgs, TResult>(procedure, arguments, deadline, timeout, credential, cancellationToken);
    }

    /// <summary>An RPCSEC_GSS call whose credential has no context with this client's server yet: the context first (RFC 2203 section 5.2), within the call's deadline.</summary>
    private async ValueTask<TResult> EstablishThenSend<TArgs, TResult>(Auth.RpcsecGssCredential credential, uint procedure, TArgs arguments, long deadline, TimeSpan timeout, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        TimeSpan left = TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64));
        await credential.EstablishAsync(this, left, cancellationToken).ConfigureAwait(false);
        return await Send<TArgs, TResult>(procedure, arguments, deadline, timeout, credential, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Has <paramref name="action"/> run when the client is disposed, before its transport closes: what a credential says on
    /// its way out (RPCSEC_GSS_DESTROY), as a call whose reply is awaited, so that it is not lost in the closing.
    /// </summary>
    internal void OnClosing(Func<Task> action)
    {
        lock (_lock)
        {
            (_closing ??= []).Add(action);
        }
    }

    /// <summary>How long disposing waits for each of the last words (<see cref="OnClosing"/>): a server gone takes no longer than this.</summary>
    private static readonly TimeSpan s_closingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Takes the last words to say, once.</summary>
    private Func<Task>[] TakeClosing()
    {
        lock (_lock)
        {
            Func<Task>[] closing = _disposed || _closing is null ? [] : [.. _closing];
            _closing = null;
            return closing;
        }
    }

    /// <summary>Closes the client; calls in flight fail with <see cref="RpcConnectionException"/>. An RPCSEC_GSS context is destroyed first (at most 2 s).</summary>
    public void Dispose()
    {
        foreach (Func<Task> action in TakeClosing())
        {
            // On a pool thread: a caller on the thread that completes this client's calls would otherwise wait on itself.
            _ = Task.Run(action).Wait(s_closingTimeout);
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Close();
        FailAll(new RpcConnectionException("RPC: Client closed"));
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the client (see <see cref="Dispose"/>).</summary>
    /// <returns>A task that completes once the client is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (Func<Task> action in TakeClosing())
        {
            try
            {
                await action().WaitAsync(s_closingTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        Dispose();
    }

    /// <summary>True when calls can be sent without first connecting.</summary>
    private protected abstract bool IsReady { get; }

    /// <summary>Connects, if the transport needs to; <see cref="RpcTimeoutException"/> (of <paramref name="timeout"/>) when the call's deadline passes first.</summary>
    private protected abstract ValueTask EnsureReadyAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A buffer to encode the call into, held until <see cref="EndSend"/>.</summary>
    private protected abstract PooledBufferWriter BeginSend(PendingCall call);

    /// <summary>Sends what was encoded (or, when <paramref name="encoded"/> is false, drops it).</summary>
    private protected abstract void EndSend(PendingCall call, bool encoded);

    /// <summary>Sends a UDP call again.</summary>
    private protected virtual void Retransmit(PendingCall call)
    {
    }

    /// <summary>Sends a one-way call's message (no record mark): over TCP queued, and unless batched flushed; over UDP one datagram.</summary>
    /// <exception cref="RpcException">It could not be sent.</exception>
    private protected abstract void SendOneWay(ReadOnlySpan<byte> message, bool batch);

    private protected abstract void Close();

    /// <summary>
    /// Handles a reply message: completes the call it answers, or ignores it when it answers none. Pooled opaque data in
    /// its results borrows <paramref name="input"/>, the shared buffer the message lies in, when there is one; the caller
    /// who gets the results gives it back by disposing them.
    /// </summary>
    private protected void OnReply(ReadOnlyMemory<byte> message, XdrSharedBuffer? input)
    {
        var reader = new XdrReader(message, input, null);
        uint xid;
        try
        {
            if (!ReplyHeader.TryReadStart(ref reader, out xid))
            {
                return; // a call sent to the client, or garbage: not ours
            }
        }
        catch (XdrException)
        {
            return;
        }

        PendingCall? call = TryRemove(xid);
        if (call is StreamingCall stream)
        {
            stream.DeliverWhole(message.Span[(int)reader.Position..]);
        }
        else if (call is not null)
        {
            call.Complete(ref reader, message, this);
        }
    }

    /// <summary>Fails every call in flight, or those sent on one channel (a connection that broke).</summary>
    private protected void FailAll(Exception exception, object? channel = null)
    {
        PendingCall[] calls;
        lock (_lock)
        {
            calls = [.. _pending.Values.Where(c => channel is null || ReferenceEquals(c.Channel, channel))];
            foreach (PendingCall call in calls)
            {
                _pending.Remove(call.Xid);
            }
        }

        foreach (PendingCall call in calls)
        {
            Released(call);
            Finished(call, Outcome(exception));
            call.Fail(exception);
        }
    }

    /// <summary>Moves each call in flight to the channel <paramref name="destination"/> gives it (null: it stays), and returns those moved.</summary>
    private protected List<PendingCall> MoveCalls(Func<PendingCall, object?> destination)
    {
        var moved = new List<PendingCall>();
        lock (_lock)
        {
            foreach (PendingCall call in _pending.Values)
            {
                if (destination(call) is { } channel)
                {
                    call.Channel = channel;
                    moved.Add(call);
                }
            }
        }

        return moved;
    }

    /// <summary>The latest deadline of the calls in flight that <paramref name="stranded"/> picks, or null when it picks none.</summary>
    private protected long? LatestDeadline(Func<PendingCall, bool> stranded)
    {
        long? latest = null;
        lock (_lock)
        {
            foreach (PendingCall call in _pending.Values)
            {
                if (stranded(call) && (latest is null || call.Deadline > latest))
                {
                    latest = call.Deadline;
                }
            }
        }

        return latest;
    }

    /// <summary>Counts a call sent again (UDP retransmission, TCP resend after a reconnect).</summary>
    private protected void CountResend() => _metrics.Retransmitted();

    /// <summary>The exception a reply stands for, or null for SUCCESS.</summary>
    internal Exception? FailureOf(in ReplyHeader header, uint procedure, Auth.RpcCredential credential) =>
        FailureOf(header, Program, Version, procedure, credential);

    /// <summary>The exception a reply to a call of <paramref name="program"/> and <paramref name="version"/> stands for, or null for SUCCESS.</summary>
    internal static Exception? FailureOf(in ReplyHeader header, uint program, uint version, uint procedure, Auth.RpcCredential credential)
    {
        if (header.Status == ReplyStatus.Denied)
        {
            return header.Reject == RejectStatus.RpcMismatch
                ? new RpcVersionMismatchException(header.Low, header.High)
                : new RpcAuthenticationException(header.Auth);
        }

        if (!credential.ValidateReplyVerifier(header.Verifier))
        {
            return new RpcAuthenticationException(AuthStatus.InvalidResponse);
        }

        return header.Accept switch
        {
            AcceptStatus.Success => null,
            AcceptStatus.ProgramUnavailable => new RpcProgramUnavailableException(program),
            AcceptStatus.ProgramMismatch => new RpcProgramMismatchException(program, version, header.Low, header.High),
            AcceptStatus.ProcedureUnavailable => new RpcProcedureUnavailableException(procedure),
            AcceptStatus.GarbageArguments => new RpcGarbageArgumentsException(),
            _ => new RpcSystemErrorException(),
        };
    }

    internal void Finished(PendingCall call, string outcome)
    {
        if (_metrics.Enabled)
        {
            _metrics.Called(_names, Version, call.Procedure, outcome, call.Started);
        }

        if (call.Activity is { } activity)
        {
            activity.SetTag(RpcSemanticConventions.Status, outcome);
            if (outcome != "SUCCESS")
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }

            activity.Stop();
        }
    }

    private ValueTask<TResult> Start<TArgs, TResult>(uint procedure, TArgs arguments, long deadline, TimeSpan timeout, Auth.RpcCredential credential, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        var call = new PendingCall<TResult>(!Options.InlineCompletions)
        {
            Client = this,
            Procedure = procedure,
            Credential = credential,
            Deadline = deadline,
            Timeout = timeout,
            Started = _metrics.Enabled ? Stopwatch.GetTimestamp() : 0,
            Activity = RpcInstrumentation.ActivitySource.HasListeners() ? StartActivity(procedure) : null,
        };
        Send(call, arguments, cancellationToken);
        return new ValueTask<TResult>(call, call.Version);
    }

    /// <summary>Registers a call, encodes it straight into the transport's buffer and sends it; a window slot is held.</summary>
    private void Send<TArgs>(PendingCall call, TArgs arguments, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
    {
        Register(call);
        call.Activity?.SetTag(RpcSemanticConventions.Xid, call.Xid);
        if (cancellationToken.CanBeCanceled)
        {
            call.Cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingCall)state!).Client!.Cancel((PendingCall)state, token), call);
        }

        // A limit broken by the arguments is the caller's mistake.
        PooledBufferWriter buffer = BeginSend(call);
        bool encoded = false;
        try
        {
            if (call.Credential is Auth.RpcsecGssCredential gss)
            {
                WriteSealed(call, gss.SessionFor(this), Auth.GssProcedure.Data, buffer, arguments);
            }
            else if (call.Credential is Auth.GssDestroyCredential destroy)
            {
                WriteSealed(call, destroy.Session, Auth.GssProcedure.Destroy, buffer, arguments);
            }
            else
            {
                var writer = new XdrWriter(buffer);
                new CallHeader(call.Xid, Program, Version, call.Procedure, call.Credential.Credential, call.Credential.Verifier).Encode(ref writer);
                arguments.Encode(ref writer);
                writer.Flush();
            }

            encoded = true;
        }
        finally
        {
            EndSend(call, encoded);
            if (!encoded && TryRemove(call))
            {
                Finished(call, "INVALID_ARGUMENTS");
            }
        }
    }

    /// <summary>
    /// An RPCSEC_GSS call, written in place: the header under a new sequence number with its MIC, the arguments, then
    /// sealed where they are (krb5i, krb5p). The plain arguments are kept only where the call may be sent again.
    /// </summary>
    private void WriteSealed<TArgs>(PendingCall call, Auth.GssClientSession? session, Auth.GssProcedure control, PooledBufferWriter buffer, TArgs arguments)
        where TArgs : IXdrCodec<TArgs>
    {
        if (session is null)
        {
            throw new RpcAuthenticationException(AuthStatus.RpcsecGssCredentialProblem, "the context was dropped before the call went out");
        }

        (uint sequence, int body) = session.BeginCall(buffer, control, call.Xid, Program, Version, call.Procedure);
        int argumentsStart = buffer.WrittenCount;
        var writer = new XdrWriter(buffer);
        arguments.Encode(ref writer);
        writer.Flush();
        byte[]? kept = MayResend ? buffer.WrittenSpan[argumentsStart..].ToArray() : null;
        session.EndCall(buffer, body, sequence);
        call.Gss = new Auth.GssCallState(session, call.Xid, Program, Version, call.Procedure, kept, sequence);
    }

    /// <summary>Whether a call may go out again (UDP retransmissions, TCP resends after a reconnection): RPCSEC_GSS then seals it anew.</summary>
    private protected virtual bool MayResend => false;

    /// <summary>Takes a window slot and makes sure the transport is ready, within the call's deadline.</summary>
    private async ValueTask AcquireAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int wait = (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
        if (!await _window.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            throw new RpcTimeoutException(timeout);
        }

        try
        {
            await EnsureReadyAsync(deadline, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _window.Release();
            throw;
        }
    }

    private async ValueTask<TResult> StartWhenReady<TArgs, TResult>(uint procedure, TArgs arguments, long deadline, TimeSpan timeout, Auth.RpcCredential credential, CancellationToken cancellationToken)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        await AcquireAsync(deadline, timeout, cancellationToken).ConfigureAwait(false);
        return await Start<TArgs, TResult>(procedure, arguments, deadline, timeout, credential, cancellationToken).ConfigureAwait(false);
    }

    private void Register(PendingCall call)
    {
        lock (_lock)
        {
            // XIDs only need to differ between the calls in flight (RFC 5531 section 9).
            uint xid;
            do
            {
                xid = (uint)Interlocked.Increment(ref _nextXid);
            }
            while (_pending.ContainsKey(xid));

            call.Xid = xid;
            _pending.Add(xid, call);
            _idleTicks = 0;
            if (!_ticking)
            {
                _ticking = true;
                ClientTicker.Enlist(this);
            }
        }
    }

    /// <summary>Takes this very call out of the table (a later call may have its XID); true when it was there.</summary>
    private protected bool TryRemove(PendingCall call)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(call.Xid, out PendingCall? found) || !ReferenceEquals(found, call))
            {
                return false;
            }

            _pending.Remove(call.Xid);
        }

        Released(call);
        return true;
    }

    /// <summary>
    /// The streaming call <paramref name="xid"/> answers, taken out of the table as its reply begins (the transport then
    /// hands it the record's bytes as they arrive); null when the XID is not a streaming call's.
    /// </summary>
    private protected StreamingCall? TryClaimStream(uint xid)
    {
        PendingCall? call;
        lock (_lock)
        {
            if (!_pending.TryGetValue(xid, out call) || call is not StreamingCall)
            {
                return null;
            }

            _pending.Remove(xid);
        }

        Released(call);
        return (StreamingCall)call;
    }

    /// <summary>A streaming call whose consumer gave up before the reply began: out of the table, so that its reply is ignored.</summary>
    /// <returns>True when it was still waiting for its reply.</returns>
    internal bool Withdraw(PendingCall call) => TryRemove(call);

    /// <summary>Takes a call out of the table: whoever succeeds completes it, and its window slot is freed.</summary>
    private protected PendingCall? TryRemove(uint xid)
    {
        PendingCall? call;
        lock (_lock)
        {
            if (!_pending.Remove(xid, out call))
            {
                return null;
            }
        }

        Released(call);
        return call;
    }

    private void Released(PendingCall call)
    {
        _window.Release();
        call.Cancellation.Unregister();
    }

    private void Cancel(PendingCall call, CancellationToken token)
    {
        if (TryRemove(call))
        {
            Finished(call, "CANCELLED");
            call.Fail(new OperationCanceledException(token));
        }
    }

    /// <summary>Times out calls past their deadline, and sends again UDP calls (and TCP calls resent after a reconnect) whose reply is late (on <see cref="ClientTicker"/>'s thread).</summary>
    /// <returns>False when the client has been idle for a while and leaves the ticker.</returns>
    internal bool Tick()
    {
        long now = Environment.TickCount64;
        List<PendingCall>? expired = null;
        List<PendingCall>? resend = null;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                if (++_idleTicks >= IdleTicksBeforeLeaving || _disposed)
                {
                    _ticking = false;
                    return false;
                }

                return true;
            }

            foreach (PendingCall call in _pending.Values)
            {
                if (call.Deadline <= now)
                {
                    (expired ??= []).Add(call);
                }
                else if (call.RetransmitOnTimer && call.NextRetransmit <= now)
                {
                    call.RetransmitInterval = Math.Min(call.RetransmitInterval * 2, (long)Options.MaxRetransmitInterval.TotalMilliseconds);
                    call.NextRetransmit = now + call.RetransmitInterval;
                    (resend ??= []).Add(call);
                }
            }

            foreach (PendingCall call in expired ?? [])
            {
                _pending.Remove(call.Xid);
            }
        }

        foreach (PendingCall call in expired ?? [])
        {
            Released(call);
            Finished(call, "TIMEOUT");
            if (Options.InlineCompletions)
            {
                // An inline continuation must not run on the ticker's thread: it would hold up every client's tick.
                ThreadPool.UnsafeQueueUserWorkItem(static c => c.Fail(new RpcTimeoutException(c.Timeout)), call, preferLocal: false);
            }
            else
            {
                call.Fail(new RpcTimeoutException(call.Timeout));
            }
        }

        foreach (PendingCall call in resend ?? [])
        {
            _metrics.Retransmitted();
            Retransmit(call);
        }

        return true;
    }

    private Activity? StartActivity(uint procedure)
    {
        // The span belongs to the call, not to the caller's code after CallAsync returns: Activity.Current is put back.
        Activity? caller = Activity.Current;
        string method = _names.Method(procedure);
        Activity? activity = RpcInstrumentation.ActivitySource.StartActivity($"{_names.Service}/{method}", ActivityKind.Client);
        Activity.Current = caller;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(RpcSemanticConventions.RpcSystem, RpcSemanticConventions.OncRpcSystem);
            activity.SetTag(RpcSemanticConventions.RpcService, _names.Service);
            activity.SetTag(RpcSemanticConventions.RpcMethod, method);
            if (_names.ProgramName is { } programName)
            {
                activity.SetTag(RpcSemanticConventions.ProgramName, programName);
            }

            activity.SetTag(RpcSemanticConventions.Version, (int)Version);
            if (_names.ProcedureName(procedure) is { } procedureName)
            {
                activity.SetTag(RpcSemanticConventions.ProcedureName, procedureName);
            }

            activity.SetTag(RpcSemanticConventions.ProcedureNumber, (int)procedure);
            activity.SetTag(RpcSemanticConventions.LegacyServiceVersion, Version);
            activity.SetTag(RpcSemanticConventions.NetworkTransport, Transport == RpcTransport.Tcp ? "tcp" : "udp");
            switch (Server)
            {
                case IPEndPoint ip:
                    string address = ip.Address.ToString();
                    activity.SetTag(RpcSemanticConventions.ServerAddress, address);
                    activity.SetTag(RpcSemanticConventions.ServerPort, ip.Port);
                    activity.SetTag(RpcSemanticConventions.NetworkPeerAddress, address);
                    activity.SetTag(RpcSemanticConventions.NetworkPeerPort, ip.Port);
                    break;
                case DnsEndPoint dns:
                    activity.SetTag(RpcSemanticConventions.ServerAddress, dns.Host);
                    if (dns.Port != 0)
                    {
                        // Port 0: the calls of a client over several servers go to whichever is next.
                        activity.SetTag(RpcSemanticConventions.ServerPort, dns.Port);
                    }

                    break;
            }
        }

        return activity;
    }

    /// <summary>The outcome tag of a failed call: the reply status it stands for, or what happened instead.</summary>
    internal static string Outcome(Exception exception) => exception switch
    {
        RpcTimeoutException => "TIMEOUT",
        RpcConnectionException => "CONNECTION_LOST",
        OperationCanceledException => "CANCELLED",
        RpcProgramUnavailableException => "PROG_UNAVAIL",
        RpcProgramMismatchException => "PROG_MISMATCH",
        RpcProcedureUnavailableException => "PROC_UNAVAIL",
        RpcGarbageArgumentsException => "GARBAGE_ARGS",
        RpcSystemErrorException => "SYSTEM_ERR",
        RpcVersionMismatchException => "RPC_MISMATCH",
        RpcAuthenticationException => "AUTH_ERROR",
        _ => "PROTOCOL_ERROR",
    };
}
