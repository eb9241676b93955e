using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Transports;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// Native rpcbind 1.2.6's answers, observed in a namespace (docs/rpcbind.md), as vectors: UADDR2TADDR and TADDR2UADDR
/// by the family of the transport asked on, and the address merge GETADDR answers with.
/// </summary>
public class TransportAddressTests
{
    [Theory]
    [InlineData("127.0.0.1.0.111", "0200006f7f0000010000000000000000")]
    [InlineData("127.0.0.1.1.2", "020001027f0000010000000000000000")]
    [InlineData("127.0.0.1.300.1", "02002c017f0000010000000000000000")] // 300 << 8 spills out of 16 bits
    [InlineData("127.0.0.1.a.b", "020000007f0000010000000000000000")] // atoi("a") is 0
    [InlineData("127.0.0.1.-1.5", "0200ff057f0000010000000000000000")]
    [InlineData("127.0.0.1. 7.+8", "020007087f0000010000000000000000")]
    [InlineData("127.0.0.1.70000.1", "020070017f0000010000000000000000")]
    [InlineData("127.0.0.1.1.99999999999", "0200e7ff7f0000010000000000000000")]
    [InlineData("1.2.3.4.5", "")]
    [InlineData("127.1.0.1", "")]
    [InlineData("0127.0.0.1.1.1", "")] // inet_pton takes no leading zero
    [InlineData("::1.0.111", "")]
    [InlineData("/run/rpcbind.sock", "")]
    [InlineData("junk", "")]
    public void Uaddr2taddr_over_ipv4_reads_the_port_as_atoi_does(string universal, string sockaddr) =>
        Assert.Equal(sockaddr, Convert.ToHexStringLower(TransportAddress.FromUniversal(AddressFamily.InterNetwork, universal).Buf));

    [Theory]
    [InlineData("/run/rpcbind.sock", "01002f72756e2f72706362696e642e736f636b")]
    [InlineData("127.0.0.1.0.111", "01003132372e302e302e31")] // not a path: the port is cut off, the rest is the path
    [InlineData("1.2.3.4.5", "0100312e322e33")]
    [InlineData(".1.2", "0100")]
    [InlineData("@abc", "")]
    [InlineData("a.b", "")]
    public void Uaddr2taddr_over_the_local_socket_makes_a_path(string universal, string sockaddr)
    {
        Netbuf taddr = TransportAddress.FromUniversal(AddressFamily.Unix, universal);
        Assert.Equal(sockaddr, Convert.ToHexStringLower(taddr.Buf));
        Assert.Equal(sockaddr.Length == 0 ? 0u : 110u, taddr.Maxlen);
    }

    [Theory]
    [InlineData(AddressFamily.Unix, "01002f72756e2f72706362696e642e736f636b00", "/run/rpcbind.sock")]
    [InlineData(AddressFamily.Unix, "01002f72756e2f78", "/run/x")]
    [InlineData(AddressFamily.Unix, "0200006f7f0000010000000000000000", "")] // read as a path: it starts with a NUL
    [InlineData(AddressFamily.Unix, "0100", "")]
    [InlineData(AddressFamily.Unix, "01", "")]
    [InlineData(AddressFamily.InterNetwork, "0200006f7f0000010000000000000000", "127.0.0.1.0.111")]
    [InlineData(AddressFamily.InterNetwork, "01002f72756e2f72706362696e642e736f636b00", "117.110.47.114.47.114")] // a path read as sockaddr_in
    [InlineData(AddressFamily.InterNetwork, "0200006f7f000001000000000000", "")] // 15 bytes: too short
    [InlineData(AddressFamily.InterNetworkV6, "0200006f7f0000010000000000000000", "")]
    [InlineData(AddressFamily.InterNetworkV6, "0a00006f000000000000000000000000000000000000000100000000", "::1.0.111")]
    [InlineData(AddressFamily.InterNetworkV6, "0a000101000000000000000000000000ffff0a01020300000000", "")]
    [InlineData(AddressFamily.InterNetworkV6, "0a0001010000000000000000000000000000ffff0a01020300000000", "::ffff:10.1.2.3.1.1")]
    public void Taddr2uaddr_reads_the_bytes_in_the_layout_of_the_transport_asked_on(AddressFamily family, string sockaddr, string universal) =>
        Assert.Equal(universal, TransportAddress.ToUniversal(family, Convert.FromHexString(sockaddr)));

    [Theory]
    [InlineData("0.0.0.0.4.1", 1025u)]
    [InlineData("1.2.3.4.300.1", 76801u)] // the portmapper's port is not cut to 16 bits
    [InlineData("junk.a.b", 0u)]
    public void The_portmappers_port_is_read_as_uaddr2port_reads_it(string universal, uint port) =>
        Assert.Equal(port, TransportAddress.PortmapperPort(universal));

    [Fact]
    public void Getaddr_answers_with_the_interface_nearest_the_hint_or_the_caller_and_the_registered_port()
    {
        HostInterface[] interfaces =
        [
            new(IPAddress.Loopback, [255, 0, 0, 0], IsUp: true, IsLoopbackOrPointToPoint: true),
            new(IPAddress.Parse("10.231.0.1"), [255, 255, 255, 0], IsUp: true, IsLoopbackOrPointToPoint: false),
            new(IPAddress.Parse("192.168.9.1"), [255, 255, 255, 0], IsUp: false, IsLoopbackOrPointToPoint: false),
        ];
        var core = new RpcbindCore(new RpcbindRegistry(64, 64, 0), new RpcbindServerOptions(), () => interfaces);
        core.Serve(["tcp", "udp", "local"]);
        var loopback = new Caller(new IPEndPoint(IPAddress.Loopback, 40000), RpcTransport.Tcp);
        var remote = new Caller(new IPEndPoint(IPAddress.Parse("10.231.0.2"), 40000), RpcTransport.Udp);
        var local = new Caller(new IPEndPoint(IPAddress.Loopback, 0), RpcTransport.Tcp, new LocalPeer(0u));

        Assert.Equal("127.0.0.1.4.1", core.Merge(loopback, "tcp", "0.0.0.0.4.1", hint: null));
        Assert.Equal("127.0.0.1.4.3", core.Merge(loopback, "tcp", "10.1.2.3.4.3", hint: null)); // any address, not only 0.0.0.0
        Assert.Equal("10.231.0.1.4.1", core.Merge(remote, "udp", "0.0.0.0.4.1", hint: null));
        Assert.Equal("10.231.0.1.4.1", core.Merge(loopback, "tcp", "0.0.0.0.4.1", hint: "10.231.0.9.0.0"));
        Assert.Equal("10.231.0.1.4.1", core.Merge(loopback, "tcp", "0.0.0.0.4.1", hint: "172.16.0.1.0.0")); // no network of its own: the best interface up, not a loopback
        Assert.Null(core.Merge(loopback, "tcp", "0.0.0.0.4.1", hint: "junk")); // GETADDR then answers 0.0.0.0.4.1 as registered
        Assert.Null(core.Merge(loopback, "tcp", "/run/p.sock", hint: null));
        Assert.Null(core.Merge(local, "local", "/run/p.sock", hint: null)); // a local caller has no address to merge with
        Assert.Null(core.Merge(loopback, "tcp6", "::.4.1", hint: null)); // not served
    }
}
