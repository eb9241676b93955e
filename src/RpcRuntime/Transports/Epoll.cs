using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Linux epoll (epoll_create1, epoll_ctl, epoll_wait), for the server's event loops. struct epoll_event is
/// packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes), so events are read from a byte
/// buffer with the stride of the architecture rather than through a struct.
/// </summary>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CtlMod = 3;
    private const int CloExec = 0x80000;
    private const int EIntr = 4;

    /// <summary>The size of one struct epoll_event.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    public static int Create()
    {
        int fd = epoll_create1(CloExec);
        if (fd < 0)
        {
            throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }

        return fd;
    }

    public static void Add(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlAdd, fd, events, data);

    public static void Modify(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlMod, fd, events, data);

    public static void Remove(int epoll, int fd) => Control(epoll, CtlDel, fd, 0, 0);

    /// <summary>Waits for events; returns how many were written to <paramref name="events"/> (0 on timeout).</summary>
    public static int Wait(int epoll, Span<byte> events, int timeoutMilliseconds)
    {
        fixed (byte* buffer = events)
        {
            while (true)
            {
                int count = epoll_wait(epoll, buffer, events.Length / EventSize, timeoutMilliseconds);
                if (count >= 0)
                {
                    return count;
                }

                if (Marshal.GetLastPInvokeError() != EIntr)
                {
                    throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
                }
            }
        }
    }

    public static (uint Events, ulong Data) Read(ReadOnlySpan<byte> events, int index)
    {
        ReadOnlySpan<byte> entry = events.Slice(index * EventSize, EventSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt64LittleEndian(entry[(EventSize - 8)..]));
    }

    public static void Close(int epoll) => close(epoll);

    private static void Control(int epoll, int operation, int fd, uint events, ulong data)
    {
        byte* entry = stackalloc byte[16];
        new Span<byte>(entry, 16).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(entry, 4), events);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(entry + (EventSize - 8), 8), data);
        if (epoll_ctl(epoll, operation, fd, entry) < 0)
        {
            throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int fd, byte* @event);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
