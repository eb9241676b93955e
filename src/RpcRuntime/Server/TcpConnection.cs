using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// One TCP connection, served by a thread of its own with blocking reads: the kernel wakes it when a call
/// arrives, it answers, and it blocks again: the system calls of a C server, and none of the hand-offs between
/// threads that make asynchronous sockets slow for request and reply. The complete records of a read are
/// handled before their replies go out in one write (every 64 KiB of replies at most), so pipelined calls cost one
/// read and one write per batch. Writes block while the peer does not read, which stops the reading too: a client
/// that never reads its replies costs a batch, and is closed after the write timeout. Handlers that finish later
/// reply under a lock; a bound on them makes a flooding client wait. A streamed reply is written by this thread, a
/// fragment at a time with blocking writes, so a peer that does not read holds up the handler's next element, and
/// replies of handlers that finish meanwhile wait behind it. With RPC-with-TLS (RFC 9289) the records go through a
/// TLS stream once the AUTH_TLS probe has been answered: in place, or on a connection an event loop handed over
/// after answering it (the event loops serve plain connections only).
/// </summary>
internal sealed class TcpConnection : IStreamSink
{
    // Replies of one read are sent together; past this many bytes they go out before the next call is answered.
    private const int FlushThreshold = 64 * 1024;

    /// <summary>How often a connection writing a streamed reply looks whether its peer has gone, while the handler works.</summary>
    private const int HangUpCheckMilliseconds = 200;

    private readonly Socket _socket;
    private readonly TcpService _service;
    private readonly CallDispatcher _dispatcher;
    private readonly RecordReader _reader;
    private readonly PooledBufferWriter _replies = new();
    private readonly object _sendLock = new();
    private readonly SemaphoreSlim _pendingSlots;
    private readonly CancellationTokenSource _aborted = new();
    private readonly IPEndPoint? _remote;
    private readonly LocalPeer? _local;
    private byte[] _addressBytes;
    private readonly byte[] _sourceBytes;
    private readonly object _pendingLock = new();
    private readonly ManualResetEventSlim _drained = new(initialState: true);
    private readonly PooledBufferWriter _deferred = new();
    private bool _streaming;
    private int _pending;
    private int _sending;
    private bool _handling;
    private long _lastActivity;
    private volatile bool _stopping;

    // RPC-with-TLS: the stream the records go through once the handshake is made; whether the handshake comes first
    // (the probe was answered by an event loop); whether a call has been read (the probe must be the first); whether
    // the probe was just answered.
    private TlsChannel? _tls;
    private readonly bool _handshakeFirst;
    private bool _servedAny;
    private bool _startTls;

    /// <param name="socket">The connection.</param>
    /// <param name="peer">Who it counts against (the per-address limit).</param>
    /// <param name="local">A local caller, as the kernel says.</param>
    /// <param name="service">The listener.</param>
    /// <param name="handshakeFirst">The AUTH_TLS probe has been answered STARTTLS already: make the TLS handshake before anything else.</param>
    public TcpConnection(Socket socket, PeerKey peer, LocalPeer? local, TcpService service, bool handshakeFirst = false)
    {
        _handshakeFirst = handshakeFirst;
        _servedAny = handshakeFirst;
        Peer = peer;
        _socket = socket;
        _service = service;
        _dispatcher = service.Dispatcher;
        _reader = new RecordReader(service.Options.MaxRecordSize);
        _pendingSlots = new SemaphoreSlim(service.Options.MaxPendingCallsPerConnection);
        _remote = socket.RemoteEndPoint as IPEndPoint;
        _local = local;
        _addressBytes = DuplicateRequestCache.StreamCaller(_remote);
        _sourceBytes = _addressBytes;
        Connection = new RpcConnection(_remote ?? socket.RemoteEndPoint, service.LocalEndPoint, local, _aborted.Token);
        LastActivity = Environment.TickCount64;
    }

    /// <summary>What handlers see of this connection (made again, with its TLS session, once TLS starts).</summary>
    public RpcConnection Connection { get; private set; }

    /// <summary>When a byte last arrived, in <see cref="Environment.TickCount64"/>.</summary>
    public long LastActivity
    {
        get => Interlocked.Read(ref _lastActivity);
        private set => Interlocked.Exchange(ref _lastActivity, value);
    }

    /// <summary>True while handlers run or replies are being sent: not idle, whatever arrived last.</summary>
    public bool Busy => Volatile.Read(ref _handling) || !_drained.IsSet || Volatile.Read(ref _sending) > 0;

    /// <summary>Chosen to be closed to admit a new connection (MaxConnections).</summary>
    public bool Evicting { get; private set; }

    public IPEndPoint? Remote => _remote;

    public PeerKey Peer { get; }

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"NetRpc TCP {_remote}" };
        thread.Start();
    }

    /// <summary>Stops reading further calls; the thread answers what is in flight, then closes.</summary>
    public void BeginStop()
    {
        _stopping = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes an idle connection to make room for a new one: the reading thread sees the end and finishes.</summary>
    public void Evict()
    {
        Evicting = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the connection now, failing whatever is still running.</summary>
    public void Abort()
    {
        _stopping = true;
        _socket.Dispose();
    }

    private void Run()
    {
        ILogger logger = _service.Logger;
        string reason = "closed by the peer";
        RpcServerOptions options = _service.Options;
        long partialSince = 0;
        long lastActivity = Environment.TickCount64;
        try
        {
            // A peer that does not read its replies blocks a send; after this long the send fails and the connection ends.
            _socket.SendTimeout = Milliseconds(options.WriteTimeout);
            int receiveTimeout = Milliseconds(options.IdleTimeout);
            _socket.ReceiveTimeout = receiveTimeout;
            if (_handshakeFirst && !StartTls(out reason))
            {
                return;
            }

            while (!_stopping)
            {
                // While a record is incomplete, the wait is also bounded by what is left of its deadline.
                int timeout = partialSince == 0 ? Milliseconds(options.IdleTimeout) : Earlier(Milliseconds(options.IdleTimeout), Remaining(partialSince, options.RecordTimeout));
                if (timeout != receiveTimeout)
                {
                    _socket.ReceiveTimeout = receiveTimeout = timeout;
                }

                int received;
                try
                {
                    received = Receive();
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    if (partialSince != 0 && Remaining(partialSince, options.RecordTimeout) <= 1)
                    {
                        RpcServerLog.RecordTimedOut(logger, _remote, options.RecordTimeout);
                        _dispatcher.Metrics.ConnectionClosedByServer("record_timeout");
                        reason = "record timeout";
                        return;
                    }

                    if (!_drained.IsSet || (options.IdleTimeout != Timeout.InfiniteTimeSpan && Remaining(lastActivity, options.IdleTimeout) > 1))
                    {
                        continue; // the client waits for us, not the other way round; or the record's deadline woke us first
                    }

                    RpcServerLog.IdleClosed(logger, _remote, options.IdleTimeout);
                    _dispatcher.Metrics.ConnectionClosedByServer("idle");
                    reason = "idle";
                    return;
                }

                if (received == 0)
                {
                    if (Evicting)
                    {
                        reason = "evicted to admit a new connection";
                    }

                    return;
                }

                lastActivity = Environment.TickCount64;
                LastActivity = lastActivity;

                // Busy from here until the replies are out (and after, while handlers run): never taken for idle.
                Volatile.Write(ref _handling, true);
                while (_reader.TryReadRecord(out ReadOnlyMemory<byte> record))
                {
                    Handle(record);
                    if (_startTls)
                    {
                        break;
                    }

                    if (_replies.WrittenCount >= FlushThreshold)
                    {
                        Flush();
                    }
                }

                Flush();
                Volatile.Write(ref _handling, false);
                if (_startTls)
                {
                    // STARTTLS is on its way: the client's next bytes are its TLS handshake. None may have come before it.
                    _startTls = false;
                    if (_reader.HasPartialRecord)
                    {
                        RpcServerLog.TlsProtocolViolation(logger, _remote, "the client sent more after its AUTH_TLS probe before STARTTLS was answered");
                        _dispatcher.Metrics.ConnectionClosedByServer("tls_protocol");
                        reason = "sent more before STARTTLS";
                        return;
                    }

                    if (!StartTls(out reason))
                    {
                        return;
                    }

                    continue;
                }

                // What is left in the reader is the start of a record still arriving: its deadline runs from now.
                partialSince = options.RecordTimeout == Timeout.InfiniteTimeSpan || !_reader.HasPartialRecord ? 0
                    : partialSince != 0 ? partialSince : Environment.TickCount64;
            }

            reason = "server stopping";
        }
        catch (RecordTooLargeException e)
        {
            RpcServerLog.RecordTooLarge(logger, _remote, e.Size, e.Maximum);
            _dispatcher.Metrics.ConnectionClosedByServer("record_too_large");
            reason = "record too large";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            // Only a send times out here: the peer took none of the replies for the write timeout.
            RpcServerLog.WriteTimedOut(logger, _remote, _replies.WrittenCount, options.WriteTimeout);
            _dispatcher.Metrics.ConnectionClosedByServer("write_timeout");
            reason = "write timeout";
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            reason = e.Message;
        }
        finally
        {
            try
            {
                Flush();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The peer has gone or does not read: what was left to send is lost with the connection.
            }

            WaitForPending();
            RpcServerLog.ConnectionEnded(logger, _remote, reason);
            _aborted.Cancel();
            _tls?.Dispose();
            _socket.Dispose();
            _reader.Dispose();
            _replies.Dispose();
            lock (_sendLock)
            {
                _deferred.Dispose();
            }

            _service.Closed(this);
        }
    }

    /// <summary>Where this connection's calls come from, for the dispatcher.</summary>
    private CallSite Site() => new()
    {
        Transport = RpcTransport.Tcp,
        Local = _local,
        Remote = _remote,
        AddressBytes = _addressBytes,
        SourceBytes = _sourceBytes,
        Cache = _service.Cache,
        Aborted = _aborted.Token,
        Connection = Connection,
        Input = _reader.Buffer,
        CanStartTls = _service.Options.Tls is not null && !_servedAny,
    };

    private void Handle(ReadOnlyMemory<byte> record)
    {
        CallSite site = Site();
        DispatchOutcome outcome = _dispatcher.Dispatch(record, site, _replies, out PendingReply? pending, out StreamedReply? stream);
        _servedAny = true;
        if (outcome == DispatchOutcome.StartTls)
        {
            _startTls = true;
            return;
        }

        if (outcome == DispatchOutcome.Streaming)
        {
            WriteStream(stream!);
            return;
        }

        if (outcome != DispatchOutcome.Pending)
        {
            return;
        }

        // A handler still running: take a slot (waiting when too many are), reply when it is done.
        if (!_pendingSlots.Wait(0))
        {
            Flush();
            _pendingSlots.Wait();
        }

        lock (_pendingLock)
        {
            if (_pending++ == 0)
            {
                _drained.Reset();
            }
        }

        pending!.Results.ContinueWith(static (_, state) => ((Completion)state!).Run(), new Completion(this, pending), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Writes a streamed reply on this thread, after the replies before it; replies finishing meanwhile wait behind it.
    /// A reply that broke off after its first fragment ends the connection.
    /// </summary>
    /// <exception cref="IOException">The reply broke off: the peer cannot tell the rest of the record from what would follow.</exception>
    private void WriteStream(StreamedReply stream)
    {
        Flush();
        lock (_sendLock)
        {
            _streaming = true;
        }

        bool whole = false;
        try
        {
            // This thread is the connection's own: it blocks in the writes (the peer's flow control) and for the handler.
            // While the handler makes an element wait, the thread looks for a reset or closed peer now and then, so that
            // the handler's CallAborted fires then, as on the event loops, rather than at the next write.
            Task<bool> run = stream.RunAsync(this);
            while (Task.WaitAny([run], HangUpCheckMilliseconds) < 0)
            {
                if (!_aborted.IsCancellationRequested && PeerHungUp())
                {
                    _aborted.Cancel();
                }
            }

            whole = run.GetAwaiter().GetResult();
        }
        finally
        {
            lock (_sendLock)
            {
                _streaming = false;
                if (whole && _deferred.WrittenCount > 0)
                {
                    Send(_deferred.WrittenSpan);
                }

                _deferred.Reset();
            }
        }

        if (!whole)
        {
            throw new IOException("a streamed reply broke off");
        }
    }

    /// <summary>
    /// Whether the peer reset the connection, or it closed both ways: poll's POLLERR (a reset records its error on the
    /// socket). A peer that only half-closed may still read the reply; the next write finds out about one that has gone.
    /// </summary>
    private bool PeerHungUp()
    {
        try
        {
            return _socket.Poll(0, SelectMode.SelectError);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>A fragment of a streamed reply: a blocking write, which the write timeout bounds.</summary>
    ValueTask<bool> IStreamSink.SendAsync(ReadOnlyMemory<byte> fragment)
    {
        _service.CountWaitingForPeer(1);
        Interlocked.Increment(ref _sending);
        try
        {
            lock (_sendLock)
            {
                Send(fragment.Span);
            }

            return ValueTask.FromResult(true);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            RpcServerLog.WriteTimedOut(_service.Logger, _remote, fragment.Length, _service.Options.WriteTimeout);
            _dispatcher.Metrics.ConnectionClosedByServer("write_timeout");
            return ValueTask.FromResult(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return ValueTask.FromResult(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sending);
            _service.CountWaitingForPeer(-1);
        }
    }

    /// <summary>Sends the replies written so far, in one write.</summary>
    private void Flush()
    {
        if (_replies.WrittenCount == 0)
        {
            return;
        }

        // Counted as waiting for the peer while the send blocks; this thread reads no further calls meanwhile.
        _service.CountWaitingForPeer(1);
        Interlocked.Increment(ref _sending);
        try
        {
            lock (_sendLock)
            {
                Send(_replies.WrittenSpan);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _sending);
            _service.CountWaitingForPeer(-1);
            _replies.Reset();
        }
    }

    private void Send(ReadOnlySpan<byte> data)
    {
        if (_tls is null)
        {
            SocketIo.SendAll(_socket, data);
            return;
        }

        try
        {
            _tls.Write(data);
        }
        catch (IOException e) when (e.InnerException is SocketException inner)
        {
            // As a plain socket's send fails: a write timeout stays one.
            ExceptionDispatchInfo.Throw(inner);
        }
    }

    /// <summary>Receives more bytes into the reader (blocking): the socket's, or the TLS stream's plain text.</summary>
    private int Receive()
    {
        if (_tls is null)
        {
            return _reader.Receive(_socket);
        }

        try
        {
            return _reader.Receive(_tls);
        }
        catch (IOException e) when (e.InnerException is SocketException inner)
        {
            // As a plain socket's receive fails: the idle and record timeouts stay timeouts.
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    /// <summary>
    /// Makes the TLS handshake as the server, within the handshake timeout, after STARTTLS was sent; then the records go
    /// through TLS, and handlers see the session (and the identity its client certificate maps to) on the connection.
    /// </summary>
    /// <returns>False when the handshake failed: the connection ends, for <paramref name="reason"/>.</returns>
    private bool StartTls(out string reason)
    {
        RpcTlsServerOptions options = _service.Options.Tls!;
        SocketIo.MakeBlocking(_socket); // an event loop's connection was non-blocking
        int receiveTimeout = _socket.ReceiveTimeout;
        int sendTimeout = _socket.SendTimeout;
        _socket.ReceiveTimeout = Milliseconds(options.HandshakeTimeout);
        _socket.SendTimeout = Milliseconds(options.HandshakeTimeout);
        TlsChannel tls;
        Auth.RpcTlsSession session;
        try
        {
            tls = options.Engine.StartServer(_socket, options.Authentication, options.MapClientCertificate, _service.Options.SpinBeforeSleep, out session);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any failure: the handshake parses what a hostile client sends, and SslStream does not only throw the
            // exceptions it documents (a mutated ClientHello made it throw ArgumentOutOfRangeException: the fuzzer's
            // tls-probe target). Whatever it is, it ends this connection, not the process.
            reason = $"TLS handshake failed: {RpcTls.Reason(e)}";
            RpcServerLog.TlsHandshakeFailed(_service.Logger, _remote, RpcTls.Reason(e));
            _dispatcher.Metrics.ConnectionClosedByServer("tls_handshake");
            return false;
        }

        _socket.ReceiveTimeout = receiveTimeout;
        _socket.SendTimeout = sendTimeout;
        Connection = new RpcConnection(_remote ?? _socket.RemoteEndPoint, _service.LocalEndPoint, _local, _aborted.Token, session);
        if (session.CallerKey is { } key)
        {
            // Clients that show certificates are told apart in the duplicate request cache by them, not by what their
            // AUTH_SYS credentials claim: one cannot be answered from another's calls on the same address.
            _addressBytes = [.. _addressBytes, .. key];
        }

        _tls = tls;
        reason = string.Empty;
        return true;
    }

    private void CompletePending(PendingReply call)
    {
        using var output = new PooledBufferWriter(256);
        try
        {
            CallSite site = Site();
            if (!_dispatcher.Complete(call, site, output))
            {
                return; // answered with no reply
            }

            lock (_sendLock)
            {
                if (_streaming)
                {
                    // Behind the streamed reply being written: fragments of one record cannot be interleaved with others.
                    _deferred.Write(output.WrittenSpan);
                }
                else
                {
                    Send(output.WrittenSpan);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection has gone, or its peer took nothing for the write timeout (then it is closed, which ends
            // the reading thread too); the reply is in the cache, if any, for a retransmission on another.
            Abort();
        }
        finally
        {
            _pendingSlots.Release();
            lock (_pendingLock)
            {
                if (--_pending == 0)
                {
                    _drained.Set();
                }
            }
        }
    }

    /// <summary>A timeout as a socket option takes it: 0 (none) for an infinite one, at least 1 millisecond otherwise.</summary>
    private static int Milliseconds(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? 0 : (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);

    /// <summary>What is left of a finite <paramref name="limit"/> since <paramref name="since"/>, as a socket timeout (at least 1 millisecond).</summary>
    private static int Remaining(long since, TimeSpan limit) =>
        (int)Math.Clamp((long)limit.TotalMilliseconds - (Environment.TickCount64 - since), 1, int.MaxValue);

    /// <summary>The earlier of two socket timeouts (0 is none).</summary>
    private static int Earlier(int a, int b) => a == 0 ? b : Math.Min(a, b);

    /// <summary>Waits, within the shutdown timeout, for handlers still running to reply.</summary>
    private void WaitForPending() => _drained.Wait(_service.Options.ShutdownTimeout);

    private sealed class Completion(TcpConnection connection, PendingReply call)
    {
        public void Run() => connection.CompletePending(call);
    }
}
