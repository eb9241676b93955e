using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Broadcast;

/// <summary>
/// Broadcast calls on networks of the test's own (namespaces joined by veth pairs, addresses in no one else's): native
/// rup finds a NetRpc rstatd-style server through netrpc-rpcbind's forwarding, and NetRpc's broadcast call finds
/// native rpc.rstatd and the NetRpc server through both rpcbinds (portmapper CALLIT and rpcbind BCAST) and straight
/// to their ports.
/// </summary>
public sealed class BroadcastTests
{
    [BroadcastFact]
    public void Native_rup_and_netrpcs_broadcast_find_native_and_netrpc_servers_through_both_rpcbinds_and_directly()
    {
        string[] unshare = ["-n", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"",
            Binding.RpcbindScenario.Dotnet, typeof(BroadcastTests).Assembly.Location, "broadcast-scenario", Path.Combine(AppContext.BaseDirectory, "netrpc-rpcbind.dll")];
        string[] lines = NativeToolchain.Run("unshare", unshare, AppContext.BaseDirectory, timeoutSeconds: 600).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "rup: 10.78.1.2, 10.78.2.2",
                "rup NetRpc's line: uptime 2 days, load 1.00 2.00 3.00",
                "portmapper: 10.78.1.2, 10.78.2.2 port 4711",
                "rpcbind: 10.78.1.2, 10.78.2.2 port 4711",
                "direct to NetRpc's port: 10.78.2.2 port 4711",
                "direct to rpc.rstatd's port: 10.78.1.2",
            ],
            lines);
    }
}

/// <summary>Broadcast calls in this process, to given addresses: no namespace, no privilege.</summary>
public sealed class BroadcastCallTests
{
    [Fact]
    public async Task Each_server_that_answers_is_reported_once_with_its_result()
    {
        await using var first = new TestServer(tcp: false);
        await using var second = new TestServer(tcp: false);
        var answers = new List<RpcBroadcastReply<IntValue>>();
        foreach (TestServer server in new[] { first, second })
        {
            var options = new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct, Port = server.Udp!.Port, Addresses = [IPAddress.Loopback], Timeout = TimeSpan.FromSeconds(60), RetransmitInterval = TimeSpan.FromMilliseconds(50) };
            await foreach (RpcBroadcastReply<IntValue> reply in RpcBroadcast.CallAsync<IntValue, IntValue>(TestServer.Program, 1, 1, new IntValue(41), options))
            {
                answers.Add(reply);
                break; // the one server on that port has answered
            }
        }

        Assert.Equal([42, 42], answers.Select(a => a.Result.Value));
        Assert.Equal([first.Udp!.Port, second.Udp!.Port], answers.Select(a => a.Server.Port));
        Assert.All(answers, a => Assert.Equal(a.Responder, a.Server));
    }

    [Fact]
    public async Task Each_responder_is_reported_once_however_often_the_call_is_broadcast_again()
    {
        await using var server = new TestServer(tcp: false);
        var options = new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct, Port = server.Udp!.Port, Addresses = [IPAddress.Loopback], Timeout = TimeSpan.FromMinutes(10), RetransmitInterval = TimeSpan.FromMilliseconds(5) };
        using var cancel = new CancellationTokenSource();
        await using IAsyncEnumerator<RpcBroadcastReply<IntValue>> replies = RpcBroadcast.CallAsync<XdrVoid, IntValue>(TestServer.Program, 1, 5, default, options, cancel.Token).GetAsyncEnumerator();
        Assert.True(await replies.MoveNextAsync());
        Assert.Equal(1, replies.Current.Result.Value);

        // The call goes out again and again; the server answers each from its duplicate request cache, as the same call.
        Task<bool> next = replies.MoveNextAsync().AsTask();
        await HostileClientTests.WaitUntilAsync(() => server.Server.UdpDuplicateRequestCacheCounters.Hits >= 3, "retransmissions are answered");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next); // nothing more was reported before the cancellation
        Assert.Equal(1, server.Counter);
    }

    [Fact]
    public async Task Cancellation_stops_collecting()
    {
        using var cancel = new CancellationTokenSource();
        var options = new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct, Port = 9, Addresses = [IPAddress.Loopback], Timeout = TimeSpan.FromMinutes(10) };
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (RpcBroadcastReply<XdrVoid> unused in RpcBroadcast.CallAsync<XdrVoid, XdrVoid>(100000, 2, 0, default, options, cancel.Token))
            {
            }
        });
        Assert.Throws<ArgumentException>(() => RpcBroadcast.CallAsync<XdrVoid, XdrVoid>(100000, 2, 0, default, new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct }).GetAsyncEnumerator().MoveNextAsync().AsTask().GetAwaiter().GetResult());
    }
}

/// <summary>A test that needs native rpcbind, rpc.rstatd and rup, and namespaces of its own.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BroadcastFactAttribute : FactAttribute
{
    public BroadcastFactAttribute([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        string? reason = NativeToolchain.NamespaceMissingReason
            ?? (NativeToolchain.FindOnPath("rup") is null || !File.Exists("/usr/sbin/rpc.rstatd") ? "rup or rpc.rstatd not installed (apt-get install -y rstatd rstat-client)" : null);
        if (reason is not null && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"BroadcastTests.{test} [SKIPPED: {reason}]";
        }
    }
}
