using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>RFC 5665 universal addresses: the port's two bytes in decimal after the address text.</summary>
public class UniversalAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", 111, "127.0.0.1.0.111")]
    [InlineData("0.0.0.0", 2049, "0.0.0.0.8.1")]
    [InlineData("::", 111, "::.0.111")]
    [InlineData("::1", 65535, "::1.255.255")]
    [InlineData("fe80::1:2", 256, "fe80::1:2.1.0")]
    public void Formats_and_parses_ipv4_and_ipv6(string address, int port, string universal)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        Assert.Equal(universal, UniversalAddress.Format(endPoint));
        Assert.True(UniversalAddress.TryParse(universal, out IPEndPoint? parsed));
        Assert.Equal(endPoint, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1.0")]
    [InlineData("127.0.0.1.256.1")]
    [InlineData("127.0.0.1.1.-1")]
    [InlineData("127.0.0.1. 1.1")]
    [InlineData("localhost.0.111")]
    [InlineData("1.2.3.4.5.6.7")]
    [InlineData("/run/rpcbind.sock")]
    public void Refuses_what_is_not_one(string text) => Assert.False(UniversalAddress.TryParse(text, out _));

    [Theory]
    [InlineData(RpcTransport.Tcp, AddressFamily.InterNetwork, "tcp")]
    [InlineData(RpcTransport.Udp, AddressFamily.InterNetwork, "udp")]
    [InlineData(RpcTransport.Tcp, AddressFamily.InterNetworkV6, "tcp6")]
    [InlineData(RpcTransport.Udp, AddressFamily.InterNetworkV6, "udp6")]
    public void Netids_name_transport_and_family(RpcTransport transport, AddressFamily family, string netId)
    {
        Assert.Equal(netId, UniversalAddress.NetId(transport, family));
        Assert.True(UniversalAddress.TryParseNetId(netId, out RpcTransport parsedTransport, out AddressFamily parsedFamily));
        Assert.Equal((transport, family), (parsedTransport, parsedFamily));
    }
}
