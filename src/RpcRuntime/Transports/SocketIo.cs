using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Blocking send and receive on a stream socket. On Linux they call libc's send and recv on the socket's file
/// descriptor: measured here, .NET's Socket.Send and Socket.Receive add 1.5 microseconds to a round trip over
/// the system calls themselves, a tenth of a whole RPC on loopback. The socket's handle is referenced for the
/// duration of each call, as .NET's own calls reference it, so a concurrent Dispose cannot close (and reuse)
/// the descriptor underneath; .NET unblocks the call with shutdown instead. Elsewhere, Socket is used.
/// </summary>
internal static unsafe partial class SocketIo
{
    private const int MsgDontWait = 0x40;
    private const int MsgTrunc = 0x20;
    private const int MsgNoSignal = 0x4000;

    // Linux errno values.
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EPipe = 32;
    private const int EConnAborted = 103;
    private const int EConnReset = 104;
    private const int ENotConn = 107;
    private const int ETimedOut = 110;
    private const int EMsgSize = 90;
    private const int EConnRefused = 111;

    private static readonly bool s_direct = OperatingSystem.IsLinux();

    /// <summary>Receives into <paramref name="buffer"/>; returns 0 when the peer has closed.</summary>
    /// <exception cref="SocketException">The receive failed (<see cref="SocketError.TimedOut"/> when the socket's receive timeout passed).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Receive(Socket socket, Span<byte> buffer)
    {
        if (!s_direct)
        {
            return socket.Receive(buffer, SocketFlags.None);
        }

        SafeSocketHandle handle = socket.SafeHandle;
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    nint received = recv(fd, data, buffer.Length, 0);
                    if (received >= 0)
                    {
                        return (int)received;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    /// <exception cref="SocketException">The send failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        if (!s_direct)
        {
            while (!data.IsEmpty)
            {
                data = data[socket.Send(data, SocketFlags.None)..];
            }

            return;
        }

        SafeSocketHandle handle = socket.SafeHandle;
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            fixed (byte* start = data)
            {
                byte* next = start;
                nint left = data.Length;
                while (left > 0)
                {
                    nint sent = send(fd, next, left, MsgNoSignal);
                    if (sent >= 0)
                    {
                        next += sent;
                        left -= sent;
                        continue;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Whether the libc fast path (and with it the epoll server) is available: Linux.</summary>
    public static bool IsDirect => s_direct;

    /// <summary>Receives what a socket has now, without waiting (Linux only).</summary>
    /// <returns>The bytes received (0 when the peer closed), or -1 when nothing is there yet.</returns>
    /// <exception cref="SocketException">The receive failed.</exception>
    public static int TryReceive(SafeSocketHandle handle, Span<byte> buffer)
    {
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    nint received = recv(fd, data, buffer.Length, MsgDontWait);
                    if (received >= 0)
                    {
                        return (int)received;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EAgain)
                    {
                        return -1;
                    }

                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Sends as much as a socket takes now, without waiting (Linux only).</summary>
    /// <returns>The bytes sent, possibly fewer than given (0 when the socket's buffer is full).</returns>
    /// <exception cref="SocketException">The send failed.</exception>
    public static int TrySend(SafeSocketHandle handle, ReadOnlySpan<byte> data)
    {
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            fixed (byte* start = data)
            {
                int total = 0;
                while (total < data.Length)
                {
                    nint sent = send(fd, start + total, data.Length - total, MsgNoSignal | MsgDontWait);
                    if (sent >= 0)
                    {
                        total += (int)sent;
                        continue;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EAgain)
                    {
                        break;
                    }

                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }

                return total;
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one datagram and its sender's address (blocking, within the socket's receive timeout); elsewhere
    /// than Linux through <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, SocketAddress)"/>.
    /// </summary>
    /// <param name="socket">The socket.</param>
    /// <param name="buffer">Where the datagram goes; a longer one is cut short, and its full length returned.</param>
    /// <param name="from">Receives the sender's address.</param>
    /// <param name="wait">False: return -1 at once when no datagram is there (Linux only).</param>
    /// <returns>The datagram's length (possibly more than <paramref name="buffer"/> holds), or -1.</returns>
    /// <exception cref="SocketException">The receive failed (<see cref="SocketError.TimedOut"/> when the receive timeout passed).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int ReceiveFrom(Socket socket, Span<byte> buffer, SocketAddress from, bool wait = true)
    {
        if (!s_direct)
        {
            return socket.ReceiveFrom(buffer, SocketFlags.None, from);
        }

        SafeSocketHandle handle = socket.SafeHandle;
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            Span<byte> address = from.Buffer.Span;
            fixed (byte* data = buffer)
            fixed (byte* sockaddr = address)
            {
                while (true)
                {
                    int length = address.Length;
                    nint received = recvfrom(fd, data, buffer.Length, MsgTrunc | (wait ? 0 : MsgDontWait), sockaddr, &length);
                    if (received >= 0)
                    {
                        from.Size = Math.Min(length, address.Length);
                        return (int)received;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EAgain && !wait)
                    {
                        return -1;
                    }

                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Sends one datagram to <paramref name="to"/>.</summary>
    /// <exception cref="SocketException">The send failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static void SendTo(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (!s_direct)
        {
            socket.SendTo(datagram, SocketFlags.None, to);
            return;
        }

        SafeSocketHandle handle = socket.SafeHandle;
        bool referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            int fd = (int)handle.DangerousGetHandle();
            fixed (byte* data = datagram)
            fixed (byte* sockaddr = to.Buffer.Span)
            {
                while (sendto(fd, data, datagram.Length, MsgNoSignal, sockaddr, to.Size) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EIntr)
                    {
                        throw new SocketException((int)ToSocketError(errno));
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static SocketError ToSocketError(int errno) => errno switch
    {
        EAgain or ETimedOut => SocketError.TimedOut,
        EConnReset => SocketError.ConnectionReset,
        EPipe or ENotConn => SocketError.NotConnected,
        EConnAborted => SocketError.ConnectionAborted,
        EConnRefused => SocketError.ConnectionRefused,
        EMsgSize => SocketError.MessageSize,
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvfrom(int fd, byte* buffer, nint length, int flags, byte* address, int* addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nint length, int flags);
}
