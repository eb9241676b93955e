using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Diagnostics;

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
    private readonly List<TcpService> _tcp = [];
    private readonly List<UdpService> _udp = [];
    private readonly object _lock = new();
    private bool _stopped;

    /// <summary>Creates a server that serves nothing until programs are added and endpoints opened.</summary>
    /// <param name="options">Limits and services; null means the defaults.</param>
    public RpcServer(RpcServerOptions? options = null)
    {
        _options = options ?? new RpcServerOptions();
        _logger = _options.LoggerFactory?.CreateLogger("NetRpc.Server") ?? NullLogger.Instance;
        var metrics = new RpcServerMetrics(_options.MeterFactory);
        _dispatcher = new CallDispatcher(_options, _logger, metrics);
        _udpCache = _options.UdpDuplicateRequestCache is { } udp ? new DuplicateRequestCache(udp, metrics) : null;
        _tcpCache = _options.TcpDuplicateRequestCache is { } tcp ? new DuplicateRequestCache(tcp, metrics) : null;
    }

    /// <summary>The TCP endpoints served.</summary>
    public IReadOnlyList<IPEndPoint> TcpEndPoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _tcp.Select(t => t.LocalEndPoint)];
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
        var service = new TcpService(endPoint, _options, _dispatcher, _tcpCache, _logger);
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
        var service = new UdpService(endPoint, _options, _dispatcher, _udpCache, _logger);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _udp.Add(service);
        }

        service.Start();
        return service.LocalEndPoint;
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

        TimeSpan timeout = _options.ShutdownTimeout;
        Task stopping = Task.WhenAll(tcp.Select(t => t.StopAsync(timeout)).Concat(udp.Select(u => u.StopAsync(timeout))));
        await stopping.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
