namespace NetRpc.Runtime.Transports;

/// <summary>
/// A connection's TLS session (RPC-with-TLS), as its reader and writer use it: blocking reads of plain text, and writes
/// of a batch of records. Made only by a <see cref="TlsEngine"/>.
/// </summary>
internal abstract class TlsChannel : IDisposable
{
    /// <summary>Receives plain text (blocking).</summary>
    /// <returns>The bytes received; 0 when the peer closed.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The socket failed, or its receive timeout passed.</exception>
    /// <exception cref="IOException">TLS failed.</exception>
    public abstract int Read(Span<byte> buffer);

    /// <summary>Encrypts and sends <paramref name="data"/> (blocking).</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The socket failed, or its send timeout passed.</exception>
    /// <exception cref="IOException">TLS failed.</exception>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <summary>Closes the session; the socket stays its owner's to close.</summary>
    public abstract void Dispose();
}
