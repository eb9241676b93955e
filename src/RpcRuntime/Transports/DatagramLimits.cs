using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>What a UDP socket can carry and hold: the largest payload per address family, and its kernel buffers.</summary>
internal static class DatagramLimits
{
    /// <summary>65,535 bytes of IPv4 datagram less its 20-byte header and UDP's 8.</summary>
    public const int MaxIPv4Payload = 65_507;

    /// <summary>65,535 bytes of IPv6 payload less UDP's 8-byte header (jumbograms aside).</summary>
    public const int MaxIPv6Payload = 65_527;

    // SO_SNDBUFFORCE and SO_RCVBUFFORCE (Linux): as SO_SNDBUF and SO_RCVBUF, past net.core.*mem_max, with CAP_NET_ADMIN.
    private const int SolSocket = 1;
    private const int SoSndBufForce = 32;
    private const int SoRcvBufForce = 33;

    /// <summary>The largest UDP payload to or from an address of <paramref name="family"/>; an IPv6 socket may carry IPv4 peers.</summary>
    public static int MaxPayload(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? MaxIPv6Payload : MaxIPv4Payload;

    /// <summary>Throws when <paramref name="size"/> is no datagram size UDP can carry to or from <paramref name="family"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static void Validate(int size, AddressFamily family, string option)
    {
        int max = MaxPayload(family);
        if (size < 64 || size > max)
        {
            throw new ArgumentOutOfRangeException(option, size, $"{option} must be between 64 and {max} bytes, the largest UDP payload over {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")}.");
        }
    }

    /// <summary>
    /// Sizes a socket's buffers (null: the system's default). Where the kernel caps a size at its maximum
    /// (net.core.rmem_max, wmem_max) and the process may pass it (CAP_NET_ADMIN), the forcing option is used.
    /// </summary>
    public static void SizeBuffers(Socket socket, int? receive, int? send)
    {
        if (receive is int r)
        {
            socket.ReceiveBufferSize = r;
            Force(socket, SoRcvBufForce, r, socket.ReceiveBufferSize);
        }

        if (send is int s)
        {
            socket.SendBufferSize = s;
            Force(socket, SoSndBufForce, s, socket.SendBufferSize);
        }
    }

    private static void Force(Socket socket, int option, int wanted, int granted)
    {
        // Linux reports twice what was set (the kernel's bookkeeping): less than that means it was capped.
        if (!OperatingSystem.IsLinux() || granted >= wanted)
        {
            return;
        }

        try
        {
            Span<byte> value = stackalloc byte[4];
            BitConverter.TryWriteBytes(value, wanted);
            socket.SetRawSocketOption(SolSocket, option, value);
        }
        catch (SocketException)
        {
            // Not permitted: the capped size stands, as it would for a C program.
        }
    }
}
