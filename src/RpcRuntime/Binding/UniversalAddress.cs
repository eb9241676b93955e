using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NetRpc.Runtime.Binding;

/// <summary>
/// Universal addresses (RFC 5665 section 5.2.3), the text rpcbind versions 3 and 4 use for a transport address:
/// an IPv4 address <c>h1.h2.h3.h4.p1.p2</c>, an IPv6 address in its RFC 5952 text with <c>.p1.p2</c> after it,
/// the port being p1 × 256 + p2. Also the netids of RFC 5665 for TCP and UDP over IPv4 and IPv6.
/// </summary>
public static class UniversalAddress
{
    /// <summary>The universal address of an endpoint. An IPv4-mapped IPv6 address is written as IPv4.</summary>
    /// <param name="endPoint">The endpoint.</param>
    /// <returns>The universal address.</returns>
    public static string Format(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        return string.Create(CultureInfo.InvariantCulture, $"{address}.{endPoint.Port >> 8}.{endPoint.Port & 0xFF}");
    }

    /// <summary>Reads a universal address of IPv4 or IPv6: split at the last two dots.</summary>
    /// <param name="text">The universal address.</param>
    /// <param name="endPoint">The endpoint, when the text is one.</param>
    /// <returns>True when the text is a universal address of IPv4 or IPv6.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }

        int low = text.LastIndexOf('.');
        int high = low > 0 ? text.LastIndexOf('.', low - 1) : -1;
        if (high <= 0 ||
            !byte.TryParse(text.AsSpan(high + 1, low - high - 1), NumberStyles.None, CultureInfo.InvariantCulture, out byte p1) ||
            !byte.TryParse(text.AsSpan(low + 1), NumberStyles.None, CultureInfo.InvariantCulture, out byte p2) ||
            !IPAddress.TryParse(text.AsSpan(0, high), out IPAddress? address))
        {
            return false;
        }

        // IPAddress.TryParse also takes forms such as "10" or "1.2" for IPv4; a universal address has four parts.
        if (address.AddressFamily == AddressFamily.InterNetwork && text.AsSpan(0, high).Count('.') != 3)
        {
            return false;
        }

        endPoint = new IPEndPoint(address, (p1 << 8) | p2);
        return true;
    }

    /// <summary>Reads a universal address of IPv4 or IPv6.</summary>
    /// <param name="text">The universal address.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="FormatException">The text is not a universal address of IPv4 or IPv6.</exception>
    public static IPEndPoint Parse(string text) =>
        TryParse(text, out IPEndPoint? endPoint) ? endPoint : throw new FormatException($"'{text}' is not a universal address of IPv4 or IPv6 (h1.h2.h3.h4.p1.p2).");

    /// <summary>The netid of a transport over an address family: <c>tcp</c>, <c>udp</c>, <c>tcp6</c> or <c>udp6</c>.</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="family">InterNetwork or InterNetworkV6.</param>
    /// <returns>The netid.</returns>
    public static string NetId(RpcTransport transport, AddressFamily family) =>
        (transport == RpcTransport.Tcp ? "tcp" : "udp") + (family == AddressFamily.InterNetworkV6 ? "6" : string.Empty);

    /// <summary>The transport and address family of a netid; false for any other than tcp, udp, tcp6, udp6.</summary>
    /// <param name="netId">The netid.</param>
    /// <param name="transport">The transport.</param>
    /// <param name="family">The address family.</param>
    /// <returns>True for tcp, udp, tcp6 and udp6.</returns>
    public static bool TryParseNetId(string? netId, out RpcTransport transport, out AddressFamily family)
    {
        (bool known, transport, family) = netId switch
        {
            "tcp" => (true, RpcTransport.Tcp, AddressFamily.InterNetwork),
            "udp" => (true, RpcTransport.Udp, AddressFamily.InterNetwork),
            "tcp6" => (true, RpcTransport.Tcp, AddressFamily.InterNetworkV6),
            "udp6" => (true, RpcTransport.Udp, AddressFamily.InterNetworkV6),
            _ => (false, RpcTransport.Tcp, AddressFamily.Unspecified),
        };
        return known;
    }

    /// <summary>The portmapper's name for a transport (RFC 1833 section 3): its IP protocol number, IPPROTO_TCP 6 or IPPROTO_UDP 17.</summary>
    internal static uint PortmapperProtocol(RpcTransport transport) => transport == RpcTransport.Tcp ? 6u : 17u;

    /// <summary>The IPv4 netid of a portmapper protocol number (the only family version 2 knows); null for another number.</summary>
    internal static string? PortmapperNetId(uint protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        _ => null,
    };
}
