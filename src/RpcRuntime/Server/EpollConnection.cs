using System.Buffers;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// A TCP connection served by an <see cref="EventLoop"/> (Linux). On each readiness event the loop reads once,
/// answers the complete records, and sends the replies; what the socket does not take waits in a queue. Reply
/// bytes waiting are bounded per connection and across the server: past the bound the connection answers no
/// further calls, and reads none, until its peer has taken what waits, so a client that never reads its replies
/// is held back by TCP flow control instead of growing the server. Handlers that finish later queue their reply
/// under a lock. A streamed reply is written by a task of its own, a fragment at a time within the same bound; while it
/// runs the connection reads no further call, and replies of handlers that finish meanwhile wait behind it (a record's
/// fragments cannot be interleaved with other records).
/// </summary>
internal sealed class EpollConnection : IStreamSink
{
    // Replies of one read are sent together; past this many bytes they go out before the next call is answered.
    private const int FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly TcpService _service;
    private readonly EventLoop _loop;
    private readonly RecordReader _reader;
    private readonly LocalPeer? _local;
    // Replies take large pooled results by reference, sent from where they lie with one gathered send (no copy).
    private readonly PooledBufferWriter _replies = new(gathering: true);
    private ReadOnlyMemory<byte>[]? _pieces;
    private readonly PooledBufferWriter _unsent = new();
    private readonly object _sendLock = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly byte[] _addressBytes;
    private int _unsentOffset;
    private long _lastActivity;
    private long _queued;
    private int _pending;
    private bool _closed;
    private bool _reading = true;
    private bool _writing;

    // A streamed reply is being written; replies finishing meanwhile wait in _deferred. When it ends the loop is woken
    // (through EPOLLOUT) to answer the calls already read, or to close the connection when the reply broke off.
    private bool _streaming;
    private bool _resumeAfterStream;
    private bool _streamBroken;
    private TaskCompletionSource? _streamRoom;
    private readonly PooledBufferWriter _deferred = new();

    // Too many reply bytes wait, so no further call is answered until the peer takes them. Written by the loop's
    // thread only (under the send lock, which UpdateInterest reads it under), so that thread reads it without the lock.
    private bool _paused;

    // When the incomplete record in the reader began to wait for its peer (0: none waits), and when queued
    // replies last moved (0: none queued). The loop's sweep closes the connection when either is too old.
    private long _partialSince;
    private long _lastSendProgress;

    // RPC-with-TLS: whether a call has been read (the AUTH_TLS probe must be the first), and whether it was just answered.
    private bool _servedAny;
    private bool _startTls;

    public EpollConnection(Socket socket, PeerKey peer, LocalPeer? local, TcpService service, EventLoop loop)
    {
        _socket = socket;
        _socket.Blocking = false;
        _handle = socket.SafeHandle;
        _service = service;
        _loop = loop;
        _reader = new RecordReader(service.Options.MaxRecordSize);
        Remote = socket.RemoteEndPoint as IPEndPoint;
        Peer = peer;
        _local = local;
        _addressBytes = DuplicateRequestCache.StreamCaller(Remote);
        Fd = (int)_handle.DangerousGetHandle();
        LastActivity = Environment.TickCount64;
        Connection = new RpcConnection(Remote ?? socket.RemoteEndPoint, service.LocalEndPoint, local, _aborted.Token);
    }

    /// <summary>What handlers see of this connection.</summary>
    public RpcConnection Connection { get; }

    /// <summary>Chosen to be closed to admit a new connection (MaxConnections); the loop closes it.</summary>
    public bool Evicting { get; set; }

    public int Fd { get; }

    public IPEndPoint? Remote { get; }

    public PeerKey Peer { get; }

    /// <summary>A caller on the local socket, as the kernel says; null for a network caller.</summary>
    public LocalPeer? Local => _local;

    /// <summary>
    /// Its AUTH_TLS probe was answered STARTTLS: the loop is to let it go (<see cref="HandOver"/>) rather than close it,
    /// and it continues in TLS on a thread of its own. Event loops serve plain connections only.
    /// </summary>
    public bool HandingOverForTls { get; private set; }

    /// <summary>When a byte last arrived, in <see cref="Environment.TickCount64"/> (read by the accept thread too).</summary>
    public long LastActivity
    {
        get => Interlocked.Read(ref _lastActivity);
        private set => Interlocked.Exchange(ref _lastActivity, value);
    }

    /// <summary>True while handlers of this connection are still running.</summary>
    public bool Busy
    {
        get
        {
            lock (_sendLock)
            {
                return _pending > 0;
            }
        }
    }

    /// <summary>True while replies wait for the socket to take them.</summary>
    public bool HasUnsent
    {
        get
        {
            lock (_sendLock)
            {
                return _queued > 0;
            }
        }
    }

    /// <summary>Reply bytes waiting for the peer to read them.</summary>
    public long Queued
    {
        get
        {
            lock (_sendLock)
            {
                return _queued;
            }
        }
    }

    /// <summary>When the record being received began to wait for more bytes, in <see cref="Environment.TickCount64"/>; 0 when none does.</summary>
    public long PartialSince => _partialSince;

    /// <summary>When queued replies last moved to the socket, in <see cref="Environment.TickCount64"/>; 0 when none are queued.</summary>
    public long LastSendProgress => Interlocked.Read(ref _lastSendProgress);

    /// <summary>The socket has data (or the peer closed): read once, answer, send. Returns false when the connection is done.</summary>
    public bool OnReadable()
    {
        if (Volatile.Read(ref _streaming) || Volatile.Read(ref _streamBroken))
        {
            // Reading is off while a streamed reply is written: only a hang-up or an error is reported.
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, _streamBroken ? "a streamed reply broke off" : "closed by the peer during a streamed reply");
            return false;
        }

        if (_paused)
        {
            // The calls already read wait until the peer takes its replies; this event is a hang-up or an error
            // (only those are reported while paused), which the next send finds out.
            return OnWritable();
        }

        int received;
        try
        {
            received = _reader.TryReceive(_handle);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, e.Message);
            return false;
        }

        if (received < 0)
        {
            return true;
        }

        if (received == 0)
        {
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, "closed by the peer");
            return false;
        }

        LastActivity = Environment.TickCount64;
        return Serve();
    }

    /// <summary>The socket takes data again: send what waited, and answer the calls that waited for it. Returns false when the connection is done.</summary>
    public bool OnWritable()
    {
        bool resume;
        lock (_sendLock)
        {
            if (_streamBroken || !SendUnsent())
            {
                return false;
            }

            resume = (_paused && !MustPause()) || (_resumeAfterStream && !_streaming);
            if (resume)
            {
                SetPaused(false);
                _resumeAfterStream = false;
                UpdateInterest();
            }
        }

        return !resume || _loop.IsStopping || Serve();
    }

    /// <summary>Lets the socket go, open, to whoever continues the connection in TLS; frees the rest.</summary>
    public Socket HandOver()
    {
        End(closeSocket: false);
        return _socket;
    }

    public void Close() => End(closeSocket: true);

    private void End(bool closeSocket)
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            SetQueued(0);
            SetPaused(false);
            _streamRoom?.TrySetResult();
            _streamRoom = null;
        }

        _aborted.Cancel();
        if (closeSocket)
        {
            _socket.Dispose();
        }

        _reader.Dispose();
        _replies.Dispose();
        lock (_sendLock)
        {
            _unsent.Dispose();
            _deferred.Dispose();
        }
    }

    /// <summary>
    /// Answers the complete records that are buffered, sending their replies, until none is left or the replies
    /// waiting reach their bound; then says what to wait for. False when the connection is done.
    /// </summary>
    private bool Serve()
    {
        while (true)
        {
            bool more = false;
            StreamedReply? stream = null;
            try
            {
                while (_reader.TryReadRecord(out ReadOnlyMemory<byte> record))
                {
                    stream = Handle(record);
                    if (_startTls)
                    {
                        break;
                    }

                    if (stream is not null || _replies.WrittenCount >= FlushThreshold)
                    {
                        more = stream is null;
                        break;
                    }
                }
            }
            catch (RecordTooLargeException e)
            {
                RpcServerLog.RecordTooLarge(_service.Logger, Remote, e.Size, e.Maximum);
                _service.Dispatcher.Metrics.ConnectionClosedByServer("record_too_large");
                Flush();
                return false;
            }

            if (!Flush())
            {
                return false;
            }

            if (_startTls)
            {
                return HandOverForTls();
            }

            if (stream is not null)
            {
                // The calls after it wait in the reader until the stream is written.
                StartStream(stream);
                _partialSince = 0;
                return true;
            }

            lock (_sendLock)
            {
                SetPaused(MustPause());
                UpdateInterest();
                if (_paused || !more)
                {
                    break;
                }
            }
        }

        // What is left in the reader is the start of a record still arriving, unless calls wait for the peer to
        // read its replies: then the wait is the server's doing, and no deadline runs against the peer.
        _partialSince = _paused || !_reader.HasPartialRecord ? 0 : _partialSince != 0 ? _partialSince : Environment.TickCount64;
        return true;
    }

    /// <summary>
    /// STARTTLS was sent: the client's next bytes are its TLS handshake, which a thread of its own takes from here (returns
    /// false: the loop lets the connection go). A client that sent more before the answer, or a socket that did not
    /// take the answer at once, ends the connection instead.
    /// </summary>
    private bool HandOverForTls()
    {
        bool unsent;
        lock (_sendLock)
        {
            unsent = _queued > 0;
        }

        if (_reader.HasPartialRecord || unsent)
        {
            RpcServerLog.TlsProtocolViolation(_service.Logger, Remote, unsent ? "STARTTLS could not be sent at once" : "the client sent more after its AUTH_TLS probe before STARTTLS was answered");
            _service.Dispatcher.Metrics.ConnectionClosedByServer("tls_protocol");
            return false;
        }

        HandingOverForTls = true;
        return false;
    }

    /// <summary>Whether replies waiting forbid answering further calls. Called under the send lock.</summary>
    private bool MustPause() => _queued > 0 && (_queued >= _service.Options.MaxQueuedReplyBytesPerConnection || _service.Backlog.IsFull);

    /// <summary>Where this connection's calls come from, for the dispatcher.</summary>
    private CallSite Site() => new()
    {
        Transport = RpcTransport.Tcp,
        Local = _local,
        Remote = Remote,
        AddressBytes = _addressBytes,
        SourceBytes = _addressBytes,
        Cache = _service.Cache,
        Aborted = _aborted.Token,
        Connection = Connection,
        Input = _reader.Buffer,
        CanStartTls = _service.Options.Tls is not null && !_servedAny,
    };

    /// <summary>Answers a call; returns the streamed reply to write, when it asks for one.</summary>
    private StreamedReply? Handle(ReadOnlyMemory<byte> record)
    {
        CallSite site = Site();
        DispatchOutcome outcome = _service.Dispatcher.Dispatch(record, site, _replies, out PendingReply? pending, out StreamedReply? stream);
        _servedAny = true;
        if (outcome == DispatchOutcome.StartTls)
        {
            _startTls = true;
            return null;
        }

        if (outcome == DispatchOutcome.Streaming)
        {
            return stream;
        }

        if (outcome == DispatchOutcome.Pending)
        {
            lock (_sendLock)
            {
                _pending++;
                UpdateInterest();
            }

            pending!.Results.ContinueWith(static (_, state) => ((Completion)state!).Run(), new Completion(this, pending), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return null;
    }

    /// <summary>Starts writing a streamed reply on a task of its own; the connection reads nothing until it is done.</summary>
    private void StartStream(StreamedReply stream)
    {
        lock (_sendLock)
        {
            _streaming = true;
            _pending++;
            UpdateInterest();
        }

        _ = Task.Run(async () =>
        {
            bool whole = false;
            try
            {
                whole = await stream.RunAsync(this).ConfigureAwait(false);
            }
            finally
            {
                EndStream(whole);
            }
        });
    }

    /// <summary>The streamed reply is written (or broke off): replies that waited behind it go out, and the loop goes on.</summary>
    private void EndStream(bool whole)
    {
        lock (_sendLock)
        {
            _streaming = false;
            _pending--;
            if (!whole)
            {
                // The peer cannot tell the rest of the record from what would follow: the loop closes the connection.
                _streamBroken = true;
            }
            else if (_deferred.WrittenCount > 0)
            {
                Send(_deferred.WrittenMemory);
                _deferred.Reset();
            }

            _resumeAfterStream = true;
            UpdateInterest();
        }

        if (!whole)
        {
            try
            {
                // Wakes the loop even when the socket takes nothing (EPOLLHUP), so that it closes the connection.
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A fragment of a streamed reply (on the stream's task): sent or queued, then waits while too much is queued.</summary>
    async ValueTask<bool> IStreamSink.SendAsync(ReadOnlyMemory<byte> fragment)
    {
        Task room;
        lock (_sendLock)
        {
            if (!Send(fragment))
            {
                return false;
            }

            if (!MustPause())
            {
                return true;
            }

            _streamRoom ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            room = _streamRoom.Task;
        }

        // Woken when the peer has taken enough (or the connection closed: the write timeout closes one that takes nothing).
        _service.CountWaitingForPeer(1);
        try
        {
            await room.ConfigureAwait(false);
        }
        finally
        {
            _service.CountWaitingForPeer(-1);
        }

        lock (_sendLock)
        {
            return !_closed;
        }
    }

    /// <summary>Sends the replies written so far; false when the socket failed.</summary>
    private bool Flush()
    {
        if (_replies.WrittenCount == 0)
        {
            return true;
        }

        try
        {
            lock (_sendLock)
            {
                if (!_replies.HasReferences)
                {
                    return Send(_replies.WrittenMemory);
                }

                // The replies and the pooled data they refer to, where it lies: one gathered send.
                if (_pieces is null || _pieces.Length < _replies.PieceCount)
                {
                    _pieces = new ReadOnlyMemory<byte>[_replies.PieceCount];
                }

                Span<ReadOnlyMemory<byte>> pieces = _pieces.AsSpan(0, _replies.GetPieces(_pieces));
                try
                {
                    return Send(pieces);
                }
                finally
                {
                    pieces.Clear(); // holds no pooled memory past its use
                }
            }
        }
        finally
        {
            // Gives back the pooled data the replies referred to: sent, or copied into the queue.
            _replies.Reset();
        }
    }

    /// <summary>Sends now what the socket takes; queues the rest for <see cref="OnWritable"/>. Called under the send lock.</summary>
    private bool Send(ReadOnlyMemory<byte> data) => Send(new ReadOnlySpan<ReadOnlyMemory<byte>>(in data));

    /// <summary>
    /// Sends now what the socket takes of <paramref name="pieces"/>, in order (more than one with one gathered send);
    /// copies the rest into the queue for <see cref="OnWritable"/>. Called under the send lock.
    /// </summary>
    private bool Send(ReadOnlySpan<ReadOnlyMemory<byte>> pieces)
    {
        if (_closed)
        {
            return false;
        }

        // Earlier replies still waiting: these go after them.
        bool behind = _queued > 0;
        long sent = 0;
        if (!behind)
        {
            try
            {
                sent = pieces.Length == 1 ? SocketIo.TrySend(_handle, pieces[0].Span) : SocketIo.TrySendGathered(_handle, pieces);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                RpcServerLog.ConnectionEnded(_service.Logger, Remote, e.Message);
                return false;
            }
        }

        bool left = false;
        foreach (ReadOnlyMemory<byte> piece in pieces)
        {
            if (sent >= piece.Length)
            {
                sent -= piece.Length;
                continue;
            }

            Queue(piece.Span[(int)sent..]);
            sent = 0;
            left = true;
        }

        if (left && !behind)
        {
            Interlocked.Exchange(ref _lastSendProgress, Environment.TickCount64);
            UpdateInterest();
        }

        return true;
    }

    /// <summary>Keeps bytes the socket did not take. Called under the send lock.</summary>
    private void Queue(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_unsent.GetSpan(data.Length));
        _unsent.Advance(data.Length);
        SetQueued(_queued + data.Length);
    }

    /// <summary>Sends what waits. Called under the send lock.</summary>
    private bool SendUnsent()
    {
        if (_closed)
        {
            return false;
        }

        int sent;
        try
        {
            sent = SocketIo.TrySend(_handle, _unsent.WrittenSpan[_unsentOffset..]);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, e.Message);
            return false;
        }

        if (sent > 0)
        {
            _unsentOffset += sent;
            Interlocked.Exchange(ref _lastSendProgress, Environment.TickCount64);
        }

        if (_unsentOffset == _unsent.WrittenCount)
        {
            // All taken: a queue that grew large gives its memory back (PooledBufferWriter.Reset).
            _unsent.Reset();
            _unsentOffset = 0;
            Interlocked.Exchange(ref _lastSendProgress, 0);
            SetQueued(0);
            UpdateInterest();
        }
        else
        {
            if (_unsentOffset >= _unsent.WrittenCount / 2)
            {
                // What was sent makes room for what will wait, rather than the buffer growing past it.
                _unsent.RemovePrefix(_unsentOffset);
                _unsentOffset = 0;
            }

            SetQueued(_unsent.WrittenCount - _unsentOffset);
        }

        if (_streamRoom is { } room && !MustPause())
        {
            _streamRoom = null;
            room.TrySetResult();
        }

        return true;
    }

    /// <summary>Records whether the connection waits for its peer, here and in the service's count. Called under the send lock.</summary>
    private void SetPaused(bool paused)
    {
        if (paused != _paused)
        {
            _paused = paused;
            _service.CountWaitingForPeer(paused ? 1 : -1);
        }
    }

    /// <summary>Records how many reply bytes wait, here and in the server's backlog. Called under the send lock.</summary>
    private void SetQueued(long queued)
    {
        _service.Backlog.Add(queued - _queued);
        _queued = queued;
    }

    private void CompletePending(PendingReply call)
    {
        using var output = new PooledBufferWriter(256);
        try
        {
            CallSite site = Site();
            if (!_service.Dispatcher.Complete(call, site, output))
            {
                return; // answered with no reply
            }

            // Undelivered when the connection has gone; the reply is in the cache, if any, for a retransmission.
            lock (_sendLock)
            {
                if (_streaming && !_closed)
                {
                    // Behind the streamed reply being written: fragments of one record cannot be interleaved with others.
                    _deferred.Write(output.WrittenSpan);
                }
                else
                {
                    Send(output.WrittenMemory);
                }
            }
        }
        finally
        {
            lock (_sendLock)
            {
                _pending--;
                UpdateInterest();
            }
        }
    }

    /// <summary>
    /// Reads while replies flow and few handlers run; waits to write while replies wait for the socket. A
    /// client that floods calls or does not read its replies is thus slowed by TCP itself. Called under the send lock.
    /// </summary>
    private void UpdateInterest()
    {
        if (_closed)
        {
            return;
        }

        bool writing = _queued > 0 || ((_resumeAfterStream || _streamBroken) && !_streaming);
        bool reading = !writing && !_paused && !_streaming && _pending < _service.Options.MaxPendingCallsPerConnection;
        if (reading != _reading || writing != _writing)
        {
            _reading = reading;
            _writing = writing;
            _loop.SetInterest(this, reading, writing);
        }
    }

    private sealed class Completion(EpollConnection connection, PendingReply call)
    {
        public void Run() => connection.CompletePending(call);
    }
}
