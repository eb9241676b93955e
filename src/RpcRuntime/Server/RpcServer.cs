using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;

namespace NetRpc.Runtime.Server;

/// <summary>
/// An ONC RPC server (RFC 5531) for any number of programs and versions, on any number of TCP and UDP
/// endpoints. Calls run concurrently across cores; a failing handler gets SYSTEM_ERR and is logged while the
/// server goes on; connections, records and idle time are bounded; UDP calls are executed at most once
/// through a duplicate request cache.
/// </summary>
/// <example>
/// <code>
/// await using var server = new RpcServer();
/// server.AddProgram(new RpcProgramBuilder(0x31234567, 1, "TEST_PROG")
///     .AddProcedure&lt;XdrVoid, MyResult&gt;(1, "TEST", (_, _) => ValueTask.FromResult(new MyResult(100)))
///     .Build());
/// IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
/// </code>
/// </example>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly RpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly CallDispatcher _dispatcher;
    private readonly DuplicateRequestCache? _udpCache;
    private readonly DuplicateRequestCache? _tcpCache;
    private readonly ReplyBacklog _backlog;
    private readonly UdpCallsInFlight _udpCalls;
    private readonly List<TcpService> _tcp = [];
    private readonly List<UdpService> _udp = [];
    private readonly object _lock = new();
    private readonly List<(uint Program, uint Version)> _registered = [];
    private RpcbindClient? _rpcbind;
    private RpcbindServer? _embeddedRpcbind;
    private bool _stopped;

    /// <summary>Creates a server that serves nothing until programs are added and endpoints opened.</summary>
    /// <param name="options">Limits and services; null means the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RpcServerOptions.MaxDatagramSize"/> is more than UDP carries (65,507 bytes).</exception>
    /// <exception cref="DuplicateRequestJournalException">A duplicate request journal cannot be opened (a directory, no permission, another
    /// server using it), is not this cache's journal, or is damaged so that calls it recorded can no longer be named.</exception>
    public RpcServer(RpcServerOptions? options = null)
    {
        _options = options ?? new RpcServerOptions();
        Transports.DatagramLimits.Validate(_options.MaxDatagramSize, System.Net.Sockets.AddressFamily.InterNetwork, nameof(RpcServerOptions.MaxDatagramSize));
        _logger = _options.LoggerFactory?.CreateLogger("NetRpc.Server") ?? NullLogger.Instance;
        var metrics = new RpcServerMetrics(_options.MeterFactory);
        _dispatcher = new CallDispatcher(_options, _logger, metrics);
        _backlog = new ReplyBacklog(_options.MaxQueuedReplyBytes);
        _udpCalls = new UdpCallsInFlight(Math.Max(1, _options.MaxUdpCallsInFlight), Math.Max(1, _options.MaxUdpCallsInFlightPerAddress));
        if (_options.DuplicateRequestStore is not null)
        {
            return; // the shared store serves both transports, in the dispatcher
        }

        _udpCache = _options.UdpDuplicateRequestCache is { } udp ? new DuplicateRequestCache(udp, "udp", metrics, _logger) : null;
        try
        {
            _tcpCache = _options.TcpDuplicateRequestCache is { } tcp ? new DuplicateRequestCache(tcp, "tcp", metrics, _logger) : null;
        }
        catch
        {
            _udpCache?.Dispose();
            throw;
        }
    }

    /// <summary>The TCP endpoints served.</summary>
    public IReadOnlyList<IPEndPoint> TcpEndPoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _tcp.Select(t => t.LocalEndPoint).OfType<IPEndPoint>()];
            }
        }
    }

    /// <summary>The UDP endpoints served.</summary>
    public IReadOnlyList<IPEndPoint> UdpEndPoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _udp.Select(u => u.LocalEndPoint)];
            }
        }
    }

    /// <summary>Open TCP connections.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _tcp.Sum(t => t.ConnectionCount);
            }
        }
    }

    /// <summary>TCP connections answering no further call until their peers read the replies waiting for them.</summary>
    internal int ConnectionsWaitingForPeer
    {
        get
        {
            lock (_lock)
            {
                return _tcp.Sum(t => t.WaitingForPeer);
            }
        }
    }

    /// <summary>How many of the TCP listeners serve their connections on epoll loops (the rest: a thread per connection).</summary>
    internal int TcpListenersOnEventLoops
    {
        get
        {
            lock (_lock)
            {
                return _tcp.Count(t => t.OnEventLoops);
            }
        }
    }

    /// <summary>Reply bytes queued for TCP peers that have not read them yet.</summary>
    internal long QueuedReplyBytes => _backlog.Bytes;

    /// <summary>UDP calls whose handlers are still running.</summary>
    internal int InFlightUdpCalls => _udpCalls.Count;

    /// <summary>The UDP duplicate request cache's counters: hits, misses, drops of calls still running, evictions.</summary>
    public (long Hits, long Misses, long InProgressDrops, long Evictions) UdpDuplicateRequestCacheCounters =>
        _udpCache is null ? default : (Interlocked.Read(ref _udpCache.Hits), Interlocked.Read(ref _udpCache.Misses), Interlocked.Read(ref _udpCache.InProgressDrops), Interlocked.Read(ref _udpCache.Evictions));

    /// <summary>Serves a program version; may be called while the server runs.</summary>
    /// <param name="program">The program, from <see cref="RpcProgramBuilder"/>.</param>
    /// <exception cref="InvalidOperationException">That program version is already served.</exception>
    public void AddProgram(RpcProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        _dispatcher.Add(program);
    }

    /// <summary>Serves TCP on an endpoint (port 0 picks a free port).</summary>
    /// <param name="endPoint">Where to listen.</param>
    /// <returns>The endpoint actually bound.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The endpoint cannot be bound.</exception>
    public IPEndPoint ListenTcp(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return (IPEndPoint)ListenStream(endPoint);
    }

    /// <summary>
    /// Serves a local (AF_UNIX) stream socket, with TCP's record marking, as native rpcbind does at
    /// /run/rpcbind.sock. A socket file already at the path is replaced; it is removed when the server stops.
    /// Handlers see such callers in <see cref="RpcCallContext.Local"/>, with the user id the kernel reports.
    /// </summary>
    /// <param name="path">The socket's path.</param>
    /// <exception cref="System.Net.Sockets.SocketException">The path cannot be bound.</exception>
    /// <exception cref="IOException">A file at the path cannot be removed.</exception>
    /// <exception cref="UnauthorizedAccessException">A file at the path may not be removed.</exception>
    public void ListenLocal(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ListenStream(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
    }

    /// <summary>TCP and local sockets alike: record-marked streams, served by a <see cref="TcpService"/>.</summary>
    private EndPoint ListenStream(EndPoint endPoint)
    {
        var service = new TcpService(endPoint, _options, _dispatcher, _tcpCache, _backlog, _logger);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _tcp.Add(service);
        }

        service.Start();
        return service.LocalEndPoint;
    }

    /// <summary>Serves UDP on an endpoint (port 0 picks a free port).</summary>
    /// <param name="endPoint">Where to listen.</param>
    /// <returns>The endpoint actually bound.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The endpoint cannot be bound.</exception>
    public IPEndPoint ListenUdp(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var service = new UdpService(endPoint, _options, _dispatcher, _udpCache, _udpCalls, _logger);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _udp.Add(service);
        }

        service.Start();
        return service.LocalEndPoint;
    }

    /// <summary>
    /// Registers every program version served, on every endpoint listened on, with this host's rpcbind, as
    /// rpcgen's servers do at start (an endpoint on every IPv6 and IPv4 address registers both); <see cref="StopAsync"/>
    /// removes the registrations. Where no rpcbind answers on port 111 nor on <see cref="RpcbindClient.FallbackPort"/>,
    /// and <paramref name="startEmbedded"/> is set, NetRpc's embedded rpcbind starts in this process, on 111 when
    /// the process may bind it and on the fallback port otherwise (where NetRpc's clients look too), and stops with
    /// the server.
    /// </summary>
    /// <param name="startEmbedded">Start the embedded rpcbind when none answers.</param>
    /// <param name="cancellationToken">Abandons the registration.</param>
    /// <returns>The rpcbind the programs were registered with.</returns>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused a registration; the message says which and why.</exception>
    /// <exception cref="Client.RpcConnectionException">No rpcbind answers, and <paramref name="startEmbedded"/> is off.</exception>
    public Task<RpcbindClient> RegisterAsync(bool startEmbedded = true, CancellationToken cancellationToken = default) =>
        RegisterAsync(static (_, _, _) => true, startEmbedded, cancellationToken);

    /// <summary>
    /// Registers with this host's rpcbind, as <see cref="RegisterAsync(bool, CancellationToken)"/> does, only the program
    /// versions and endpoints <paramref name="register"/> chooses: a channel that must not be found through rpcbind
    /// (VXI-11's abort channel, served on an endpoint of its own) stays unregistered, as svc_register with a zero
    /// protocol leaves a C server's.
    /// </summary>
    /// <param name="register">Whether a program version is registered for a transport at an endpoint.</param>
    /// <param name="startEmbedded">Start the embedded rpcbind when none answers.</param>
    /// <param name="cancellationToken">Abandons the registration.</param>
    /// <returns>The rpcbind the programs were registered with.</returns>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused a registration; the message says which and why.</exception>
    /// <exception cref="Client.RpcConnectionException">No rpcbind answers, and <paramref name="startEmbedded"/> is off.</exception>
    public async Task<RpcbindClient> RegisterAsync(Func<RpcProgram, RpcTransport, IPEndPoint, bool> register, bool startEmbedded = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(register);

        // Where native rpcbind's local socket is (NetRpc's embedded rpcbind makes one too), register through it at
        // once, as libtirpc's svc_reg does, without asking first whether rpcbind answers: a connection and a call
        // fewer at every start (bench/first-reply.sh).
        if (RpcbindClient.LocalSocketPaths.Any(File.Exists))
        {
            var local = new RpcbindClient(IPAddress.Loopback);
            try
            {
                await RegisterAsync(local, register, cancellationToken).ConfigureAwait(false);
                return local;
            }
            catch (Client.RpcConnectionException)
            {
                // A socket file left behind, and nothing on port 111: look further, as below.
            }
        }

        RpcbindClient rpcbind = await FindRpcbindAsync(startEmbedded, cancellationToken).ConfigureAwait(false);
        await RegisterAsync(rpcbind, register, cancellationToken).ConfigureAwait(false);
        return rpcbind;
    }

    /// <summary>
    /// Registers with a given rpcbind (another host's, or one on a port of its own) the program versions and endpoints
    /// <paramref name="register"/> chooses (all when null); <see cref="StopAsync"/> removes the registrations.
    /// </summary>
    /// <param name="rpcbind">The rpcbind to register with.</param>
    /// <param name="register">Whether a program version is registered for a transport at an endpoint; null registers all.</param>
    /// <param name="cancellationToken">Abandons the registration.</param>
    /// <returns>A task that completes when every registration is made.</returns>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused a registration; the message says which and why.</exception>
    /// <exception cref="Client.RpcException">rpcbind could not be reached.</exception>
    public async Task RegisterAsync(RpcbindClient rpcbind, Func<RpcProgram, RpcTransport, IPEndPoint, bool>? register = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpcbind);
        register ??= static (_, _, _) => true;
        (RpcTransport Transport, IPEndPoint EndPoint)[] endPoints;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            // UDP first, as rpcgen's svc main registers: a client asking for UDP (clnt_create's usual) finds it sooner.
            endPoints = [.. _udp.Select(u => (RpcTransport.Udp, u.LocalEndPoint)).Concat(_tcp.Select(t => t.LocalEndPoint).OfType<IPEndPoint>().Select(e => (RpcTransport.Tcp, e)))];
            _rpcbind = rpcbind;
        }

        var registrations = new List<(uint Program, uint Version, RpcTransport Transport, IPEndPoint EndPoint)>();
        foreach (RpcProgram program in _dispatcher.Programs)
        {
            (RpcTransport Transport, IPEndPoint EndPoint)[] chosen = [.. endPoints.Where(e => register(program, e.Transport, e.EndPoint))];
            if (chosen.Length == 0)
            {
                continue;
            }

            lock (_lock)
            {
                if (!_registered.Contains((program.Program, program.Version)))
                {
                    _registered.Add((program.Program, program.Version));
                }
            }

            foreach ((RpcTransport transport, IPEndPoint endPoint) in chosen)
            {
                registrations.AddRange(RegisteredAddresses(endPoint).Select(address => (program.Program, program.Version, transport, address)));
            }
        }

        // One connection to rpcbind for all of them.
        await rpcbind.RegisterAsync(registrations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The addresses an endpoint is registered at: a dual-mode any-address endpoint serves IPv6 and IPv4.</summary>
    private static IEnumerable<IPEndPoint> RegisteredAddresses(IPEndPoint endPoint)
    {
        yield return endPoint;
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            yield return new IPEndPoint(IPAddress.Any, endPoint.Port);
        }
    }

    private async Task<RpcbindClient> FindRpcbindAsync(bool startEmbedded, CancellationToken cancellationToken)
    {
        TimeSpan probe = TimeSpan.FromSeconds(2);
        foreach (int port in RpcbindClient.SearchPorts)
        {
            if (await RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, port, probe, cancellationToken).ConfigureAwait(false))
            {
                return new RpcbindClient(IPAddress.Loopback, port);
            }
        }

        if (!startEmbedded)
        {
            throw new Client.RpcConnectionException($"RPC: no rpcbind answers on this host (ports {RpcbindClient.StandardPort} and {RpcbindClient.FallbackPort})");
        }

        var rpcbindOptions = new RpcbindServerOptions { LoggerFactory = _options.LoggerFactory, MeterFactory = _options.MeterFactory };
        RpcbindServer embedded;
        try
        {
            embedded = RpcbindServer.Start(rpcbindOptions);
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode is System.Net.Sockets.SocketError.AccessDenied or System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            // Port 111 needs the privilege (or is held by something that is not answering): the fallback port.
            embedded = RpcbindServer.Start(rpcbindOptions with { Port = RpcbindClient.FallbackPort });
        }

        lock (_lock)
        {
            _embeddedRpcbind = embedded;
        }

        RpcServerLog.StartedRpcbind(_logger, embedded.TcpEndPoint.Port);
        return new RpcbindClient(IPAddress.Loopback, embedded.TcpEndPoint.Port);
    }

    /// <summary>
    /// Stops: no new connections or datagrams are taken, calls in flight are answered (within
    /// <see cref="RpcServerOptions.ShutdownTimeout"/>), then every socket is closed.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for calls in flight.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        TcpService[] tcp;
        UdpService[] udp;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            tcp = [.. _tcp];
            udp = [.. _udp];
        }

        await UnregisterAsync(cancellationToken).ConfigureAwait(false);
        TimeSpan timeout = _options.ShutdownTimeout;
        Task stopping = Task.WhenAll(tcp.Select(t => t.StopAsync(timeout)).Concat(udp.Select(u => u.StopAsync(timeout))));
        try
        {
            await stopping.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Journals close; a call still finishing after this is not written down.
            _udpCache?.Dispose();
            _tcpCache?.Dispose();
        }

        if (_embeddedRpcbind is { } embedded)
        {
            await embedded.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>First thing when stopping: clients stop finding this server before it stops answering.</summary>
    private async Task UnregisterAsync(CancellationToken cancellationToken)
    {
        (uint Program, uint Version)[] registered;
        lock (_lock)
        {
            registered = [.. _registered];
            _registered.Clear();
        }

        if (_rpcbind is not { } rpcbind || _embeddedRpcbind is not null)
        {
            return; // an embedded rpcbind stops with the server: nothing outlives it
        }

        foreach ((uint program, uint version) in registered)
        {
            try
            {
                await rpcbind.UnregisterAsync(program, version, cancellationToken).ConfigureAwait(false);
            }
            catch (Client.RpcException e)
            {
                RpcServerLog.UnregisterFailed(_logger, program, version, e.Message);
            }
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
