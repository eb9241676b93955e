using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Server;

/// <summary>
/// A caller on a local (AF_UNIX) stream socket of this host, as native rpcbind's /run/rpcbind.sock has them: the
/// kernel, not the caller, says which user it runs as, so a service may trust it where it would not trust a
/// credential from the network.
/// </summary>
/// <param name="UserId">The caller's user id (SO_PEERCRED), or null where the kernel would not say.</param>
public sealed record LocalPeer(uint? UserId)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Who is at the other end of an accepted socket; null for a network socket.</summary>
    internal static LocalPeer? Of(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Linux).
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            return OperatingSystem.IsLinux() && socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == credentials.Length
                ? new LocalPeer(MemoryMarshal.Read<uint>(credentials[4..]))
                : new LocalPeer((uint?)null);
        }
        catch (SocketException)
        {
            return new LocalPeer((uint?)null);
        }
    }
}
