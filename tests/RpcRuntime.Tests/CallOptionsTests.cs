using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>A call's own options (timeout, deadline, credential), and calls that expect no reply, on NetRpc's own server.</summary>
public sealed class CallOptionsTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_call_carries_its_own_credential_and_the_next_the_clients_again(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        var own = new RpcCallOptions { Credential = RpcCredential.Sys(new AuthSysParameters { MachineName = "percall", Uid = 77, Gid = 7 }) };
        Assert.Equal("percall:77:7:", (await client.CallAsync<XdrVoid, TextValue>(6, default, own)).Value);
        Assert.Equal("none", (await client.CallAsync<XdrVoid, TextValue>(6, default)).Value);
    }

    [Fact]
    public async Task A_call_times_out_by_its_own_timeout()
    {
        await using var server = new TestServer(udp: false);
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        try
        {
            // HOLD never answers until released: only the call's own 300 ms can end it.
            RpcTimeoutException e = await Assert.ThrowsAsync<RpcTimeoutException>(() => client.CallAsync<BlobValue, IntValue>(10, new BlobValue([]), new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }).AsTask());
            Assert.Equal(TimeSpan.FromMilliseconds(300), e.Timeout);
        }
        finally
        {
            server.Release();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task One_way_and_batched_calls_each_run_once(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        int oneWay = tcp ? 300 : 20;
        for (int i = 0; i < oneWay; i++)
        {
            await client.SendOneWayAsync(5, default(XdrVoid));
        }

        for (int i = 0; i < 100; i++)
        {
            await client.BatchAsync(5, default(XdrVoid));
        }

        // TCP keeps the order: the calls before this one have all run. UDP has none, so the count is awaited.
        IntValue last = await client.CallAsync<XdrVoid, IntValue>(5, default);
        await HostileClientTests.WaitUntilAsync(() => server.Counter == oneWay + 101, "every call ran");
        Assert.True(!tcp || last.Value == oneWay + 101, $"the two-way call ran as number {last.Value}");
        Assert.Equal(0, client.InFlight);
    }
}
