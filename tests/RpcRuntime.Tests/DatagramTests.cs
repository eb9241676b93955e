using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// UDP as real programs use it: datagram sizes UDP can carry, buffers that hold a burst of large calls and replies,
/// addresses that cannot be sent to, and replies as large as an NFS READ's over TCP.
/// </summary>
public sealed class DatagramTests(ITestOutputHelper output)
{
    [Fact]
    public void A_datagram_size_over_what_udp_carries_is_refused_on_both_sides()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RpcClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, 9), 1, 1, new RpcClientOptions { MaxDatagramSize = 70_000 }));
        Assert.Contains("65507", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RpcServer(new RpcServerOptions { MaxDatagramSize = 70_000 }));

        // The largest each family carries is taken.
        RpcClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, 9), 1, 1, new RpcClientOptions { MaxDatagramSize = 65_507 }).Dispose();
        RpcClient.CreateUdp(new IPEndPoint(IPAddress.IPv6Loopback, 9), 1, 1, new RpcClientOptions { MaxDatagramSize = 65_527 }).Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => RpcClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, 9), 1, 1, new RpcClientOptions { MaxDatagramSize = 65_527 }));
    }

    [Fact]
    public async Task An_address_that_cannot_be_sent_to_is_an_rpc_exception_not_a_socket_one()
    {
        // Without SO_BROADCAST a UDP socket may not send to the broadcast address: connect(2) says EACCES.
        RpcConnectionException e = Assert.Throws<RpcConnectionException>(() => RpcClient.CreateUdp(new IPEndPoint(IPAddress.Broadcast, 111), 100000, 2));
        Assert.IsType<System.Net.Sockets.SocketException>(e.InnerException);
        await Assert.ThrowsAnyAsync<RpcException>(() => RpcClient.CreateAsync("255.255.255.255", 100000, 2, RpcTransport.Udp));
    }

    [Fact]
    public async Task A_hundred_and_twenty_eight_calls_of_32_KiB_in_flight_need_no_retransmission()
    {
        // Both sides' default receive buffers hold the burst: 4 MiB of calls arrive at once, 4 MiB of replies come back.
        // The retransmission interval is long, so that only a lost datagram (not a busy machine) can cause one.
        using var meters = new TestMeters();
        await using var server = new TestServer(new RpcServerOptions { MaxDatagramSize = 40_000 }, tcp: false);
        var options = new RpcClientOptions
        {
            MaxDatagramSize = 40_000,
            MaxInFlight = 128,
            RetransmitInterval = TimeSpan.FromSeconds(30),
            MaxRetransmitInterval = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromMinutes(5),
            MeterFactory = meters,
        };
        await using RpcClient client = server.Client(tcp: false, options: options);
        for (int round = 0; round < 3; round++)
        {
            Task<BlobValue>[] calls = [.. Enumerable.Range(0, 128).Select(i => client.CallAsync<BlobValue, BlobValue>(7, new BlobValue(Payload(i))).AsTask())];
            BlobValue[] replies = await Task.WhenAll(calls);
            Assert.All(Enumerable.Range(0, 128), i => Assert.Equal(Payload(i), replies[i].Value));
        }

        double retransmissions = meters.Sum("rpc.client.retransmissions");
        output.WriteLine($"3 x 128 calls of 32 KiB over UDP: {retransmissions} retransmissions");
        Assert.Equal(0, retransmissions);

        static byte[] Payload(int i) => Enumerable.Repeat((byte)i, 32 * 1024).ToArray();
    }

    [NativeFact(namespaced: true)]
    public void A_send_the_network_refuses_fails_the_call_at_once_naming_the_cause()
    {
        // In a namespace of its own: the route to the server becomes unreachable, then prohibited, after the client was made.
        string[] unshare = ["-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"", Binding.RpcbindScenario.Dotnet, typeof(DatagramTests).Assembly.Location, "udp-send-scenario"];
        string[] lines = NativeToolchain.Run("unshare", unshare, AppContext.BaseDirectory, timeoutSeconds: 120).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["unreachable: RpcSendFailedException HostUnreachable", "prohibit: RpcSendFailedException AccessDenied"], lines);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_reply_as_large_as_a_one_megabyte_nfs_read_is_read_by_default(bool threads)
    {
        // rsize=1048576 (Linux's largest): the data, and the RPC and NFS headers around it.
        await using var server = new TestServer(new RpcServerOptions { ThreadPerConnection = threads }, udp: false);
        await using RpcClient client = server.Client(tcp: true);
        BlobValue reply = await client.CallAsync<IntValue, BlobValue>(9, new IntValue((1 << 20) + 512));
        Assert.Equal((1 << 20) + 512, reply.Value.Length);
    }
}
