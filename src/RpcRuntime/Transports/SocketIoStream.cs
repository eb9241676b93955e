using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A blocking socket as the stream a TLS session runs over, read and written through <see cref="SocketIo"/> (libc on
/// Linux). A NetworkStream would go through .NET's socket engine, which on a socket that was ever non-blocking (an event
/// loop's) emulates each blocking read by waking thread pool workers: a TLS connection served that way cost several
/// times the CPU per call.
/// </summary>
internal sealed class SocketIoStream(Socket socket) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <exception cref="SocketException">The receive failed, or timed out (the socket's receive timeout).</exception>
    public override int Read(Span<byte> buffer) => SocketIo.Receive(socket, buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <exception cref="SocketException">The send failed, or timed out (the socket's send timeout).</exception>
    public override void Write(ReadOnlySpan<byte> buffer) => SocketIo.SendAll(socket, buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
