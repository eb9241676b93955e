using System.Net;
using System.Net.Sockets;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// libtirpc's bindresvport: binds a socket to a free port from 600 to 1023, the ones only a privileged process may
/// bind (root, or CAP_NET_BIND_SERVICE), skipping those /etc/bindresvport.blacklist keeps for other services (CUPS,
/// LDAPS, ...). Servers that trust only privileged callers (Linux knfsd's default "secure" exports, NFS-Ganesha with
/// PrivilegedPort) tell them apart by it.
/// </summary>
internal static class ReservedPorts
{
    /// <summary>libtirpc's STARTPORT and ENDPORT.</summary>
    public const int First = 600;
    public const int Last = 1023;

    private static readonly Lazy<HashSet<int>> s_blocked = new(ReadBlocklist);

    /// <summary>True when a port is one only a privileged process may bind (below 1024, IPPORT_RESERVED).</summary>
    public static bool IsReserved(int port) => port is > 0 and < 1024;

    /// <summary>
    /// Binds <paramref name="socket"/> to a reserved port of the wildcard address; the search starts at a random port,
    /// as libtirpc's starts at one derived from the process id, so that processes do not all try the same ones first.
    /// </summary>
    /// <returns>
    /// <see cref="SocketError.Success"/>, or why not: <see cref="SocketError.AccessDenied"/> (the process may not), or
    /// <see cref="SocketError.AddressAlreadyInUse"/> (every reserved port is taken).
    /// </returns>
    public static SocketError TryBind(Socket socket)
    {
        IPAddress any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        HashSet<int> blocked = s_blocked.Value;
        int count = Last - First + 1;
        int start = Random.Shared.Next(count);
        for (int i = 0; i < count; i++)
        {
            int port = First + ((start + i) % count);
            if (blocked.Contains(port))
            {
                continue;
            }

            try
            {
                socket.Bind(new IPEndPoint(any, port));
                return SocketError.Success;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // taken: the next one
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode; // no privilege (EACCES), or nothing of this family: no port will do
            }
        }

        return SocketError.AddressAlreadyInUse;
    }

    /// <summary>The ports /etc/bindresvport.blacklist names (one per line, # comments), read once; none without it.</summary>
    private static HashSet<int> ReadBlocklist()
    {
        var ports = new HashSet<int>();
        try
        {
            var file = new FileInfo("/etc/bindresvport.blacklist");
            if (!file.Exists || file.Length > 64 * 1024)
            {
                return ports;
            }

            foreach (string line in File.ReadLines(file.FullName))
            {
                string text = line.Split('#', 2)[0].Trim();
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port is >= First and <= Last)
                {
                    ports.Add(port);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // unreadable: every port is a candidate, as where the file does not exist
        }

        return ports;
    }
}
