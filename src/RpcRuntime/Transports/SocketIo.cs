using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Send and receive on sockets. On Linux they call libc's send, recv, sendto and recvfrom on the socket's
/// file descriptor: measured here, .NET's Socket.Send and Socket.Receive add 1.5 microseconds to a round trip
/// over the system calls themselves, a tenth of a whole RPC on loopback. The socket's handle is referenced for
/// the duration of each call, as .NET's own calls reference it, so a concurrent Dispose cannot close (and
/// reuse) the descriptor underneath; .NET unblocks the call with shutdown instead. Elsewhere, Socket is used, and so
/// it is on Linux when the environment variable <c>NETRPC_SOCKET_IO</c> is <c>managed</c> when the runtime first looks:
/// a benchmarking switch (bench/rpc-vs-native.sh, IO_PATHS=1) that also puts servers on the thread-per-connection
/// design, so that the libc and epoll paths are measured against .NET's own sockets in the same run.
/// </summary>
internal static unsafe partial class SocketIo
{
    private const int MsgTrunc = 0x20;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;

    // Linux errno values.
    private const int EAccess = 13;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EPipe = 32;
    private const int EMsgSize = 90;
    private const int EAddrNotAvail = 99;
    private const int ENetDown = 100;
    private const int ENetUnreach = 101;
    private const int ENoBufs = 105;
    private const int EConnAborted = 103;
    private const int EConnReset = 104;
    private const int ENotConn = 107;
    private const int ETimedOut = 110;
    private const int EConnRefused = 111;
    private const int EHostUnreach = 113;

    private static readonly bool s_direct = OperatingSystem.IsLinux()
        && !string.Equals(Environment.GetEnvironmentVariable("NETRPC_SOCKET_IO"), "managed", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the libc path (and with it the epoll server and non-blocking polls) is taken: Linux, unless switched off.</summary>
    public static bool IsDirect => s_direct;

    /// <summary>Receives into <paramref name="buffer"/>, waiting for data; returns 0 when the peer has closed.</summary>
    /// <exception cref="SocketException">The receive failed (<see cref="SocketError.TimedOut"/> when the socket's receive timeout passed).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Receive(Socket socket, Span<byte> buffer)
    {
        if (!s_direct)
        {
            return socket.Receive(buffer, SocketFlags.None);
        }

        using var descriptor = new Descriptor(socket.SafeHandle);
        fixed (byte* data = buffer)
        {
            nint received;
            while ((received = recv(descriptor.Fd, data, buffer.Length, 0)) < 0)
            {
                ThrowUnlessInterrupted();
            }

            return (int)received;
        }
    }

    /// <summary>Receives what a socket has now, without waiting (Linux only).</summary>
    /// <returns>The bytes received (0 when the peer closed), or -1 when nothing is there yet.</returns>
    /// <exception cref="SocketException">The receive failed.</exception>
    public static int TryReceive(SafeSocketHandle handle, Span<byte> buffer)
    {
        using var descriptor = new Descriptor(handle);
        fixed (byte* data = buffer)
        {
            nint received;
            while ((received = recv(descriptor.Fd, data, buffer.Length, MsgDontWait)) < 0)
            {
                if (ThrowUnlessInterrupted(allowAgain: true))
                {
                    return -1;
                }
            }

            return (int)received;
        }
    }

    /// <summary>Sends all of <paramref name="data"/>, waiting for room as needed (a datagram socket sends it as one datagram).</summary>
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

        using var descriptor = new Descriptor(socket.SafeHandle);
        fixed (byte* start = data)
        {
            for (int total = 0; total < data.Length;)
            {
                nint sent = send(descriptor.Fd, start + total, data.Length - total, MsgNoSignal);
                if (sent >= 0)
                {
                    total += (int)sent;
                }
                else
                {
                    ThrowUnlessInterrupted();
                }
            }
        }
    }

    /// <summary>Sends as much as a socket takes now, without waiting (Linux only).</summary>
    /// <returns>The bytes sent, possibly fewer than given (0 when the socket's buffer is full).</returns>
    /// <exception cref="SocketException">The send failed.</exception>
    public static int TrySend(SafeSocketHandle handle, ReadOnlySpan<byte> data)
    {
        using var descriptor = new Descriptor(handle);
        fixed (byte* start = data)
        {
            int total = 0;
            while (total < data.Length)
            {
                nint sent = send(descriptor.Fd, start + total, data.Length - total, MsgNoSignal | MsgDontWait);
                if (sent >= 0)
                {
                    total += (int)sent;
                }
                else if (ThrowUnlessInterrupted(allowAgain: true))
                {
                    break;
                }
            }

            return total;
        }
    }

    /// <summary>
    /// Sends as much of <paramref name="pieces"/>, in order, as a socket takes now, with one <c>sendmsg</c> per round
    /// rather than a copy into one buffer (Linux only): a reply around large data that stays where it lies.
    /// </summary>
    /// <param name="handle">The socket.</param>
    /// <param name="pieces">The bytes to send, in order; at most 64 pieces.</param>
    /// <returns>The bytes sent, possibly fewer than given (0 when the socket's buffer is full).</returns>
    /// <exception cref="SocketException">The send failed.</exception>
    public static long TrySendGathered(SafeSocketHandle handle, ReadOnlySpan<ReadOnlyMemory<byte>> pieces)
    {
        const int MaxPieces = 64; // the size of Pins
        if (pieces.Length > MaxPieces)
        {
            throw new ArgumentOutOfRangeException(nameof(pieces), pieces.Length, $"At most {MaxPieces} pieces are sent at once.");
        }

        using var descriptor = new Descriptor(handle);
        var pinned = default(Pins);
        Span<System.Buffers.MemoryHandle> pins = ((Span<System.Buffers.MemoryHandle>)pinned)[..pieces.Length];
        IoVector* vectors = stackalloc IoVector[pieces.Length];
        long total = 0;
        try
        {
            for (int i = 0; i < pieces.Length; i++)
            {
                pins[i] = pieces[i].Pin();
                vectors[i] = new IoVector { Base = pins[i].Pointer, Length = (nuint)pieces[i].Length };
                total += pieces[i].Length;
            }

            long sent = 0;
            int first = 0;
            while (sent < total)
            {
                var message = new MessageHeader { Vectors = vectors + first, VectorCount = (nuint)(pieces.Length - first) };
                nint result = sendmsg(descriptor.Fd, &message, MsgNoSignal | MsgDontWait);
                if (result < 0)
                {
                    if (ThrowUnlessInterrupted(allowAgain: true))
                    {
                        break;
                    }

                    continue;
                }

                sent += result;

                // Past the pieces sent whole; into the one sent in part.
                for (long left = result; left > 0;)
                {
                    long length = (long)vectors[first].Length;
                    if (left >= length)
                    {
                        left -= length;
                        first++;
                    }
                    else
                    {
                        vectors[first].Base = (byte*)vectors[first].Base + left;
                        vectors[first].Length -= (nuint)left;
                        left = 0;
                    }
                }
            }

            return sent;
        }
        finally
        {
            foreach (ref System.Buffers.MemoryHandle pin in pins)
            {
                pin.Dispose();
            }
        }
    }

    /// <summary>
    /// Receives one datagram and its sender's address (waiting within the socket's receive timeout); elsewhere
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

        using var descriptor = new Descriptor(socket.SafeHandle);
        Span<byte> address = from.Buffer.Span;
        fixed (byte* data = buffer)
        fixed (byte* sockaddr = address)
        {
            while (true)
            {
                int length = address.Length;
                nint received = recvfrom(descriptor.Fd, data, buffer.Length, MsgTrunc | (wait ? 0 : MsgDontWait), sockaddr, &length);
                if (received >= 0)
                {
                    from.Size = Math.Min(length, address.Length);
                    return (int)received;
                }

                if (ThrowUnlessInterrupted(allowAgain: !wait))
                {
                    return -1;
                }
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

        using var descriptor = new Descriptor(socket.SafeHandle);
        fixed (byte* data = datagram)
        fixed (byte* sockaddr = to.Buffer.Span)
        {
            while (sendto(descriptor.Fd, data, datagram.Length, MsgNoSignal, sockaddr, to.Size) < 0)
            {
                ThrowUnlessInterrupted();
            }
        }
    }

    /// <summary>
    /// Makes a socket's reads and writes block again. .NET never clears O_NONBLOCK once set (it emulates blocking on a
    /// socket that was non-blocking), so on the libc path the flag is cleared here: the socket of a connection an event
    /// loop hands over to a thread of its own is read with blocking calls from then on.
    /// </summary>
    /// <exception cref="SocketException">fcntl failed.</exception>
    public static void MakeBlocking(Socket socket)
    {
        if (!s_direct)
        {
            socket.Blocking = true;
            return;
        }

        using var descriptor = new Descriptor(socket.SafeHandle);
        int flags = fcntl(descriptor.Fd, FGetFl, 0);
        if (flags < 0 || ((flags & ONonBlock) != 0 && fcntl(descriptor.Fd, FSetFl, flags & ~ONonBlock) < 0))
        {
            throw new SocketException((int)ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>After a failed call: returns false on EINTR (call again), true on EAGAIN where allowed, and throws otherwise.</summary>
    private static bool ThrowUnlessInterrupted(bool allowAgain = false)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            EIntr => false,
            EAgain when allowAgain => true,
            _ => throw new SocketException((int)ToSocketError(errno)),
        };
    }

    private static SocketError ToSocketError(int errno) => errno switch
    {
        EAgain or ETimedOut => SocketError.TimedOut,
        EConnReset => SocketError.ConnectionReset,
        EPipe or ENotConn => SocketError.NotConnected,
        EConnAborted => SocketError.ConnectionAborted,
        EConnRefused => SocketError.ConnectionRefused,
        EMsgSize => SocketError.MessageSize,
        EAccess => SocketError.AccessDenied,
        EAddrNotAvail => SocketError.AddressNotAvailable,
        ENetDown => SocketError.NetworkDown,
        ENetUnreach => SocketError.NetworkUnreachable,
        EHostUnreach => SocketError.HostUnreachable,
        ENoBufs => SocketError.NoBufferSpaceAvailable,
        _ => SocketError.SocketError,
    };

    // fcntl's commands and the flag (Linux).
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendmsg(int fd, MessageHeader* message, int flags);

    /// <summary>Room for the pins of a gathered send's pieces, on the stack.</summary>
    [System.Runtime.CompilerServices.InlineArray(64)]
    private struct Pins
    {
        private System.Buffers.MemoryHandle _first;
    }

    /// <summary>Linux's <c>struct iovec</c>.</summary>
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>Linux's <c>struct msghdr</c>, for a connected socket (no address, no control data).</summary>
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvfrom(int fd, byte* buffer, nint length, int flags, byte* address, int* addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    /// <summary>A socket's descriptor, referenced (so that it cannot be closed and reused) until disposed.</summary>
    private readonly ref struct Descriptor
    {
        private readonly SafeSocketHandle _handle;
        private readonly bool _referenced;

        /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
        public Descriptor(SafeSocketHandle handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _referenced);
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_referenced)
            {
                _handle.DangerousRelease();
            }
        }
    }
}
