using System.Net;
using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// One-way and batched calls against the C server rpcgen makes from rich.x (its COUNT counts the calls it ran): every
/// call sent with no reply expected runs once, batched ones with the call that flushes them, and the generated
/// client's one-way methods do what the runtime's do.
/// </summary>
[Collection(NativeCollection.Name)]
public class OneWayTests(NativePrograms native)
{
    private static readonly RpcClientOptions Options = new() { Timeout = TimeSpan.FromSeconds(20) };

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_one_way_call_runs_once_on_the_c_server(bool tcp)
    {
        using NativeServer server = native.StartRichServer();
        await using RichV1Client client = Client(server, tcp);
        await client.ResetOneWayAsync();
        int calls = tcp ? 500 : 20; // UDP: few enough that no datagram waits for room on loopback
        for (int i = 0; i < calls; i++)
        {
            await client.Client.SendOneWayAsync(RichProg.RichV1.Count, default(XdrVoid));
        }

        // COUNT answers the counter's next value: every one-way COUNT ran, once, and in order before this call.
        Assert.Equal((ulong)calls + 1, await client.CountAsync());
    }

    [NativeFact]
    public async Task Batched_calls_go_out_with_the_next_call_that_waits_for_a_reply_and_each_runs_once()
    {
        using NativeServer server = native.StartRichServer();
        await using RichV1Client client = Client(server, tcp: true);
        await client.ResetAsync();
        for (int round = 1; round <= 3; round++)
        {
            for (int i = 0; i < 200; i++)
            {
                await client.Client.BatchAsync(RichProg.RichV1.Count, default(XdrVoid));
            }

            Assert.Equal((ulong)(round * 201), await client.CountAsync());
        }

        await client.ResetBatchAsync();
        Assert.Equal(1ul, await client.CountAsync());
    }

    [NativeFact]
    public async Task A_call_takes_its_own_timeout_and_credential()
    {
        using NativeServer server = native.StartRichServer();
        await using RichV1Client client = Client(server, tcp: true);
        await client.ResetAsync(new RpcCallOptions { Timeout = TimeSpan.FromSeconds(30), Credential = Runtime.Auth.RpcCredential.SysForCurrentProcess() });
        Assert.Equal(1ul, await client.CountAsync(new RpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddMinutes(1) }));

        // A deadline already past: the call is over before it begins.
        await Assert.ThrowsAsync<RpcTimeoutException>(() => client.CountAsync(new RpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddMinutes(-1) }));
    }

    private static RichV1Client Client(NativeServer server, bool tcp) => tcp
        ? RichV1Client.CreateTcp(new IPEndPoint(IPAddress.Loopback, server.TcpPort), Options)
        : RichV1Client.CreateUdp(new IPEndPoint(IPAddress.Loopback, server.UdpPort), Options);
}
