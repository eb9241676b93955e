using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// A listening TCP endpoint. A thread accepts connections. On Linux they are dealt out to one epoll
/// <see cref="EventLoop"/> per core, which serve many connections per wake-up; elsewhere each gets a thread
/// of its own (<see cref="TcpConnection"/>). The same serves a local (AF_UNIX) stream socket: record marking as
/// on TCP (RFC 5531 section 11), as native rpcbind's /run/rpcbind.sock.
/// </summary>
internal sealed class TcpService
{
    private readonly Socket _listener;
    private readonly EventLoop[]? _loops;
    private readonly HashSet<TcpConnection> _threaded = [];
    private readonly object _lock = new();
    private readonly ManualResetEventSlim _allClosed = new(initialState: true);
    private readonly PeerCounter _perPeer;
    private int _connections;
    private int _waitingForPeer;
    private int _nextLoop;
    private volatile bool _stopping;

    public TcpService(EndPoint endPoint, RpcServerOptions options, CallDispatcher dispatcher, DuplicateRequestCache? cache, ReplyBacklog backlog, ILogger logger)
    {
        Options = options;
        Dispatcher = dispatcher;
        Cache = cache;
        Backlog = backlog;
        Logger = logger;
        _perPeer = new PeerCounter(options.ConnectionsPerAddress);
        bool local = endPoint is UnixDomainSocketEndPoint;
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, local ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            if (endPoint is UnixDomainSocketEndPoint)
            {
                // A socket file left by a process that died would refuse the bind; native rpcbind removes it too.
                File.Delete(endPoint.ToString()!);
            }
            else
            {
                _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            if (endPoint is IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip && ip.Address.Equals(IPAddress.IPv6Any))
            {
                _listener.DualMode = true;
            }

            _listener.Bind(endPoint);
            if (local && !OperatingSystem.IsWindows())
            {
                // Anyone on the host may connect (srw-rw-rw-, as native rpcbind's); the kernel tells who they are.
                File.SetUnixFileMode(endPoint.ToString()!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            // SOMAXCONN, as libtirpc's svc_vc_create: the kernel's limit (net.core.somaxconn, 4096 on current Linux). A
            // short queue drops the SYNs of a burst of clients while the accept loop catches up, and each then waits
            // a second or more to try again.
            _listener.Listen();
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = local ? endPoint : _listener.LocalEndPoint!;
        if (SocketIo.IsDirect && !options.ThreadPerConnection)
        {
            _loops = [.. Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(i => new EventLoop(this, i))];
        }
    }

    public RpcServerOptions Options { get; }


    /// <summary>Whether epoll loops serve this listener's connections (false: a thread per connection).</summary>
    public bool OnEventLoops => _loops is not null;

    public CallDispatcher Dispatcher { get; }

    public DuplicateRequestCache? Cache { get; }

    /// <summary>Reply bytes queued across the server's connections.</summary>
    public ReplyBacklog Backlog { get; }

    public ILogger Logger { get; }

    public EndPoint LocalEndPoint { get; }

    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Connections that answer no further call until their peers read the replies waiting for them.</summary>
    public int WaitingForPeer => Volatile.Read(ref _waitingForPeer);

    /// <summary>A connection begins (+1) or ends (-1) waiting for its peer to read its replies.</summary>
    public void CountWaitingForPeer(int change) => Interlocked.Add(ref _waitingForPeer, change);

    public void Start()
    {
        var thread = new Thread(AcceptLoop) { IsBackground = true, Name = $"NetRpc TCP accept {LocalEndPoint}" };
        thread.Start();
        RpcServerLog.Listening(Logger, "tcp", LocalEndPoint);
    }

    /// <summary>
    /// An event loop answered a connection's AUTH_TLS probe and let it go: it continues in TLS on a thread of its own
    /// (still counted as the same connection).
    /// </summary>
    public void ContinueWithTls(Socket socket, PeerKey peer, LocalPeer? local)
    {
        var connection = new TcpConnection(socket, peer, local, this, handshakeFirst: true);
        lock (_lock)
        {
            _threaded.Add(connection);
        }

        connection.Start();
    }

    /// <summary>A threaded connection ended.</summary>
    public void Closed(TcpConnection connection)
    {
        lock (_lock)
        {
            _threaded.Remove(connection);
        }

        Closed(connection.Peer);
    }

    /// <summary>A connection from <paramref name="peer"/> ended.</summary>
    public void Closed(PeerKey peer)
    {
        _perPeer.Exit(peer);
        Dispatcher.Metrics.ConnectionClosed();
        lock (_lock)
        {
            if (--_connections == 0)
            {
                _allClosed.Set();
            }
        }
    }

    /// <summary>Stops accepting, lets every connection answer what it has in flight, then closes what remains.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _stopping = true;
        _listener.Dispose();
        if (LocalEndPoint is UnixDomainSocketEndPoint)
        {
            File.Delete(LocalEndPoint.ToString()!);
        }
        TcpConnection[] threaded;
        lock (_lock)
        {
            threaded = [.. _threaded];
        }

        foreach (EventLoop loop in _loops ?? [])
        {
            loop.BeginStop();
        }

        foreach (TcpConnection connection in threaded)
        {
            connection.BeginStop();
        }

        bool drained = await Task.Run(() => _allClosed.Wait(timeout)).ConfigureAwait(false);
        if (!drained)
        {
            RpcServerLog.ShutdownAbandoned(Logger, ConnectionCount);
            foreach (EventLoop loop in _loops ?? [])
            {
                loop.Abort();
            }

            lock (_lock)
            {
                threaded = [.. _threaded];
            }

            foreach (TcpConnection connection in threaded)
            {
                connection.Abort();
            }
        }
    }

    /// <summary>
    /// At MaxConnections, makes room for a new connection by closing the one idle longest (no call running, no reply
    /// waiting), as a server keeping idle sessions open must; false when every connection is busy. Called under the lock.
    /// </summary>
    private bool EvictLongestIdle()
    {
        if (_loops is not null)
        {
            EventLoop? owner = null;
            EpollConnection? oldest = null;
            foreach (EventLoop loop in _loops)
            {
                if (loop.LongestIdle() is { } candidate && (oldest is null || candidate.LastActivity < oldest.LastActivity))
                {
                    (owner, oldest) = (loop, candidate);
                }
            }

            if (oldest is null)
            {
                return false;
            }

            owner!.Evict(oldest);
            return true;
        }

        TcpConnection? idlest = null;
        foreach (TcpConnection connection in _threaded)
        {
            if (!connection.Evicting && !connection.Busy && (idlest is null || connection.LastActivity < idlest.LastActivity))
            {
                idlest = connection;
            }
        }

        if (idlest is null)
        {
            return false;
        }

        RpcServerLog.Evicted(Logger, idlest.Remote, Options.MaxConnections);
        Dispatcher.Metrics.ConnectionClosedByServer("evicted");
        idlest.Evict();
        return true;
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                continue;
            }

            LocalPeer? local = LocalPeer.Of(socket);
            var peer = PeerKey.Of(socket.RemoteEndPoint as IPEndPoint, local);
            lock (_lock)
            {
                if (!_stopping && !_perPeer.TryEnter(peer))
                {
                    // One address may not take every connection: the others' clients still get in. Checked first, so
                    // that no idle connection is closed to make room for one that is refused anyway.
                    RpcServerLog.TooManyConnectionsFromPeer(Logger, socket.RemoteEndPoint, _perPeer.LimitPerPeer, peer.ToString());
                    Dispatcher.Metrics.ConnectionRefused("address_full");
                    socket.Dispose();
                    continue;
                }

                if (_stopping || (_connections >= Options.MaxConnections && !EvictLongestIdle()))
                {
                    if (!_stopping)
                    {
                        _perPeer.Exit(peer);
                    }

                    RpcServerLog.TooManyConnections(Logger, socket.RemoteEndPoint, Options.MaxConnections);
                    Dispatcher.Metrics.ConnectionRefused("server_full");
                    socket.Dispose();
                    continue;
                }

                _connections++;
                _allClosed.Reset();
            }

            Dispatcher.Metrics.ConnectionOpened();
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                socket.NoDelay = true;
            }
            if (_loops is not null)
            {
                EventLoop loop = _loops[_nextLoop++ % _loops.Length];
                loop.Add(new EpollConnection(socket, peer, local, this, loop));
            }
            else
            {
                var connection = new TcpConnection(socket, peer, local, this);
                lock (_lock)
                {
                    _threaded.Add(connection);
                }

                connection.Start();
            }
        }
    }
}
