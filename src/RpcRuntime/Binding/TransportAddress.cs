using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetRpc.Runtime.Binding;

/// <summary>
/// The transports native rpcbind serves, by netid (Debian's /etc/netconfig: <c>udp tcp udp6 tcp6</c>, and <c>local</c>
/// for its AF_UNIX socket), and what <c>/etc/netconfig</c> says of each in GETADDRLIST's answers.
/// </summary>
internal static class Netconfig
{
    /// <summary>The netid of rpcbind's local (AF_UNIX) socket, and of a call that arrives on it.</summary>
    public const string Local = "local";

    /// <summary>The address family of a netid (its nc_protofmly: inet, inet6, loopback); null for one rpcbind cannot serve.</summary>
    public static AddressFamily? FamilyOf(string netId) => netId switch
    {
        "tcp" or "udp" => AddressFamily.InterNetwork,
        "tcp6" or "udp6" => AddressFamily.InterNetworkV6,
        Local => AddressFamily.Unix,
        _ => null,
    };

    /// <summary>A GETADDRLIST entry: the address, and the netid's semantics, protocol family and protocol from /etc/netconfig.</summary>
    public static RpcbEntry Describe(string netId, string address)
    {
        bool datagram = netId is "udp" or "udp6";
        return new RpcbEntry
        {
            Address = address,
            Netid = netId,
            Semantics = datagram ? 1u : 3u, // NC_TPI_CLTS, NC_TPI_COTS_ORD
            ProtocolFamily = FamilyOf(netId) switch { AddressFamily.InterNetwork => "inet", AddressFamily.InterNetworkV6 => "inet6", _ => "loopback" },
            Protocol = netId == Local ? "-" : datagram ? "udp" : "tcp",
        };
    }
}

/// <summary>
/// A transport's own address (the host's sockaddr) and its universal address, converted as libtirpc 1.3.3 converts them
/// (<c>uaddr2taddr</c>, <c>taddr2uaddr</c>) for a transport's address family: what native rpcbind answers to
/// UADDR2TADDR and TADDR2UADDR, and how it reads the addresses it merges in GETADDR. Observed, docs/rpcbind.md:
/// the family is the transport's, never the one written in the bytes; a universal address's port is read as C's
/// atoi reads it; a local (AF_UNIX) address is a path.
/// </summary>
internal static class TransportAddress
{
    /// <summary>sizeof(struct sockaddr_in), sockaddr_in6 and sockaddr_un on Linux.</summary>
    private const int Inet4Size = 16;
    private const int Inet6Size = 28;
    private const int UnixSize = 110;

    /// <summary>sun_path's size less its terminating NUL: the longest path strncpy keeps.</summary>
    private const int MaxPathBytes = UnixSize - 2 - 1;

    /// <summary>The longest text inet_pton can take for an address (INET6_ADDRSTRLEN less its NUL).</summary>
    private const int MaxAddressText = 45;

    /// <summary>UADDR2TADDR: the sockaddr (in Linux's layout) of a universal address on a transport of <paramref name="family"/>; empty when it is none.</summary>
    public static Netbuf FromUniversal(AddressFamily family, string universal)
    {
        string text = CString(universal);
        if (family == AddressFamily.Unix)
        {
            if (!text.StartsWith('/') && !TrySplitPort(text, out text, out _))
            {
                return new Netbuf();
            }

            byte[] path = Encoding.UTF8.GetBytes(text);
            byte[] sun = new byte[2 + Math.Min(path.Length, MaxPathBytes)];
            BinaryPrimitives.WriteUInt16LittleEndian(sun, 1); // AF_LOCAL
            path.AsSpan(0, sun.Length - 2).CopyTo(sun.AsSpan(2));
            return new Netbuf { Maxlen = UnixSize, Buf = sun };
        }

        return TryParse(family, text, out IPAddress? address, out ushort port) ? new Netbuf { Maxlen = (uint)SockaddrSize(family), Buf = Sockaddr(address, port) } : new Netbuf();
    }

    /// <summary>TADDR2UADDR: the universal address of a sockaddr read in the layout of <paramref name="family"/>, whatever family its bytes name; empty when it is too short.</summary>
    public static string ToUniversal(AddressFamily family, byte[] sockaddr)
    {
        switch (family)
        {
            case AddressFamily.InterNetwork when sockaddr.Length >= Inet4Size:
                return Format(new IPAddress(sockaddr.AsSpan(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(sockaddr.AsSpan(2)));
            case AddressFamily.InterNetworkV6 when sockaddr.Length >= Inet6Size:
                return Format(new IPAddress(sockaddr.AsSpan(8, 16)), BinaryPrimitives.ReadUInt16BigEndian(sockaddr.AsSpan(2)));
            case AddressFamily.Unix when sockaddr.Length >= 2:
                ReadOnlySpan<byte> path = sockaddr.AsSpan(2);
                int end = path.IndexOf((byte)0);
                return Encoding.UTF8.GetString(end < 0 ? path : path[..end]);
            default:
                return string.Empty;
        }
    }

    /// <summary>
    /// uaddr2taddr for IPv4 or IPv6: the address before the last two dots, as inet_pton takes it (four decimal parts
    /// without leading zeros for IPv4), and the port from the two parts after them as atoi reads each (so <c>a</c> is
    /// 0 and <c>300</c> overflows into the next byte); false when there are not two dots or the address is not one.
    /// </summary>
    public static bool TryParse(AddressFamily family, string universal, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address, out ushort port)
    {
        address = null;
        if (!TrySplitPort(CString(universal), out string host, out port) || host.Length > MaxAddressText)
        {
            return false;
        }

        address = family switch
        {
            AddressFamily.InterNetwork => ParseIPv4(host),
            AddressFamily.InterNetworkV6 => ParseIPv6(host),
            _ => null,
        };
        return address is not null;
    }

    /// <summary>The universal address of an IPv4 or IPv6 address and port, as taddr2uaddr writes it (inet_ntop's text: IPv4-mapped IPv6 stays IPv6).</summary>
    public static string Format(IPAddress address, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{(address.AddressFamily == AddressFamily.InterNetworkV6 ? Ipv6Text(address.GetAddressBytes()) : address.ToString())}.{(port >> 8) & 0xFF}.{port & 0xFF}");

    /// <summary>
    /// The port of a universal address as native rpcbind's portmapper reads it (uaddr2port: atoi of the part before the
    /// last dot times 256, plus atoi of the part after it, in C's int, then 32 bits on the wire); null without two dots.
    /// </summary>
    public static uint? PortmapperPort(string universal)
    {
        string text = CString(universal);
        int low = text.LastIndexOf('.');
        int high = low > 0 ? text.LastIndexOf('.', low - 1) : -1;
        if (high < 0)
        {
            return null;
        }

        return unchecked((uint)((Atoi(text.AsSpan(high + 1, low - high - 1)) * 256) + Atoi(text.AsSpan(low + 1))));
    }

    /// <summary>The text as C sees it: up to its first NUL.</summary>
    private static string CString(string text) => text.IndexOf('\0') is int nul and >= 0 ? text[..nul] : text;

    /// <summary>Splits <c>host.p1.p2</c> at its last two dots; the port is (atoi(p1) &lt;&lt; 8 | atoi(p2)) in 16 bits, as libtirpc computes it.</summary>
    private static bool TrySplitPort(string text, out string host, out ushort port)
    {
        host = text;
        port = 0;
        int low = text.LastIndexOf('.');
        int high = low > 0 ? text.LastIndexOf('.', low - 1) : -1;
        if (low < 0 || high < 0)
        {
            return false;
        }

        uint value = unchecked(((uint)Atoi(text.AsSpan(high + 1, low - high - 1)) << 8) | (uint)Atoi(text.AsSpan(low + 1)));
        port = (ushort)value;
        host = text[..high];
        return true;
    }

    /// <summary>C's atoi as glibc has it, (int)strtol(s, NULL, 10): spaces, a sign, digits up to the first other character, saturated at 64 bits, then cut to 32.</summary>
    private static int Atoi(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        ulong magnitude = 0;
        ulong limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            ulong digit = (ulong)(text[i] - '0');
            magnitude = magnitude > (limit - digit) / 10 ? limit : (magnitude * 10) + digit;
        }

        long value = negative ? unchecked((long)(0 - magnitude)) : (long)magnitude;
        return unchecked((int)value);
    }

    /// <summary>glibc's inet_pton for IPv4: exactly four decimal parts of at most 255, none with a leading zero.</summary>
    private static IPAddress? ParseIPv4(string text)
    {
        Span<byte> bytes = stackalloc byte[4];
        int octets = 0;
        bool sawDigit = false;
        foreach (char c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (sawDigit && bytes[octets - 1] == 0)
                {
                    return null;
                }

                if (!sawDigit)
                {
                    if (++octets > 4)
                    {
                        return null;
                    }

                    bytes[octets - 1] = 0;
                    sawDigit = true;
                }

                int value = (bytes[octets - 1] * 10) + (c - '0');
                if (value > 255)
                {
                    return null;
                }

                bytes[octets - 1] = (byte)value;
            }
            else if (c == '.' && sawDigit && octets < 4)
            {
                sawDigit = false;
            }
            else
            {
                return null;
            }
        }

        return octets == 4 && sawDigit ? new IPAddress(bytes) : null;
    }

    /// <summary>inet_pton for IPv6: hexadecimal groups and colons, perhaps ending in dotted IPv4; no scope, no brackets.</summary>
    private static IPAddress? ParseIPv6(string text)
    {
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.')
            {
                return null;
            }
        }

        return IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? address : null;
    }

    private static int SockaddrSize(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? Inet6Size : Inet4Size;

    /// <summary>struct sockaddr_in or sockaddr_in6 as Linux lays it out: family (host order), port (network order), address.</summary>
    private static byte[] Sockaddr(IPAddress address, ushort port)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        byte[] sockaddr = new byte[v6 ? Inet6Size : Inet4Size];
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, v6 ? (ushort)10 : (ushort)2);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr.AsSpan(2), port);
        address.GetAddressBytes().CopyTo(sockaddr.AsSpan(v6 ? 8 : 4));
        return sockaddr;
    }

    /// <summary>glibc's inet_ntop for IPv6: the longest run of two or more zero groups (the first of equals) as ::, and IPv4 written as such after ::ffff: or 96 zero bits.</summary>
    private static string Ipv6Text(ReadOnlySpan<byte> bytes)
    {
        Span<ushort> words = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
        }

        (int bestBase, int bestLength) = (-1, 0);
        for (int i = 0; i < 8;)
        {
            int run = 0;
            while (i + run < 8 && words[i + run] == 0)
            {
                run++;
            }

            if (run > bestLength)
            {
                (bestBase, bestLength) = (i, run);
            }

            i += Math.Max(run, 1);
        }

        if (bestLength < 2)
        {
            bestBase = -1;
        }

        var text = new StringBuilder(46);
        for (int i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase)
                {
                    text.Append(':');
                }

                continue;
            }

            if (i != 0)
            {
                text.Append(':');
            }

            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xFFFF)))
            {
                text.Append(CultureInfo.InvariantCulture, $"{bytes[12]}.{bytes[13]}.{bytes[14]}.{bytes[15]}");
                return text.ToString();
            }

            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (bestBase >= 0 && bestBase + bestLength == 8)
        {
            text.Append(':');
        }

        return text.ToString();
    }
}
