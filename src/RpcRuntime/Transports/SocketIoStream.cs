using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A blocking socket as the stream a TLS session runs over, read and written through <see cref="SocketIo"/> (libc on
/// Linux). A NetworkStream would go through .NET's socket engine, which on a socket that was ever non-blocking (an event
/// loop's) emulates each blocking read by waking thread pool workers: a TLS connection served that way cost several
/// times the CPU per call. SslStream reads from it only when it needs more bytes, so a read that would block first
/// spins (<see cref="Spinning"/>), as the plain connections' receive loops do.
/// </summary>
/// <param name="socket">The connected socket.</param>
/// <param name="spinTicks">How long a read that would block polls first, in <see cref="System.Diagnostics.Stopwatch"/> ticks; 0: none.</param>
internal sealed class SocketIoStream(Socket socket, long spinTicks) : Stream
{
    private SpinHabit _habit;

    // While a thread gathers, its writes are kept here and sent together (SslStreamTls's channel). A write from another
    // thread meanwhile (SslStream answering something it read) sends what was gathered first, so TLS records keep
    // their order on the wire.
    private readonly object _writeLock = new();
    private PooledBufferWriter? _gathered;
    private int _gatheringThread;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <exception cref="SocketException">The receive failed, or timed out (the socket's receive timeout).</exception>
    public override int Read(Span<byte> buffer)
    {
        if (SocketIo.IsDirect && Spinning.TryEnter(spinTicks, out long until))
        {
            try
            {
                int got = -1;
                if (_habit.PollFirst())
                {
                    _habit.Found((got = SocketIo.TryReceive(socket.SafeHandle, buffer)) >= 0);
                }

                while (got < 0 && Spinning.Next(until))
                {
                    got = SocketIo.TryReceive(socket.SafeHandle, buffer);
                }

                if (got >= 0)
                {
                    return got;
                }
            }
            finally
            {
                Spinning.Exit();
            }
        }

        return SocketIo.Receive(socket, buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <exception cref="SocketException">The send failed, or timed out (the socket's send timeout).</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_writeLock)
        {
            if (_gatheringThread == Environment.CurrentManagedThreadId)
            {
                buffer.CopyTo(_gathered!.GetSpan(buffer.Length));
                _gathered.Advance(buffer.Length);
                return;
            }

            if (_gathered is { WrittenCount: > 0 } earlier)
            {
                SocketIo.SendAll(socket, earlier.WrittenSpan);
                earlier.Reset();
            }

            SocketIo.SendAll(socket, buffer);
        }
    }

    /// <summary>Keeps the writes that follow, until <see cref="EndGather"/>.</summary>
    public void BeginGather()
    {
        lock (_writeLock)
        {
            _gathered ??= new PooledBufferWriter(64 * 1024);
            _gatheringThread = Environment.CurrentManagedThreadId;
        }
    }

    /// <summary>Sends the writes kept since <see cref="BeginGather"/> in one send, or drops them (<paramref name="send"/> false: what produced them failed).</summary>
    /// <exception cref="SocketException">The send failed, or timed out.</exception>
    public void EndGather(bool send)
    {
        lock (_writeLock)
        {
            _gatheringThread = 0;
            try
            {
                if (send && _gathered!.WrittenCount > 0)
                {
                    SocketIo.SendAll(socket, _gathered.WrittenSpan);
                }
            }
            finally
            {
                _gathered!.Reset();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gathered?.Dispose();
        }

        base.Dispose(disposing);
    }
}
