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
/// </summary>
internal sealed class TcpRpcClient : RpcClient
{
    /// <summary>A call kept for resending whose connection has broken.</summary>
    private static readonly Func<PendingCall, bool> Stranded = call => call.Record is not null && call.Channel is Connection { IsAlive: false };

    // Reserved ports tried before any port will do (ReservedPortUse.IfPossible), when their connections linger.
    private const int ReservedPortAttempts = 4;

    private readonly EndPoint _server;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private volatile Connection? _connection;
    private int _reconnecting;

    public TcpRpcClient(EndPoint server, uint program, uint version, RpcClientOptions options)
        : base(program, version, options) => _server = server;

    private protected override RpcTransport Transport => RpcTransport.Tcp;

    private protected override EndPoint Server => _server;

    public override EndPoint? LocalEndPoint => _connection is { IsAlive: true } connection ? connection.LocalEndPoint : null;

    private protected override bool IsReady => _connection is { IsAlive: true };

    private protected override async ValueTask EnsureReadyAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long wait = (long)Options.RetransmitInterval.TotalMilliseconds;
        while (true)
        {
            try
            {
                await ConnectAsync(deadline, timeout, cancellationToken).ConfigureAwait(false);
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

    private async ValueTask ConnectAsync(long deadline, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        if (IsReady)
        {
            return;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsReady)
            {
                return;
            }

            // A UnixDomainSocketEndPoint is a local stream socket (rpcbind's /run/rpcbind.sock): the same records, no TCP.
            bool local = _server.AddressFamily == AddressFamily.Unix;
            long left = deadline - Environment.TickCount64;
            bool deadlineFirst = left < Options.ConnectTimeout.TotalMilliseconds;
            TimeSpan timeout = TimeSpan.FromMilliseconds(Math.Clamp(deadlineFirst ? left : Options.ConnectTimeout.TotalMilliseconds, 0, int.MaxValue));
            Socket socket;
            for (int attempt = 1; ; attempt++)
            {
                socket = local
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(_server.AddressFamily is AddressFamily.Unspecified ? AddressFamily.InterNetwork : _server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                bool reserved = false;
                try
                {
                    // Past a few reserved ports whose last connection to this server lingers, any port will do, unless one is required.
                    reserved = (attempt <= ReservedPortAttempts || Options.ReservedPort == ReservedPortUse.Required) && BindReservedPort(socket);

                    // A blocking connect on a thread of its own: an asynchronous one would leave .NET emulating blocking I/O
                    // on the socket afterwards, which the receive thread would pay for on every read; and on the thread pool,
                    // many clients connecting at once to a slow or silent server would starve everything else of workers.
                    await Task.Factory.StartNew(() => socket.Connect(_server), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                        .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                    break;
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
                    throw deadlineFirst ? new RpcTimeoutException(callTimeout) : new RpcConnectionException($"RPC: Timed out connecting to {_server}");
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    throw new RpcConnectionException($"RPC: Cannot connect to {_server}: {e.Message}", e);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            if (!local)
            {
                socket.NoDelay = true;
            }

            var connection = new Connection(this, socket);
            _connection = connection;
            connection.Start();
            if (IsDisposed)
            {
                // Disposed while connecting (the reconnect loop, say): Dispose may have missed this connection.
                connection.Close(new RpcConnectionException("RPC: Client closed"));
                throw new ObjectDisposedException(nameof(RpcClient));
            }

            if (Options.RetryOnConnectionLoss)
            {
                Resend(connection);
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private protected override PooledBufferWriter BeginSend(PendingCall call)
    {
        Connection? connection = _connection;
        if (connection is null)
        {
            // Only after Dispose: calls wait for a connection before they get here.
            throw new ObjectDisposedException(nameof(RpcClient));
        }

        call.Channel = connection;
        return connection.BeginSend();
    }

    private protected override void EndSend(PendingCall call, bool encoded) => ((Connection)call.Channel!).EndSend(call, encoded);

    private protected override void SendOneWay(ReadOnlySpan<byte> message, bool batch)
    {
        Connection connection = _connection is { IsAlive: true } alive ? alive : throw new RpcConnectionException($"RPC: Connection to {_server} lost");
        connection.SendOneWay(message, batch);
    }

    private protected override void Close() => _connection?.Close(new RpcConnectionException("RPC: Client closed"));

    private void Lost(Connection connection, Exception exception)
    {
        if (!Options.RetryOnConnectionLoss || IsDisposed)
        {
            FailAll(exception as RpcException ?? new RpcConnectionException($"RPC: Connection to {_server} lost: {exception.Message}", exception), connection);
            return;
        }

        // The calls sent on it stay in flight, to go out again on the next connection.
        if (Interlocked.CompareExchange(ref _reconnecting, 1, 0) == 0)
        {
            _ = Task.Run(ReconnectAsync);
        }
    }

    /// <summary>Sends the calls stranded on broken connections on this one.</summary>
    private void Resend(Connection connection)
    {
        foreach (PendingCall call in MoveCalls(Stranded, connection))
        {
            CountResend();
            connection.Resend(call);
        }
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
                    // One attempt per pass: this loop does the backing off.
                    await ConnectAsync(deadline, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                    if (_connection is { IsAlive: true } connection)
                    {
                        Resend(connection);
                    }
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

    private sealed class Connection
    {
        [ThreadStatic]
        private static Connection? t_corkedBy;

        private readonly TcpRpcClient _client;
        private readonly Socket _socket;
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

        public Connection(TcpRpcClient client, Socket socket)
        {
            _client = client;
            _socket = socket;
            LocalEndPoint = socket.LocalEndPoint;
            _reader = new RecordReader(client.Options.MaxRecordSize);
            _spinTicks = Spinning.ToTicks(client.Options.SpinBeforeSleep);
        }

        public bool IsAlive => _alive;

        public EndPoint? LocalEndPoint { get; }

        public void Start() => new Thread(ReceiveLoop) { IsBackground = true, Name = $"NetRpc client {_client._server}" }.Start();

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
                _client.Lost(this, new RpcConnectionException($"RPC: Connection to {_client._server} lost"));
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
                    throw new RpcConnectionException($"RPC: Connection to {_client._server} lost");
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
            byte[] record = call.Record!;
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
                    SocketIo.SendAll(_socket, batch.WrittenSpan);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
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
                    if (_client.HasCallsInFlight && SocketIo.IsDirect && Spinning.TryEnter(_spinTicks, out long until))
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
                        got = _reader.Receive(_socket);
                    }

                    if (got == 0)
                    {
                        reason = new RpcConnectionException($"RPC: Connection to {_client._server} closed by the server");
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
                reason = new RpcConnectionException($"RPC: Connection to {_client._server} closed: a streamed reply was abandoned in the middle of its record");
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                reason = new RpcConnectionException($"RPC: Connection to {_client._server} lost: {e.Message}", e);
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
                    if (!claimed.Attach(() => Close(new RpcConnectionException($"RPC: Connection to {_client._server} closed: a streamed reply was abandoned in the middle of its record"))))
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
