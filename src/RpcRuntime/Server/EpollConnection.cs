using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// A TCP connection served by an <see cref="EventLoop"/> (Linux). On each readiness event the loop reads once,
/// answers every complete record, and sends the replies in one write; a socket whose send buffer is full keeps
/// the rest and stops reading until it drains. Handlers that finish later queue their reply under a lock.
/// </summary>
internal sealed class EpollConnection
{
    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly TcpService _service;
    private readonly EventLoop _loop;
    private readonly RecordReader _reader;
    private readonly LocalPeer? _local;
    private readonly PooledBufferWriter _replies = new();
    private readonly PooledBufferWriter _unsent = new();
    private readonly object _sendLock = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly byte[] _addressBytes;
    private int _unsentOffset;
    private int _pending;
    private bool _closed;
    private bool _reading = true;
    private bool _writing;

    public EpollConnection(Socket socket, TcpService service, EventLoop loop)
    {
        _socket = socket;
        _socket.Blocking = false;
        _handle = socket.SafeHandle;
        _service = service;
        _loop = loop;
        _reader = new RecordReader(service.Options.MaxRecordSize);
        Remote = socket.RemoteEndPoint as IPEndPoint;
        _local = LocalPeer.Of(socket);
        _addressBytes = DuplicateRequestCache.StreamCaller(Remote);
        Fd = (int)_handle.DangerousGetHandle();
        LastActivity = Environment.TickCount64;
    }

    public int Fd { get; }

    public IPEndPoint? Remote { get; }

    public long LastActivity { get; private set; }

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
                return _unsent.WrittenCount > _unsentOffset;
            }
        }
    }

    /// <summary>The socket has data (or the peer closed): read once, answer, send. Returns false when the connection is done.</summary>
    public bool OnReadable()
    {
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
        try
        {
            while (_reader.TryReadRecord(out ReadOnlyMemory<byte> record))
            {
                Handle(record);
            }
        }
        catch (RecordTooLargeException e)
        {
            RpcServerLog.RecordTooLarge(_service.Logger, Remote, e.Size, e.Maximum);
            Flush();
            return false;
        }

        return Flush();
    }

    /// <summary>The socket takes data again: send what waited. Returns false when the connection is done.</summary>
    public bool OnWritable()
    {
        lock (_sendLock)
        {
            return SendUnsent();
        }
    }

    public void Close()
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _aborted.Cancel();
        _socket.Dispose();
        _reader.Dispose();
        _replies.Dispose();
        lock (_sendLock)
        {
            _unsent.Dispose();
        }
    }

    /// <summary>Where this connection's calls come from, for the dispatcher.</summary>
    private CallSite Site() => new()
    {
        Transport = RpcTransport.Tcp,
        Local = _local,
        Remote = Remote,
        AddressBytes = _addressBytes,
        Cache = _service.Cache,
        Aborted = _aborted.Token,
    };

    private void Handle(ReadOnlyMemory<byte> record)
    {
        CallSite site = Site();
        if (_service.Dispatcher.Dispatch(record, site, _replies, out PendingReply? pending) == DispatchOutcome.Pending)
        {
            lock (_sendLock)
            {
                _pending++;
                UpdateInterest();
            }

            pending!.Results.ContinueWith(static (_, state) => ((Completion)state!).Run(), new Completion(this, pending), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Sends the replies of this read; false when the socket failed.</summary>
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
                return Send(_replies.WrittenSpan);
            }
        }
        finally
        {
            _replies.Reset();
        }
    }

    /// <summary>Sends now what the socket takes; keeps the rest for <see cref="OnWritable"/>. Called under the send lock.</summary>
    private bool Send(ReadOnlySpan<byte> data)
    {
        if (_closed)
        {
            return false;
        }

        if (_unsent.WrittenCount > _unsentOffset)
        {
            // Earlier replies still wait: these go after them.
            data.CopyTo(_unsent.GetSpan(data.Length));
            _unsent.Advance(data.Length);
            return true;
        }

        int sent;
        try
        {
            sent = SocketIo.TrySend(_handle, data);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, e.Message);
            return false;
        }

        if (sent < data.Length)
        {
            data[sent..].CopyTo(_unsent.GetSpan(data.Length - sent));
            _unsent.Advance(data.Length - sent);
            UpdateInterest();
        }

        return true;
    }

    private bool SendUnsent()
    {
        if (_closed)
        {
            return false;
        }

        try
        {
            ReadOnlySpan<byte> rest = _unsent.WrittenSpan[_unsentOffset..];
            _unsentOffset += SocketIo.TrySend(_handle, rest);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            RpcServerLog.ConnectionEnded(_service.Logger, Remote, e.Message);
            return false;
        }

        if (_unsentOffset == _unsent.WrittenCount)
        {
            _unsent.Reset();
            _unsentOffset = 0;
            UpdateInterest();
        }

        return true;
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
                Send(output.WrittenSpan);
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

        bool writing = _unsent.WrittenCount > _unsentOffset;
        bool reading = !writing && _pending < _service.Options.MaxPendingCallsPerConnection;
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
