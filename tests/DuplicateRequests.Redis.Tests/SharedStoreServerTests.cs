using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// Servers of one fleet in this process, each with its own store on one redis-server: what one server ran, another
/// does not run again, whichever transport, connection and server the retransmission takes.
/// </summary>
public sealed class SharedStoreServerTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    private const uint Program = 0x20000998;
    private const uint OpenProgram = 0x20000997;
    private const uint Add = 1;

    [RedisFact]
    public async Task A_call_sent_again_to_another_server_over_another_transport_gets_the_first_reply_and_runs_once()
    {
        string prefix = Prefix();
        await using var a = await Member.StartAsync(redis.Server, prefix);
        await using var b = await Member.StartAsync(redis.Server, prefix);

        // AUTH_SYS, as a Linux client sends it; the retransmissions' stamps differ, which says nothing of who calls.
        byte[] call = Wire.Call(0x5EED, Program, 1, Add, credentialFlavor: 1, credentialBody: AuthSys(stamp: 1), arguments: Wire.Words(5));
        byte[] first = await UdpExchangeAsync(a.Udp, call);
        Assert.Equal(Wire.Accepted(0x5EED, 0, 5), first);

        byte[] restamped = Wire.Call(0x5EED, Program, 1, Add, credentialFlavor: 1, credentialBody: AuthSys(stamp: 2), arguments: Wire.Words(5));
        Assert.Equal(first, await UdpExchangeAsync(b.Udp, restamped));
        Assert.Equal(first, await TcpExchangeAsync(b.Tcp, call));
        Assert.Equal(first, await TcpExchangeAsync(a.Tcp, call)); // a new connection: a new port, the same caller
        Assert.Equal(1, a.Executions + b.Executions);

        // Another caller's call with the same XID and arguments is another call.
        byte[] stranger = Wire.Call(0x5EED, Program, 1, Add, credentialFlavor: 1, credentialBody: AuthSys(stamp: 1, uid: 1001), arguments: Wire.Words(5));
        Assert.Equal(Wire.Accepted(0x5EED, 0, 10), await UdpExchangeAsync(b.Udp, stranger));
        Assert.Equal(2, a.Executions + b.Executions);
        Assert.True(a.Lookups("miss") + b.Lookups("miss") == 2 && a.Lookups("hit") + b.Lookups("hit") >= 3);
    }

    [RedisFact]
    public async Task A_call_running_on_one_server_is_not_started_on_another_when_the_client_fails_over()
    {
        string prefix = Prefix();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await Member.StartAsync(redis.Server, prefix, hold: release.Task);
        await using var b = await Member.StartAsync(redis.Server, prefix, hold: release.Task);

        // Over UDP a call long unanswered goes on to the next server with its XID (RpcClient's failover).
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(120), RetransmitInterval = TimeSpan.FromMilliseconds(50), MaxRetransmitInterval = TimeSpan.FromMilliseconds(200), RetryOnConnectionLoss = true };
        await using RpcClient client = RpcClient.CreateUdp(RpcEndpointSource.Fixed(a.Udp, b.Udp), Program, 1, options);
        Task<IntValue> call = client.CallAsync<IntValue, IntValue>(Add, new IntValue(7)).AsTask();

        // The server that runs it holds it; the other finds it running, and drops it, again and again.
        await Waiting.UntilAsync(() => a.Executions + b.Executions == 1, "a server runs the call");
        Member other = a.Executions == 0 ? a : b;
        await Waiting.UntilAsync(() => other.Lookups("in_progress") >= 2, "the retransmissions reach the other server");
        Assert.Equal(1, a.Executions + b.Executions);

        release.SetResult();
        Assert.Equal(7, (await call).Value);
        Assert.Equal(1, a.Executions + b.Executions);
    }

    [RedisFact]
    public async Task When_the_store_fails_a_fail_closed_program_refuses_and_a_fail_open_one_runs_and_says_so()
    {
        await using RedisServer own = await RedisServer.StartAsync();
        string prefix = Prefix();
        await using var server = await Member.StartAsync(own, prefix);
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(60) };
        await using RpcClient closed = RpcClient.CreateTcp(server.Tcp, Program, 1, options);
        await using RpcClient open = RpcClient.CreateTcp(server.Tcp, OpenProgram, 1, options);
        Assert.Equal(1, (await closed.CallAsync<IntValue, IntValue>(Add, new IntValue(1))).Value);

        own.Kill();
        int before = server.Executions;
        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await closed.CallAsync<IntValue, IntValue>(Add, new IntValue(1)));
        Assert.Equal(before, server.Executions);
        Assert.Equal(1, server.Lookups("store_failed_closed"));

        Assert.Equal(2, (await open.CallAsync<IntValue, IntValue>(Add, new IntValue(1))).Value);
        Assert.Equal(before + 1, server.Executions);
        Assert.Equal(1, server.Lookups("store_failed_open"));
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("ran it without at-most-once", StringComparison.Ordinal));
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("replied SYSTEM_ERR", StringComparison.Ordinal));
        Assert.Equal(2, server.Meters.Measurements.Count(m => m.Instrument == "rpc.server.duplicate_request_store.duration" && Equals(m.Tags["rpc.duplicate_request_store.outcome"], "failed")));

        // The store back (empty, as Redis without persistence comes back): calls are kept again.
        await own.StartAgainAsync();
        await Waiting.UntilAsync(() => AnswersAsync(closed), "the store answers again");

        Assert.True(server.Lookups("miss") >= 2);
    }

    [RedisTheory]
    [InlineData(DuplicateRequestStoreFailure.FailClosed)]
    [InlineData(DuplicateRequestStoreFailure.FailOpen)]
    public async Task The_store_killed_mid_run_runs_no_call_twice_when_failing_closed_and_runs_them_all_saying_so_when_open(DuplicateRequestStoreFailure policy)
    {
        const int Calls = 3000;
        await using RedisServer own = await RedisServer.StartAsync(persistent: true);
        string prefix = Prefix();
        await using var a = await Member.StartAsync(own, prefix);
        await using var b = await Member.StartAsync(own, prefix);

        // Over UDP, behind relays that lose one reply in 20: retransmissions keep coming, through the outage too.
        int replies = 0;
        using var relayA = new UdpRelay(a.Udp, reply: _ => Interlocked.Increment(ref replies) % 20 != 0);
        using var relayB = new UdpRelay(b.Udp, reply: _ => Interlocked.Increment(ref replies) % 20 != 0);
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(120), RetransmitInterval = TimeSpan.FromMilliseconds(20), MaxRetransmitInterval = TimeSpan.FromMilliseconds(100), RetryOnConnectionLoss = true, MaxInFlight = 16 };
        await using RpcClient client = RpcClient.CreateUdp(RpcEndpointSource.Fixed(relayA.EndPoint, relayB.EndPoint), policy == DuplicateRequestStoreFailure.FailOpen ? OpenProgram : Program, 1, options);

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        Task RunAsync(int first, int last)
        {
            int next = first - 1;
            return Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                for (int id = Interlocked.Increment(ref next); id <= last; id = Interlocked.Increment(ref next))
                {
                    try
                    {
                        await client.CallAsync<IntValue, IntValue>(Add, new IntValue(id));
                        outcomes[id] = "ok";
                    }
                    catch (RpcException e)
                    {
                        outcomes[id] = e.GetType().Name;
                    }
                }
            })));
        }

        // The store dies under load, with calls running and replies lost on their way; the first half of the calls goes on.
        int Failed() => a.Lookups("store_failed_closed") + b.Lookups("store_failed_closed") + a.Lookups("store_failed_open") + b.Lookups("store_failed_open");
        Task firstHalf = RunAsync(1, Calls / 2);
        await Waiting.UntilAsync(() => outcomes.Count >= Calls / 6, "calls flow before the store dies");
        own.Kill();
        await firstHalf;

        // It comes back with what it had (an append-only file): once both servers reach it again, the second half.
        await own.StartAgainAsync();
        foreach (Member server in new[] { a, b })
        {
            await using RpcClient probe = RpcClient.CreateTcp(server.Tcp, Program, 1);
            await Waiting.UntilAsync(() => AnswersAsync(probe), "the store answers again");
        }

        await RunAsync((Calls / 2) + 1, Calls);
        Assert.All(Enumerable.Range(Calls / 2 + 1, Calls / 2), id => Assert.Equal("ok", outcomes[id]));

        int[] ranTwice = [.. a.ById.Keys.Union(b.ById.Keys).Where(id => id > 0 && a.ById.GetValueOrDefault(id) + b.ById.GetValueOrDefault(id) > 1)];
        int refused = outcomes.Count(o => o.Value == nameof(RpcSystemErrorException));
        int ranWithout = a.Logs.Entries.Concat(b.Logs.Entries).Count(e => e.Message.Contains("ran it without at-most-once", StringComparison.Ordinal));
        output.WriteLine($"{policy}: {outcomes.Count} calls, {outcomes.Count(o => o.Value == "ok")} answered, {refused} SYSTEM_ERR; {Failed()} lookups failed (the probe's included), {ranWithout} logged as run without at-most-once; {ranTwice.Length} calls ran twice; {a.Lookups("hit") + b.Lookups("hit")} retransmissions answered from the store");
        Assert.Equal(Calls, outcomes.Count);
        Assert.True(Failed() > 0, "no call met the dead store");
        if (policy == DuplicateRequestStoreFailure.FailClosed)
        {
            // Nothing ran twice; what met the dead store was refused, and not run.
            Assert.Empty(ranTwice);
            Assert.All(outcomes, o => Assert.Contains(o.Value, new[] { "ok", nameof(RpcSystemErrorException) }));
            Assert.All(outcomes.Where(o => o.Value == "ok"), o => Assert.Equal(1, a.ById.GetValueOrDefault(o.Key) + b.ById.GetValueOrDefault(o.Key)));
            Assert.True(refused > 0);
            Assert.Equal(0, ranWithout);
        }
        else
        {
            // Every call ran and was answered; each run without the store is logged and counted.
            Assert.All(outcomes, o => Assert.Equal("ok", o.Value));
            Assert.True(ranWithout > 0);
            Assert.Equal(a.Lookups("store_failed_open") + b.Lookups("store_failed_open"), ranWithout);
        }
    }

    private static string Prefix() => $"test:{Guid.NewGuid():N}:";

    private static byte[] AuthSys(uint stamp, uint uid = 1000)
    {
        byte[] machine = Encoding.ASCII.GetBytes("client1\0"); // 7 bytes and a pad
        return [.. Wire.Words(stamp, 7), .. machine, .. Wire.Words(uid, 100, 1, 10)];
    }

    /// <summary>Sends a datagram until an answer comes (as a client retransmits), and returns the answer.</summary>
    private static async Task<byte[]> UdpExchangeAsync(IPEndPoint server, byte[] call)
    {
        using var socket = new UdpClient(AddressFamily.InterNetwork);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await socket.SendAsync(call, server);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                return (await socket.ReceiveAsync(wait.Token)).Buffer;
            }
            catch (OperationCanceledException)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no answer within 60 s");
            }
        }
    }

    /// <summary>Sends a call on a new connection (resending on further new ones while it is dropped), and returns the answer.</summary>
    private static async Task<byte[]> TcpExchangeAsync(IPEndPoint server, byte[] call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var socket = await Wire.ConnectAsync(server);
            await using var stream = new NetworkStream(socket);
            await stream.WriteAsync(Wire.Record(call));
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                return (await Wire.ReadRecordAsync(stream, wait.Token))!;
            }
            catch (OperationCanceledException)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no answer within 60 s");
            }
        }
    }

    /// <summary>Whether a call goes through: false while the server's store cannot be asked (SYSTEM_ERR).</summary>
    private static async Task<bool> AnswersAsync(RpcClient client)
    {
        try
        {
            await client.CallAsync<IntValue, IntValue>(Add, new IntValue(-1));
            return true;
        }
        catch (RpcSystemErrorException)
        {
            return false;
        }
    }

    /// <summary>
    /// A server of the fleet: program <see cref="Program"/> (fails closed) and <see cref="OpenProgram"/> (fails open),
    /// procedure ADD(int) int adding to a counter of this test and returning its new value, after <c>hold</c> when given.
    /// </summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly RpcServer _server;
        private readonly RedisDuplicateRequestStore _store;
        private int _executions;

        private Member(RpcServer server, RedisDuplicateRequestStore store, TestLogs logs, TestMeters meters, Task? hold, StrongBox<int> counter)
        {
            _server = server;
            _store = store;
            Logs = logs;
            Meters = meters;
            RpcHandler<IntValue, IntValue> add = async (value, _) =>
            {
                Interlocked.Increment(ref _executions);
                ById.AddOrUpdate(value.Value, 1, (_, n) => n + 1);
                int total = Interlocked.Add(ref counter.Value, value.Value);
                if (hold is not null)
                {
                    await hold;
                }

                return new IntValue(total);
            };
            server.AddProgram(new RpcProgramBuilder(Program, 1, "FLEET").AddProcedure(Add, "ADD", add).Build());
            server.AddProgram(new RpcProgramBuilder(OpenProgram, 1, "FLEET_OPEN").AddProcedure(Add, "ADD", add).Build()
                .WhenDuplicateRequestStoreFails(DuplicateRequestStoreFailure.FailOpen));
            Tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
            Udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public IPEndPoint Tcp { get; }

        public IPEndPoint Udp { get; }

        public int Executions => Volatile.Read(ref _executions);

        /// <summary>How many times the handler ran, by argument.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<int, int> ById { get; } = new();

        public TestLogs Logs { get; }

        public TestMeters Meters { get; }

        public static async Task<Member> StartAsync(RedisServer redis, string prefix, Task? hold = null)
        {
            // The servers of one test share a counter, as a fleet shares its data.
            StrongBox<int> counter = Counters.GetOrAdd(prefix, _ => new StrongBox<int>());
            RedisDuplicateRequestStore store = await RedisDuplicateRequestStore.ConnectAsync(new RedisDuplicateRequestStoreOptions { Configuration = redis.Configuration, KeyPrefix = prefix });
            var logs = new TestLogs();
            var meters = new TestMeters();
            var server = new RpcServer(new RpcServerOptions { DuplicateRequestStore = store, LoggerFactory = logs, MeterFactory = meters });
            return new Member(server, store, logs, meters, hold, counter);
        }

        public int Lookups(string result) => (int)Meters.Sum("rpc.server.duplicate_request_cache", "rpc.duplicate_request_cache.result", result);

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            await _store.DisposeAsync();
            Meters.Dispose();
        }

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<int>> Counters = new();
    }
}
