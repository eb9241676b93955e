using System.Buffers;
using System.Runtime.ExceptionServices;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Client;

/// <summary>What <see cref="StreamingCall.TryRead{TElement}"/> found.</summary>
internal enum StreamStep
{
    /// <summary>An element was decoded.</summary>
    Element,

    /// <summary>The stream's FALSE: no more elements.</summary>
    End,

    /// <summary>More bytes must arrive first.</summary>
    NeedMore,
}

/// <summary>
/// A call whose reply is a stream (YPPROC_ALL's <c>ypresp_all</c>): the reply header, then TRUE and an element, again
/// and again, then FALSE, all in one record. The transport hands the record's bytes over as they arrive
/// (<see cref="Write"/>); the consumer decodes elements from them as it pulls. Between the two, at most a window of bytes
/// waits (or one element's, when an element is larger): when the consumer does not pull, <see cref="Write"/> blocks the
/// transport's receive thread, which then reads nothing more, and TCP's flow control holds the server back.
/// </summary>
internal sealed class StreamingCall : PendingCall
{
    /// <summary>The bytes buffered ahead of the consumer before the receive side waits for it.</summary>
    public const int Window = 64 * 1024;

    private readonly object _lock = new();
    private readonly int _maxElementSize;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private int _needed;
    private bool _attached;
    private bool _ended;
    private bool _headerRead;
    private bool _consumerDone;
    private bool _abandoned;
    private bool _reported;
    private Exception? _failure;
    private Action? _closeTransport;
    private TaskCompletionSource? _waiter;

    public StreamingCall(int maxElementSize) => _maxElementSize = Math.Max(maxElementSize, 1024);

    /// <summary>Bytes received and not yet decoded (for tests: what the stream holds in memory).</summary>
    public int Buffered
    {
        get
        {
            lock (_lock)
            {
                return _end - _start;
            }
        }
    }

    /// <summary>The whole reply arrived at once (UDP, or a TCP record too short to stream): its body after the XID and message type.</summary>
    public void DeliverWhole(ReadOnlySpan<byte> body)
    {
        lock (_lock)
        {
            if (_abandoned || _consumerDone)
            {
                return;
            }

            _attached = true;
            Append(body);
            _ended = true;
            Wake();
        }
    }

    /// <summary>
    /// The transport begins handing over this call's reply record; <paramref name="closeTransport"/> closes the connection
    /// should the consumer give up before the record ends. False when the consumer has already given up.
    /// </summary>
    public bool Attach(Action closeTransport)
    {
        lock (_lock)
        {
            if (_abandoned || _failure is not null)
            {
                return false;
            }

            _attached = true;
            _closeTransport = closeTransport;
            Wake();
            return true;
        }
    }

    /// <summary>
    /// Bytes of the reply record, after the XID and message type. Blocks while the consumer has a window of bytes (or the
    /// element it waits for) to decode. False when the consumer gave up mid-record: the transport must drop the connection.
    /// </summary>
    public bool Write(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            while (!_consumerDone && !_abandoned && _end - _start >= Math.Max(Window, _needed))
            {
                Monitor.Wait(_lock);
            }

            if (_abandoned)
            {
                return false;
            }

            if (!_consumerDone)
            {
                Append(data);
                Wake();
            }

            return true;
        }
    }

    /// <summary>The reply record is complete.</summary>
    public void EndOfRecord()
    {
        lock (_lock)
        {
            _ended = true;
            Wake();
        }
    }

    /// <summary>The call failed before its reply began (timeout, cancellation, a lost connection); the client has counted it.</summary>
    public override void Fail(Exception exception)
    {
        lock (_lock)
        {
            _reported = true;
            _failure ??= exception;
            Wake();
        }
    }

    /// <summary>The transport failed while the reply was arriving (the connection broke).</summary>
    public void FailStream(Exception exception)
    {
        bool report;
        lock (_lock)
        {
            if (_ended || _consumerDone || _abandoned || _failure is not null)
            {
                return;
            }

            _failure = exception;
            report = !_reported;
            _reported = true;
            Wake();
        }

        if (report)
        {
            Client!.Finished(this, RpcClient.Outcome(exception));
        }
    }

    public override void Complete(ref XdrReader reader, ReadOnlyMemory<byte> message, RpcClient client) =>
        throw new InvalidOperationException("A streamed reply is delivered with DeliverWhole or Write.");

    /// <summary>Decodes the reply header, once, then the next element, from the bytes arrived so far.</summary>
    /// <exception cref="RpcException">The reply is a failure (its typed exception), malformed or cut short (<see cref="RpcProtocolException"/>), or the call failed.</exception>
    public StreamStep TryRead<TElement>(out TElement? element)
        where TElement : IXdrCodec<TElement>
    {
        element = default;
        lock (_lock)
        {
            if (_failure is { } failure)
            {
                _consumerDone = true;
                ExceptionDispatchInfo.Throw(failure);
            }

            if (!_attached)
            {
                return StreamStep.NeedMore;
            }

            try
            {
                if (!_headerRead)
                {
                    var header = new XdrReader(_buffer.AsSpan(_start, _end - _start));
                    ReplyHeader reply = ReplyHeader.DecodeBody(ref header, Xid);
                    if (Client!.FailureOf(reply, Procedure, Credential) is { } refused)
                    {
                        // The reply ends after its header; the transport drops what may follow.
                        _consumerDone = true;
                        Report(RpcClient.Outcome(refused));
                        throw refused;
                    }

                    _headerRead = true;
                    Consume((int)header.Position);
                }

                var reader = new XdrReader(_buffer.AsSpan(_start, _end - _start));
                if (!reader.ReadBoolean())
                {
                    Consume((int)reader.Position);
                    _consumerDone = true;
                    Monitor.PulseAll(_lock);
                    Report("SUCCESS");
                    return StreamStep.End;
                }

                element = TElement.Decode(ref reader);
                Consume((int)reader.Position);
                return StreamStep.Element;
            }
            catch (XdrException e) when (e.Error is XdrError.Truncated or XdrError.LengthExceedsInput && !_ended)
            {
                // The element is not all here yet: wait for twice the bytes before trying again, so that a large element
                // arriving in small pieces is decoded a few times, not once per piece.
                int available = _end - _start;
                if (available >= _maxElementSize)
                {
                    Report("PROTOCOL_ERROR");
                    throw new RpcProtocolException($"RPC: An element of the streamed reply is larger than MaxRecordSize ({_maxElementSize} bytes)", e);
                }

                _needed = (int)Math.Min(Math.Max(2L * available, available + 4L), _maxElementSize);
                Monitor.PulseAll(_lock);
                return StreamStep.NeedMore;
            }
            catch (XdrException e)
            {
                Report("PROTOCOL_ERROR");
                throw new RpcProtocolException(
                    e.Error is XdrError.Truncated or XdrError.LengthExceedsInput
                        ? $"RPC: The streamed reply ended without its final FALSE: {e.Message}"
                        : $"RPC: Can't decode an element of the streamed reply: {e.Message}",
                    e);
            }
        }
    }

    /// <summary>
    /// Waits until <see cref="TryRead{TElement}"/> may find more: bytes, the end, or a failure. Before the reply begins the
    /// call's deadline applies (the client's ticker); after, each wait may last the call's timeout.
    /// </summary>
    /// <exception cref="RpcTimeoutException">The server sent nothing more for the call's timeout.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        Task wait;
        bool attached;
        lock (_lock)
        {
            if (IsReady)
            {
                return;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
            attached = _attached;
        }

        if (!attached)
        {
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await wait.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var timedOut = new RpcTimeoutException(Timeout);
            lock (_lock)
            {
                _failure ??= timedOut;
            }

            Report("TIMEOUT");
            throw timedOut;
        }
    }

    /// <summary>
    /// The consumer stops (it broke out of its loop, was cancelled, or met an error). Before the reply begins the call is
    /// withdrawn; in the middle of the reply the connection is closed, since the rest of the record would otherwise have
    /// to be read and thrown away; after the final FALSE nothing needs doing.
    /// </summary>
    public void Abandon()
    {
        Action? close = null;
        bool attached;
        lock (_lock)
        {
            attached = _attached;
            if (!_consumerDone && !_abandoned)
            {
                _abandoned = true;
                if (_attached && !_ended)
                {
                    close = _closeTransport;
                }
            }

            _consumerDone = true;
            Monitor.PulseAll(_lock);
            ReturnBuffer();
        }

        // Counted once: a call that failed (or was refused before it was sent) has been counted already.
        if (attached || Client!.Withdraw(this))
        {
            Report("CANCELLED");
        }

        close?.Invoke();
    }

    private bool IsReady =>
        _failure is not null || (_attached && (_ended || _end - _start >= Math.Max(_needed, 1)));

    /// <summary>Counts the call's outcome once.</summary>
    private void Report(string outcome)
    {
        lock (_lock)
        {
            if (_reported)
            {
                return;
            }

            _reported = true;
        }

        Client!.Finished(this, outcome);
    }

    /// <summary>Wakes the consumer when it may go on. Called under the lock.</summary>
    private void Wake()
    {
        if (_waiter is { } waiter && IsReady)
        {
            _waiter = null;
            waiter.TrySetResult();
        }
    }

    private void Consume(int count)
    {
        _start += count;
        _needed = 0;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        // The receive side may be waiting for room.
        Monitor.PulseAll(_lock);
    }

    /// <summary>Adds bytes at the end, moving what is left to the front or growing the buffer as needed. Called under the lock.</summary>
    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int held = _end - _start;
        if (_buffer.Length - _end < data.Length)
        {
            if (_buffer.Length - held >= data.Length && _start > 0)
            {
                _buffer.AsSpan(_start, held).CopyTo(_buffer);
            }
            else
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(held + data.Length, Math.Min(2 * _buffer.Length, held + data.Length + Window)));
                _buffer.AsSpan(_start, held).CopyTo(larger);
                ReturnBuffer();
                _buffer = larger;
            }

            _start = 0;
            _end = held;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _start = _end = 0;
    }
}
