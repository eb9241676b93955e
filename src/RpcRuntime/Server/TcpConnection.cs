using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// One TCP connection, served by a thread of its own with blocking reads: the kernel wakes it when a call
/// arrives, it answers, and it blocks again: the system calls of a C server, and none of the hand-offs between
/// threads that make asynchronous sockets slow for request and reply. Every complete record of a read is
/// handled before the replies go out in one write, so pipelined calls cost one read and one write per batch.
/// Handlers that finish later reply under a lock; a bound on them makes a flooding client wait.
/// </summary>
internal sealed class TcpConnection
{
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
    private readonly byte[] _addressBytes;
    private readonly object _pendingLock = new();
    private readonly ManualResetEventSlim _drained = new(initialState: true);
    private int _pending;
    private volatile bool _stopping;

    public TcpConnection(Socket socket, TcpService service)
    {
        _socket = socket;
        _service = service;
        _dispatcher = service.Dispatcher;
        _reader = new RecordReader(service.Options.MaxRecordSize);
        _pendingSlots = new SemaphoreSlim(service.Options.MaxPendingCallsPerConnection);
        _remote = socket.RemoteEndPoint as IPEndPoint;
        _local = LocalPeer.Of(socket);
        _addressBytes = DuplicateRequestCache.StreamCaller(_remote);
    }

    public IPEndPoint? Remote => _remote;

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
        try
        {
            _socket.ReceiveTimeout = (int)Math.Min(int.MaxValue, _service.Options.IdleTimeout.TotalMilliseconds);
            while (!_stopping)
            {
                int received;
                try
                {
                    received = _reader.Receive(_socket);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    if (!_drained.IsSet)
                    {
                        continue; // the client waits for us, not the other way round
                    }

                    RpcServerLog.IdleClosed(logger, _remote, _service.Options.IdleTimeout);
                    reason = "idle";
                    return;
                }

                if (received == 0)
                {
                    return;
                }

                while (_reader.TryReadRecord(out ReadOnlyMemory<byte> record))
                {
                    Handle(record);
                }

                Flush();
            }

            reason = "server stopping";
        }
        catch (RecordTooLargeException e)
        {
            RpcServerLog.RecordTooLarge(logger, _remote, e.Size, e.Maximum);
            reason = "record too large";
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            reason = e.Message;
        }
        finally
        {
            Flush();
            WaitForPending();
            RpcServerLog.ConnectionEnded(logger, _remote, reason);
            _aborted.Cancel();
            _socket.Dispose();
            _reader.Dispose();
            _replies.Dispose();
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
        Cache = _service.Cache,
        Aborted = _aborted.Token,
    };

    private void Handle(ReadOnlyMemory<byte> record)
    {
        CallSite site = Site();
        if (_dispatcher.Dispatch(record, site, _replies, out PendingReply? pending) != DispatchOutcome.Pending)
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

    /// <summary>Sends the replies written so far, in one write.</summary>
    private void Flush()
    {
        if (_replies.WrittenCount == 0)
        {
            return;
        }

        try
        {
            lock (_sendLock)
            {
                Send(_replies.WrittenSpan);
            }
        }
        finally
        {
            _replies.Reset();
        }
    }

    private void Send(ReadOnlySpan<byte> data) => SocketIo.SendAll(_socket, data);

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
                Send(output.WrittenSpan);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection has gone; the reply is in the cache, if any, for a retransmission on another.
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

    /// <summary>Waits, within the shutdown timeout, for handlers still running to reply.</summary>
    private void WaitForPending() => _drained.Wait(_service.Options.ShutdownTimeout);

    private sealed class Completion(TcpConnection connection, PendingReply call)
    {
        public void Run() => connection.CompletePending(call);
    }
}
