using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Client;

/// <summary>
/// RPC over TCP (record marking, RFC 5531 section 11). All calls share one connection, pipelined and matched by
/// XID. A thread per connection blocks receiving replies: the kernel wakes it once per batch of replies, as it
/// wakes a C client, with no hand-off between threads. Callers send on their own thread; a caller that finds
/// another mid-send leaves its call for that one to send in the same write (group commit), and calls issued
/// from continuations running on the receive thread go out together when its batch is done. With
/// <see cref="RpcClientOptions.RetryOnConnectionLoss"/>, calls stranded on a broken connection are sent again on
/// the next one, which a background loop keeps trying to open while they wait.
/// <para>
/// Made over an <see cref="RpcEndpointSource"/>, it keeps a connection to each of the servers the source names and
/// sends calls to them in turn (round-robin), skipping those whose connection is down; a server that cannot be
/// reached is tried again after a wait that doubles, up to <see cref="RpcClientOptions.MaxRetransmitInterval"/>. Calls
/// stranded on a lost connection go back to the same server when it can be reached again (its duplicate request cache
/// knows them), and to another server otherwise (failover), with their XIDs either way.
/// </para>
/// </summary>
internal sealed class TcpRpcClient : RpcClient
{
    /// <summary>A call kept for resending whose connection has broken.</summary>
    private static readonly Func<PendingCall, bool> Stranded = call => call.Record is not null && call.Channel is Connection { IsAlive: false };

    // Reserved ports tried before any port will do (ReservedPortUse.IfPossible), when their connections linger.
    private const int ReservedPortAttempts = 4;

    private readonly EndPoint? _single;
    private readonly RpcEndpointSource? _source;
    private readonly EndPoint _server; // for messages and telemetry: the server, or the source's name
    private readonly SemaphoreSlim _connecting = new(1, 1);

    // The connections calls are sent on, newest per server, in the source's order; dead ones stay until replaced.
    private volatile Connection[] _connections = [];
    private int _turn;
    private int _reconnecting;

    // Over a source: when to ask it again, and when each unreachable server may be tried again (under _connecting).
    private readonly EndpointRefresh? _refresh;
    private readonly Dictionary<IPEndPoint, (long At, long Wait)> _unreachable = [];

    public TcpRpcClient(EndPoint server, uint program, uint version, RpcClientOptions options)
        : base(program, version, options) => _single = _server = server;

    public TcpRpcClient(RpcEndpointSource source, uint program, uint version, RpcClientOptions options)
        : base(program, version, options)
    {
        _source = source;
        _refresh = new EndpointRefresh(source);
        _server = new DnsEndPoint(source.Name, 0);
    }

    private protected override RpcTransport Transport => RpcTransport.Tcp;

    private protected override EndPoint Server => _server;

    public override EndPoint? LocalEndPoint => Alive() is { } connection ? connection.LocalEndPoint : null;

    private protected override bool IsReady => Alive() is not null;

    /// <summary>A live connection, or null.</summary>
    private Connection? Alive()
    {
        foreach (Connection connection in _connections)
        {
            if (connection.IsAlive)
            {
                return connection;
            }
        }

        return null;
    }

    /// <summary>The connection the next call goes on: the next live one in turn (a dead one when none lives: the call then fails or waits as stranded).</summary>
    private Connection? Pick()
    {
        Connection[] connections = _connections;
        if (connections.Length <= 1)
        {
            return connections.Length == 1 ? connections[0] : null;
        }

        int start = (int)((uint)Interlocked.Increment(ref _turn) % (uint)connections.Length);
        for (int i = 0; i < connections.Length; i++)
        {
            Connection connection = connections[(start + i) % connections.Length];
            if (connection.IsAlive)
            {
                return connection;
            }
        }

        return connections[start];
    }

    private protected override async ValueTask EnsureReadyAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long wait = (long)Options.RetransmitInterval.TotalMilliseconds;
        while (true)
        {
            try
            {
                await ConnectAsync(deadline, timeout, evenIfReady: false, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RpcConnectionException) when (Options.RetryOnConnectionLoss && !IsDisposed && Environment.TickCount64 + wait < deadline)
            {
                // The server may be restarting: try again, backing off, until the call's deadline.
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                wait = Math.Min(wait * 2, (long)Options.MaxRetransmitInterval.TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// Opens what is missing: the one server's connection when it is down; over a source, a connection to each server it
    /// names that has none (all at once, each within the timeout), leaving out those still waiting to be tried again
    /// while another lives. Then sends stranded calls again. Throws when no connection lives after. A caller waiting
    /// for a connection (<paramref name="evenIfReady"/> false) is done as soon as one lives.
    /// </summary>
    private async ValueTask ConnectAsync(long deadline, TimeSpan callTimeout, bool evenIfReady, CancellationToken cancellationToken)
    {
        if (!evenIfReady && IsReady)
        {
            return;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!evenIfReady && IsReady)
            {
                return;
            }

            if (_single is not null)
            {
                if (!IsReady)
                {
                    Adopt([Open(await OpenAsync(_single, deadline, callTimeout, cancellationToken).ConfigureAwait(false), _single)]);
                }
            }
            else
            {
                await ConnectSourceAsync(deadline, callTimeout, cancellationToken).ConfigureAwait(false);
            }

            if (Options.RetryOnConnectionLoss)
            {
                Resend();
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async ValueTask ConnectSourceAsync(long deadline, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        List<IPEndPoint> endpoints = await _refresh!.ResolveAsync(cancellationToken).ConfigureAwait(false);
        long now = Environment.TickCount64;
        Connection[] current = _connections;
        bool anyAlive = current.Any(c => c.IsAlive);
        if (endpoints.Count == 0)
        {
            // The source knows none now: keep what there is rather than drop live servers on a registry's hiccup.
            _refresh.At(now + (long)Options.RetransmitInterval.TotalMilliseconds);
            if (!anyAlive)
            {
                throw new RpcConnectionException($"RPC: {_source!.Name} has no servers");
            }

            return;
        }

        IPEndPoint[] missing = [.. endpoints.Where(e => !current.Any(c => c.IsAlive && c.EndPoint.Equals(e))
            && (!anyAlive || !_unreachable.TryGetValue(e, out (long At, long Wait) retry) || retry.At <= now))];
        Task<(Link? Link, Exception? Failure)>[] attempts = [.. missing.Select(async e =>
        {
            try
            {
                return ((Link?)await OpenAsync(e, deadline, callTimeout, cancellationToken).ConfigureAwait(false), (Exception?)null);
            }
            catch (Exception failure) when (failure is RpcException or TimeoutException)
            {
                return (null, failure);
            }
        })];
        (Link? Link, Exception? Failure)[] results = await Task.WhenAll(attempts).ConfigureAwait(false);

        var opened = new List<Connection>();
        Exception? firstFailure = null;
        for (int i = 0; i < missing.Length; i++)
        {
            if (results[i].Link is { } link)
            {
                _unreachable.Remove(missing[i]);
                opened.Add(Open(link, missing[i]));
            }
            else
            {
                long wait = _unreachable.TryGetValue(missing[i], out (long At, long Wait) before)
                    ? Math.Min(before.Wait * 2, (long)Options.MaxRetransmitInterval.TotalMilliseconds)
                    : (long)Options.RetransmitInterval.TotalMilliseconds;
                _unreachable[missing[i]] = (Environment.TickCount64 + wait, wait);
                firstFailure ??= results[i].Failure;
            }
        }

        // The connections to keep, in the source's order: live ones to servers still named, and the new ones.
        var next = new List<Connection>();
        foreach (IPEndPoint endpoint in endpoints)
        {
            if ((opened.Find(c => c.EndPoint.Equals(endpoint)) ?? Array.Find(current, c => c.IsAlive && c.EndPoint.Equals(endpoint))) is { } connection)
            {
                next.Add(connection);
            }
        }

        foreach (IPEndPoint gone in _unreachable.Keys.Where(e => !endpoints.Contains(e)).ToList())
        {
            _unreachable.Remove(gone);
        }

        if (next.Count == 0)
        {
            _refresh.Soon();
            throw firstFailure as RpcException ?? new RpcConnectionException($"RPC: Cannot connect to any server of {_source!.Name}", firstFailure);
        }

        Adopt([.. next]);
        if (_unreachable.Count > 0)
        {
            _refresh.At(_unreachable.Values.Min(r => r.At));
        }
        else
        {
            _refresh.After(_source!.RefreshInterval);
        }

        // A server no longer named is let go: its calls in flight fail, or go to the others (RetryOnConnectionLoss).
        foreach (Connection old in current)
        {
            if (old.IsAlive && !next.Contains(old))
            {
                old.Close(new RpcConnectionException($"RPC: {old.EndPoint} is no longer a server of {_source!.Name}"));
            }
        }
    }

    /// <summary>Makes the connections current and starts the new ones' receive loops.</summary>
    private void Adopt(Connection[] connections)
    {
        Connection[] before = _connections;
        _connections = connections;
        foreach (Connection connection in connections)
        {
            if (Array.IndexOf(before, connection) < 0)
            {
                connection.Start();
            }
        }

        if (IsDisposed)
        {
            // Disposed while connecting (the reconnect loop, say): Dispose may have missed these connections.
            Close();
            throw new ObjectDisposedException(nameof(RpcClient));
        }
    }

    private Connection Open(Link link, EndPoint endpoint)
    {
        if (endpoint.AddressFamily != AddressFamily.Unix)
        {
            link.Socket.NoDelay = true;
        }

        return new Connection(this, link, endpoint);
    }

    /// <summary>
    /// A connection to one server, from a reserved port where the options say so; with <see cref="RpcClientOptions.Tls"/>,
    /// secured by RPC-with-TLS (the AUTH_TLS probe, then the handshake) before any call goes on it.
    /// </summary>
    private async ValueTask<Link> OpenAsync(EndPoint server, long deadline, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        Socket socket = await ConnectSocketAsync(server, deadline, callTimeout, cancellationToken).ConfigureAwait(false);
        if (Options.Tls is not { } tls || Options.TlsEngine is not { } engine)
        {
            return new Link(socket, null);
        }

        try
        {
            TimeSpan timeout = ConnectWait(deadline, out _);
            uint xid = NextXid();

            // Blocking, on a thread of its own, as the connect: the socket stays a blocking one for the receive thread.
            TlsChannel stream = await Task.Factory.StartNew(() => engine.StartClient(socket, server, xid, Program, Version, tls, timeout, Options.SpinBeforeSleep), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .WaitAsync(timeout + timeout, cancellationToken).ConfigureAwait(false);
            return new Link(socket, stream);
        }
        catch (TimeoutException)
        {
            socket.Dispose();
            throw new RpcConnectionException($"RPC: Timed out starting TLS with {server}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>How long a step of making a connection may wait: the connect timeout, or what is left of the call's deadline when that comes first (<paramref name="deadlineFirst"/>).</summary>
    private TimeSpan ConnectWait(long deadline, out bool deadlineFirst)
    {
        long left = deadline - Environment.TickCount64;
        deadlineFirst = left < Options.ConnectTimeout.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Math.Clamp(deadlineFirst ? left : Options.ConnectTimeout.TotalMilliseconds, 0, int.MaxValue));
    }

    /// <summary>A connected socket to one server, from a reserved port where the options say so.</summary>
    private async ValueTask<Socket> ConnectSocketAsync(EndPoint server, long deadline, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        // A UnixDomainSocketEndPoint is a local stream socket (rpcbind's /run/rpcbind.sock): the same records, no TCP.
        bool local = server.AddressFamily == AddressFamily.Unix;
        TimeSpan timeout = ConnectWait(deadline, out bool deadlineFirst);
        for (int attempt = 1; ; attempt++)
        {
            Socket socket = local
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(server.AddressFamily is AddressFamily.Unspecified ? AddressFamily.InterNetwork : server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            bool reserved = false;
            try
            {
                // Past a few reserved ports whose last connection to this server lingers, any port will do, unless one is required.
                reserved = (attempt <= ReservedPortAttempts || Options.ReservedPort == ReservedPortUse.Required) && BindReservedPort(socket);

                if (local)
                {
                    // A local socket connects at once, or waits only while the listener's backlog is full, a wait the send
                    // timeout bounds (Linux): here, without the thread a TCP connect takes (rpcbind's socket, at every
                    // server's start).
                    socket.SendTimeout = (int)Math.Max(1, timeout.TotalMilliseconds);
                    try
                    {
                        socket.Connect(server);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TimedOut)
                    {
                        throw new TimeoutException(e.Message, e);
                    }

                    socket.SendTimeout = 0;
                    return socket;
                }

                // A blocking connect on a thread of its own: an asynchronous one would leave .NET emulating blocking I/O
                // on the socket afterwards, which the receive thread would pay for on every read; and on the thread pool,
                // many clients connecting at once to a slow or silent server would starve everything else of workers.
                await Task.Factory.StartNew(() => socket.Connect(server), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                    .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e) when (reserved && e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse
                && (attempt <= ReservedPortAttempts || (Options.ReservedPort == ReservedPortUse.Required && attempt <= 2 * ReservedPortAttempts)))
            {
                // The same port's last connection to this server is still in TIME_WAIT (its 4-tuple is taken): another.
                socket.Dispose();
            }
            catch (TimeoutException)
            {
                socket.Dispose();
                // The call's own deadline ended the wait: the call timed out. Otherwise connecting took too long.
                throw deadlineFirst ? new RpcTimeoutException(callTimeout) : new RpcConnectionException($"RPC: Timed out connecting to {server}");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new RpcConnectionException($"RPC: Cannot connect to {server}: {e.Message}", e);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private protected override PooledBufferWriter BeginSend(PendingCall call)
    {
        // Only after Dispose is there none: calls wait for a connection before they get here.
        Connection connection = Pick() ?? throw new ObjectDisposedException(nameof(RpcClient));
        if (_refresh is { Due: true } refresh)
        {
            refresh.Run(() => ConnectAsync(Environment.TickCount64 + (long)Options.ConnectTimeout.TotalMilliseconds, Options.ConnectTimeout, evenIfReady: true, CancellationToken.None).AsTask(), Options.RetransmitInterval);
        }

        call.Channel = connection;
        return connection.BeginSend();
    }

    private protected override void EndSend(PendingCall call, bool encoded) => ((Connection)call.Channel!).EndSend(call, encoded);

    private protected override void Retransmit(PendingCall call)
    {
        // A call sent again after a reconnect that has not been answered: the server may have dropped it as a duplicate
        // of itself still running, whose reply went to the broken connection; once it has run, the cache answers.
        if (call.Channel is Connection { IsAlive: true } connection)
        {
            connection.Resend(call);
        }
    }

    private protected override bool MayResend => Options.RetryOnConnectionLoss;

    private protected override void SendOneWay(ReadOnlySpan<byte> message, bool batch)
    {
        Connection connection = Pick() is { IsAlive: true } alive ? alive : throw new RpcConnectionException($"RPC: Connection to {_server} lost");
        connection.SendOneWay(message, batch);
    }

    private protected override void Close()
    {
        foreach (Connection connection in _connections)
        {
            connection.Close(new RpcConnectionException("RPC: Client closed"));
        }
    }

    private void Lost(Connection connection, Exception exception)
    {
        // Over a source, the next call looks for the server again (and for others), after its wait.
        _refresh?.Soon();
        if (!Options.RetryOnConnectionLoss || IsDisposed)
        {
            FailAll(exception as RpcException ?? new RpcConnectionException($"RPC: Connection to {connection.EndPoint} lost: {exception.Message}", exception), connection);
            return;
        }

        // The calls sent on it stay in flight, to go out again on the next connection.
        if (Interlocked.CompareExchange(ref _reconnecting, 1, 0) == 0)
        {
            _ = Task.Run(ReconnectAsync);
        }
    }

    /// <summary>
    /// Sends the calls stranded on broken connections again, with their XIDs: on a live connection to the same server
    /// when there is one, else on the next live connection (failover). Each is sent again on a timer until answered.
    /// </summary>
    private void Resend()
    {
        if (Alive() is null)
        {
            return;
        }

        foreach (PendingCall call in MoveCalls(call => Stranded(call) ? (object?)Destination((Connection)call.Channel!) : null))
        {
            CountResend();
            call.RetransmitInterval = (long)Math.Max(1, Options.RetransmitInterval.TotalMilliseconds);
            call.NextRetransmit = Environment.TickCount64 + call.RetransmitInterval;
            call.RetransmitOnTimer = true;
            ((Connection)call.Channel!).Resend(call);
        }

        Connection? Destination(Connection lost) =>
            Array.Find(_connections, c => c.IsAlive && c.EndPoint.Equals(lost.EndPoint)) ?? (Pick() is { IsAlive: true } next ? next : null);
    }

    /// <summary>While calls are stranded, connects (backing off) and resends them; they time out on their own meanwhile.</summary>
    private async Task ReconnectAsync()
    {
        do
        {
            long wait = (long)Options.RetransmitInterval.TotalMilliseconds;
            bool first = true;
            while (!IsDisposed && LatestDeadline(Stranded) is long deadline)
            {
                if (!first)
                {
                    // Not on the first pass: a connection that breaks as soon as it is made must not make this spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(wait)).ConfigureAwait(false);
                    wait = Math.Min(wait * 2, (long)Options.MaxRetransmitInterval.TotalMilliseconds);
                }

                first = false;
                try
                {
                    // One attempt per pass (per server, over a source): this loop does the backing off. It resends.
                    await ConnectAsync(deadline, TimeSpan.Zero, evenIfReady: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    // Not reachable yet; if never, the ticker times the calls out at their deadlines.
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }

            Volatile.Write(ref _reconnecting, 0);
        }

        // A connection that broke after the last look, while this loop was ending, found it still running.
        while (!IsDisposed && LatestDeadline(Stranded) is not null && Interlocked.CompareExchange(ref _reconnecting, 1, 0) == 0);
    }

    /// <summary>A connected socket, and its TLS stream when the connection is secured.</summary>
    private readonly record struct Link(Socket Socket, TlsChannel? Tls);

    private sealed class Connection
    {
        [ThreadStatic]
        private static Connection? t_corkedBy;

        private readonly TcpRpcClient _client;
        private readonly Socket _socket;

        // RPC-with-TLS: the records go through this instead of the socket.
        private readonly TlsChannel? _tls;
        private readonly RecordReader _reader;
        private readonly object _sendLock = new();
        private readonly long _spinTicks;
        private PooledBufferWriter _queued = new();
        private PooledBufferWriter _sending = new();
        private bool _flushing;
        private int _recordStart;
        private volatile bool _alive = true;

        // The streamed reply being received (receive thread only).
        private StreamingCall? _stream;

        public Connection(TcpRpcClient client, Link link, EndPoint endPoint)
        {
            _client = client;
            _socket = link.Socket;
            _tls = link.Tls;
            EndPoint = endPoint;
            LocalEndPoint = _socket.LocalEndPoint;
            _reader = new RecordReader(client.Options.MaxRecordSize);
            _spinTicks = Spinning.ToTicks(client.Options.SpinBeforeSleep);
        }

        public bool IsAlive => _alive;

        /// <summary>The server's address.</summary>
        public EndPoint EndPoint { get; }

        public EndPoint? LocalEndPoint { get; }

        public void Start() => new Thread(ReceiveLoop) { IsBackground = true, Name = $"NetRpc client {EndPoint}" }.Start();

        public PooledBufferWriter BeginSend()
        {
            Monitor.Enter(_sendLock);
            _recordStart = RecordMarking.BeginRecord(_queued);
            return _queued;
        }

        public void EndSend(PendingCall call, bool encoded)
        {
            bool flush = false;
            bool dead = false;
            try
            {
                if (encoded)
                {
                    RecordMarking.EndRecord(_queued, _recordStart);
                    if (_client.Options.RetryOnConnectionLoss)
                    {
                        call.Record = _queued.WrittenSpan[_recordStart..].ToArray();
                    }
                }

                if (!encoded || !_alive)
                {
                    _queued.Truncate(_recordStart);
                    dead = encoded;
                }
                else
                {
                    flush = ClaimFlush();
                }
            }
            finally
            {
                Monitor.Exit(_sendLock);
            }

            if (dead || (call.Record is not null && !_alive))
            {
                // Broken between the check for a connection and the send: the call fails as the others did (or,
                // when it is kept for resending, waits for the next connection, which this makes sure is sought).
                _client.Lost(this, new RpcConnectionException($"RPC: Connection to {EndPoint} lost"));
            }
            else if (flush)
            {
                Flush();
            }
        }

        /// <summary>
        /// Queues a one-way call's record; unless batched, sends the queue (or leaves it to the sender already at it). A
        /// batched record waits for the next call that claims the flush, and goes out before it.
        /// </summary>
        public void SendOneWay(ReadOnlySpan<byte> message, bool batch)
        {
            lock (_sendLock)
            {
                if (!_alive)
                {
                    throw new RpcConnectionException($"RPC: Connection to {EndPoint} lost");
                }

                int start = RecordMarking.BeginRecord(_queued);
                message.CopyTo(_queued.GetSpan(message.Length));
                _queued.Advance(message.Length);
                RecordMarking.EndRecord(_queued, start);
                if (batch || !ClaimFlush())
                {
                    return;
                }
            }

            Flush();
        }

        /// <summary>Sends a call's kept record again; on a connection already broken it stays stranded for the next.</summary>
        public void Resend(PendingCall call)
        {
            byte[] record = call.Gss is { } gss ? call.Record = gss.Reseal(recordMark: true) : call.Record!;
            lock (_sendLock)
            {
                if (!_alive)
                {
                    return;
                }

                record.CopyTo(_queued.GetSpan(record.Length));
                _queued.Advance(record.Length);
                if (!ClaimFlush())
                {
                    return;
                }
            }

            Flush();
        }

        /// <summary>
        /// Under the send lock, after queueing: true when the caller is to send the queue now; false when a sender is
        /// at it already, or the queue waits for the receive thread's batch of replies to be handled (corked).
        /// </summary>
        private bool ClaimFlush()
        {
            if (_flushing || t_corkedBy == this)
            {
                return false;
            }

            _flushing = true;
            return true;
        }

        /// <summary>Sends whatever is queued, and goes on while others queue more meanwhile.</summary>
        public void Flush()
        {
            while (true)
            {
                PooledBufferWriter batch;
                lock (_sendLock)
                {
                    if (_queued.WrittenCount == 0 || !_alive)
                    {
                        _flushing = false;
                        return;
                    }

                    batch = _queued;
                    _queued = _sending;
                    _sending = batch;
                }

                try
                {
                    if (_tls is null)
                    {
                        SocketIo.SendAll(_socket, batch.WrittenSpan);
                    }
                    else
                    {
                        _tls.Write(batch.WrittenSpan);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                {
                    lock (_sendLock)
                    {
                        _flushing = false;
                    }

                    Close(e);
                    return;
                }
                finally
                {
                    batch.Reset();
                }
            }
        }

        /// <summary>Marks the connection dead, closes it, and fails the calls sent on it.</summary>
        public void Close(Exception reason)
        {
            if (!_alive)
            {
                return;
            }

            _alive = false;
            _tls?.Dispose();
            _socket.Dispose();
            _client.Lost(this, reason);
        }

        private void ReceiveLoop()
        {
            Exception reason;
            var habit = default(SpinHabit);
            try
            {
                while (true)
                {
                    int got = -1;
                    if (_tls is null && _client.HasCallsInFlight && SocketIo.IsDirect && Spinning.TryEnter(_spinTicks, out long until))
                    {
                        try
                        {
                            if (habit.PollFirst())
                            {
                                habit.Found((got = _reader.TryReceive(_socket.SafeHandle)) >= 0);
                            }

                            while (got < 0 && Spinning.Next(until))
                            {
                                got = _reader.TryReceive(_socket.SafeHandle);
                            }
                        }
                        finally
                        {
                            Spinning.Exit();
                        }
                    }

                    if (got < 0)
                    {
                        got = _tls is null ? _reader.Receive(_socket) : _reader.Receive(_tls);
                    }

                    if (got == 0)
                    {
                        reason = new RpcConnectionException($"RPC: Connection to {EndPoint} closed by the server");
                        break;
                    }

                    t_corkedBy = this;
                    try
                    {
                        ReadRecords();
                    }
                    finally
                    {
                        t_corkedBy = null;
                    }

                    FlushIfIdle();
                }
            }
            catch (RecordTooLargeException e)
            {
                reason = new RpcProtocolException($"RPC: {e.Message}", e);
            }
            catch (StreamAbandonedException)
            {
                reason = new RpcConnectionException($"RPC: Connection to {EndPoint} closed: a streamed reply was abandoned in the middle of its record");
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                reason = new RpcConnectionException($"RPC: Connection to {EndPoint} lost: {e.Message}", e);
            }

            Close(reason);
            _stream?.FailStream(reason as RpcException ?? new RpcConnectionException(reason.Message, reason));
            _reader.Dispose();
        }

        /// <summary>
        /// Handles the records received: replies to streaming calls are handed over as their bytes arrive (blocking while
        /// their consumer does not pull), others once complete.
        /// </summary>
        private void ReadRecords()
        {
            while (true)
            {
                if (_stream is { } stream)
                {
                    if (!_reader.TryStream(stream))
                    {
                        return;
                    }

                    _stream = null;
                    stream.EndOfRecord();
                    continue;
                }

                if (_reader.TryPeekReplyStart(out uint xid) && _client.TryClaimStream(xid) is { } claimed)
                {
                    _reader.BeginStream();
                    if (!claimed.Attach(() => Close(new RpcConnectionException($"RPC: Connection to {EndPoint} closed: a streamed reply was abandoned in the middle of its record"))))
                    {
                        throw new StreamAbandonedException();
                    }

                    _stream = claimed;
                    continue;
                }

                if (!_reader.TryReadRecord(out ReadOnlyMemory<byte> record))
                {
                    return;
                }

                _client.OnReply(record, _reader.Buffer);
            }
        }

        /// <summary>After a batch of replies, sends the calls its continuations queued, unless a sender is already at it.</summary>
        private void FlushIfIdle()
        {
            lock (_sendLock)
            {
                if (_flushing || _queued.WrittenCount == 0)
                {
                    return;
                }

                _flushing = true;
            }

            Flush();
        }
    }
}
