using System.Net.Security;
using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A connection's TLS session (RPC-with-TLS), as its reader and writer use it. A write of a batch of records goes out
/// in one send: SslStream writes each TLS record (16 KiB at most) to its transport on its own, which would cost a
/// system call, and a wake-up of the peer, per 16 KiB.
/// </summary>
internal sealed class TlsChannel : IDisposable
{
    private readonly SocketIoStream _transport;

    /// <param name="socket">The connected socket.</param>
    /// <param name="spinBeforeSleep">How long a read that would block polls first (the connection's SpinBeforeSleep).</param>
    public TlsChannel(Socket socket, TimeSpan spinBeforeSleep)
    {
        _transport = new SocketIoStream(socket, Spinning.ToTicks(spinBeforeSleep));
        Stream = new SslStream(_transport, leaveInnerStreamOpen: false);
    }

    /// <summary>The TLS stream: the handshake, and reads.</summary>
    public SslStream Stream { get; }

    /// <summary>Encrypts and sends <paramref name="data"/> in one send (blocking).</summary>
    /// <exception cref="SocketException">The send failed, or timed out.</exception>
    /// <exception cref="IOException">TLS failed.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        bool written = false;
        _transport.BeginGather();
        try
        {
            Stream.Write(data);
            written = true;
        }
        finally
        {
            _transport.EndGather(written);
        }
    }

    /// <summary>Closes the session (and its transport stream; the socket stays its owner's to close).</summary>
    public void Dispose() => Stream.Dispose();
}
