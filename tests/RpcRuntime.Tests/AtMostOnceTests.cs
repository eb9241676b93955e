using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// At-most-once execution over UDP: a proxy loses 30 % of the replies, the client retransmits with the same XID,
/// and the server's duplicate request cache answers the retransmissions without running the call again.
/// </summary>
public class AtMostOnceTests
{
    private const int Calls = 10_000;

    private static readonly RpcClientOptions Retransmitting = new()
    {
        Timeout = TimeSpan.FromSeconds(120),
        RetransmitInterval = TimeSpan.FromMilliseconds(20),
        MaxRetransmitInterval = TimeSpan.FromMilliseconds(160),
        MaxInFlight = 64,
    };

    [Fact]
    public async Task Every_call_completes_and_runs_exactly_once_when_30_percent_of_replies_are_lost()
    {
        await using var server = new TestServer(tcp: false);
        using var proxy = new LossyUdpProxy(server.Udp!, replyLoss: 0.30, seed: 5531);
        await using RpcClient client = RpcClient.CreateUdp(proxy.EndPoint, TestServer.Program, 1, Retransmitting);

        int[] results = await CountAsync(client);

        // Each call saw its own increment: none was lost, none ran twice.
        Assert.Equal(Enumerable.Range(1, Calls), results.Order());
        Assert.Equal(Calls, server.Counter);
        Assert.InRange(proxy.RepliesLost, Calls / 5, Calls); // the loss really happened
        (long hits, long misses, _, _) = server.Server.UdpDuplicateRequestCacheCounters;
        Assert.Equal(Calls, misses);
        Assert.True(hits >= proxy.RepliesLost / 2, $"{hits} cache hits for {proxy.RepliesLost} lost replies");
    }

    [Fact]
    public async Task Without_the_cache_the_same_loss_runs_calls_twice()
    {
        // The control: it shows that the test above would catch a server that executes retransmissions.
        await using var server = new TestServer(new RpcServerOptions { UdpDuplicateRequestCache = null }, tcp: false);
        using var proxy = new LossyUdpProxy(server.Udp!, replyLoss: 0.30, seed: 5531);
        await using RpcClient client = RpcClient.CreateUdp(proxy.EndPoint, TestServer.Program, 1, Retransmitting);

        await CountAsync(client, calls: 1000);

        Assert.True(server.Counter > 1000, $"the counter reads {server.Counter} after 1000 calls");
    }

    private static async Task<int[]> CountAsync(RpcClient client, int calls = Calls)
    {
        var tasks = new Task<IntValue>[calls];
        for (int i = 0; i < calls; i++)
        {
            tasks[i] = client.CallAsync<XdrVoid, IntValue>(5, default).AsTask();
        }

        return [.. (await Task.WhenAll(tasks)).Select(r => r.Value)];
    }
}
