using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>Logs, metrics and spans: what an operator sees of calls, failures and the duplicate request cache.</summary>
public class ObservabilityTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Server_calls_are_counted_and_timed_by_procedure_and_status()
    {
        using var meters = new TestMeters();
        await using var server = new TestServer(new RpcServerOptions { MeterFactory = meters });
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        for (int i = 0; i < 5; i++)
        {
            await client.CallAsync<IntValue, IntValue>(1, new IntValue(i));
        }

        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(3, default));
        await Assert.ThrowsAsync<RpcProcedureUnavailableException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(99, default));

        Assert.Equal(5, meters.Measurements.Count(m => m.Instrument == "rpc.server.calls" && Equals(m.Tags["rpc.method"], "ADD_ONE") && Equals(m.Tags["rpc.onc_rpc.status"], "SUCCESS")));
        Assert.Equal(1, meters.Sum("rpc.server.calls", "rpc.onc_rpc.status", "SYSTEM_ERR"));
        Assert.Equal(1, meters.Sum("rpc.server.calls", "rpc.onc_rpc.status", "PROC_UNAVAIL"));
        Assert.Equal(7, meters.Count("rpc.server.call.duration"));
        Assert.Equal(1, meters.Sum("rpc.server.connections"));
    }

    [Fact]
    public async Task Client_calls_are_counted_by_outcome()
    {
        using var meters = new TestMeters();
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: false, options: Quick with { MeterFactory = meters });
        await client.CallAsync<IntValue, IntValue>(1, new IntValue(1));
        await Assert.ThrowsAsync<RpcGarbageArgumentsException>(async () => await client.CallAsync<XdrVoid, IntValue>(1, default));
        await Assert.ThrowsAsync<RpcTimeoutException>(async () => await client.CallAsync<IntValue, IntValue>(4, new IntValue(2000), TimeSpan.FromMilliseconds(100), default));

        Assert.Equal(1, meters.Sum("rpc.client.calls", "rpc.onc_rpc.status", "SUCCESS"));
        Assert.Equal(1, meters.Sum("rpc.client.calls", "rpc.onc_rpc.status", "GARBAGE_ARGS"));
        Assert.Equal(1, meters.Sum("rpc.client.calls", "rpc.onc_rpc.status", "TIMEOUT"));
        Assert.Equal(3, meters.Count("rpc.client.call.duration"));
    }

    [Fact]
    public async Task Duplicate_request_cache_hits_misses_and_evictions_are_metrics()
    {
        using var meters = new TestMeters();
        var options = new RpcServerOptions { MeterFactory = meters, UdpDuplicateRequestCache = new DuplicateRequestCacheOptions { MaxEntries = 2 } };
        await using var server = new TestServer(options, tcp: false);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server.Udp!);
        byte[] buffer = new byte[1024];
        async Task<byte[]> CallAsync(uint xid)
        {
            socket.Send(Wire.Call(xid, TestServer.Program, 1, 5));
            int n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            return buffer[..n];
        }

        byte[] first = await CallAsync(1);
        Assert.Equal(first, await CallAsync(1));       // a retransmission: the cached reply, COUNT not run again
        await CallAsync(2);
        await CallAsync(3);                             // the cache holds 2: xid 1 is evicted
        Assert.Equal(Wire.Accepted(1, 0, 4), await CallAsync(1));   // ... so it runs again

        Assert.Equal(4, server.Counter);
        Assert.Equal(1, meters.Sum("rpc.server.duplicate_request_cache", "rpc.duplicate_request_cache.result", "hit"));
        Assert.Equal(4, meters.Sum("rpc.server.duplicate_request_cache", "rpc.duplicate_request_cache.result", "miss"));
        Assert.True(meters.Sum("rpc.server.duplicate_request_cache", "rpc.duplicate_request_cache.result", "evicted") >= 2);
    }

    [Fact]
    public async Task A_failing_handler_is_logged_with_its_exception_and_the_server_goes_on()
    {
        var logs = new TestLogs();
        await using var server = new TestServer(new RpcServerOptions { LoggerFactory = logs });
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(3, default));
        Assert.Equal(2, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value);

        var entry = Assert.Single(logs.Entries, e => e.Id.Id == 2);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Contains("TEST/1/FAIL", entry.Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Serving RPC on tcp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_call_is_a_client_span_and_a_server_span()
    {
        using var spans = new TestSpans();
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        Activity? before = Activity.Current;
        await client.CallAsync<IntValue, IntValue>(1, new IntValue(1));
        Assert.Same(before, Activity.Current);
        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(3, default));

        Activity[] clientSpans = spans.Client;
        Assert.Equal(2, clientSpans.Length);
        Assert.All(clientSpans, s => Assert.Equal(spans.Root.SpanId, s.ParentSpanId));
        Assert.Equal(["SUCCESS", "SYSTEM_ERR"], clientSpans.Select(s => s.GetTagItem("rpc.onc_rpc.status")));

        Activity[] serverSpans = [];
        for (int i = 0; i < 100 && serverSpans.Length < 2; i++)
        {
            serverSpans = spans.Server;
            await Task.Delay(20);
        }

        Assert.Equal(["TEST/ADD_ONE", "TEST/FAIL"], serverSpans.Select(s => s.DisplayName).Order());
        Assert.Equal(ActivityStatusCode.Error, serverSpans.Single(s => s.DisplayName == "TEST/FAIL").Status);
    }
}
