using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Transports;

/// <summary>One address of one of this host's interfaces, as getifaddrs lists it.</summary>
/// <param name="Address">The address (an IPv6 one with its scope).</param>
/// <param name="Mask">The netmask's bytes, as long as the address's; null where there is none.</param>
/// <param name="IsUp">IFF_UP.</param>
/// <param name="IsLoopbackOrPointToPoint">IFF_LOOPBACK or IFF_POINTOPOINT: the kinds native rpcbind likes least.</param>
/// <param name="Broadcast">The IPv4 broadcast address of an interface that has one (IFF_BROADCAST), else null.</param>
internal sealed record HostInterface(IPAddress Address, byte[]? Mask, bool IsUp, bool IsLoopbackOrPointToPoint, IPAddress? Broadcast = null);

/// <summary>
/// This host's interface addresses, in getifaddrs's order, which native rpcbind walks to choose the address it
/// answers with (addrmerge, see <see cref="Binding.RpcbindCore.Merge"/>).
/// </summary>
internal static partial class HostInterfaces
{
    private const uint IffUp = 0x1;
    private const uint IffBroadcast = 0x2;
    private const uint IffLoopback = 0x8;
    private const uint IffPointToPoint = 0x10;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>Every IPv4 and IPv6 interface address now.</summary>
    public static IReadOnlyList<HostInterface> Current()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return FromGetifaddrs();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc's layout after all: what .NET says of the interfaces is close enough.
            }
        }

        return FromNetworkInformation();
    }

    private static unsafe List<HostInterface> FromGetifaddrs()
    {
        var found = new List<HostInterface>();
        if (getifaddrs(out IfAddrs* list) != 0)
        {
            return found;
        }

        try
        {
            for (IfAddrs* entry = list; entry is not null; entry = entry->Next)
            {
                if (entry->Address == 0 || ReadAddress(entry->Address) is not { } address)
                {
                    continue;
                }

                byte[]? mask = entry->Netmask == 0 ? null : ReadAddress(entry->Netmask) is { } m && m.AddressFamily == address.AddressFamily ? m.GetAddressBytes() : null;
                IPAddress? broadcast = (entry->Flags & IffBroadcast) != 0 && address.AddressFamily == AddressFamily.InterNetwork && entry->Destination != 0
                    ? ReadAddress(entry->Destination) : null;
                found.Add(new HostInterface(address, mask, (entry->Flags & IffUp) != 0, (entry->Flags & (IffLoopback | IffPointToPoint)) != 0, broadcast));
            }
        }
        finally
        {
            freeifaddrs(list);
        }

        return found;
    }

    /// <summary>The IPv4 or IPv6 address in a struct sockaddr (Linux: sa_family in host order, then sockaddr_in or sockaddr_in6).</summary>
    private static unsafe IPAddress? ReadAddress(nint sockaddr)
    {
        ushort family = *(ushort*)sockaddr;
        if (family == AfInet)
        {
            return new IPAddress(new ReadOnlySpan<byte>((byte*)sockaddr + 4, 4));
        }

        if (family == AfInet6)
        {
            uint scope = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>((byte*)sockaddr + 24, 4));
            return new IPAddress(new ReadOnlySpan<byte>((byte*)sockaddr + 8, 16), scope);
        }

        return null;
    }

    private static List<HostInterface> FromNetworkInformation()
    {
        var found = new List<HostInterface>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            bool up = nic.OperationalStatus is not OperationalStatus.Down;
            bool lesser = nic.NetworkInterfaceType is NetworkInterfaceType.Loopback or NetworkInterfaceType.Ppp or NetworkInterfaceType.Tunnel;
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                byte[] mask = PrefixMask(unicast.Address.AddressFamily, unicast.PrefixLength);
                IPAddress? broadcast = null;
                if (!lesser && unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    // Where the flags are not to be had: an IPv4 network's broadcast address is its address with every host bit set.
                    byte[] bytes = unicast.Address.GetAddressBytes();
                    for (int i = 0; i < 4; i++)
                    {
                        bytes[i] |= (byte)~mask[i];
                    }

                    broadcast = new IPAddress(bytes);
                }

                found.Add(new HostInterface(unicast.Address, mask, up, lesser, broadcast));
            }
        }

        return found;
    }

    private static byte[] PrefixMask(AddressFamily family, int prefixLength)
    {
        byte[] mask = new byte[family == AddressFamily.InterNetworkV6 ? 16 : 4];
        for (int bit = 0; bit < Math.Min(prefixLength, mask.Length * 8); bit++)
        {
            mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return mask;
    }

    /// <summary>struct ifaddrs (glibc): next, name, flags, addr, netmask, broadaddr or dstaddr, data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IfAddrs
    {
        public IfAddrs* Next;
        public nint Name;
        public uint Flags;
        public nint Address;
        public nint Netmask;
        public nint Destination;
        public nint Data;
    }

    [LibraryImport("libc")]
    private static unsafe partial int getifaddrs(out IfAddrs* list);

    [LibraryImport("libc")]
    private static unsafe partial void freeifaddrs(IfAddrs* list);
}
