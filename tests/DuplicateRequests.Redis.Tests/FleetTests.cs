using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// Three server processes (<see cref="FleetServer"/>) share one redis-server, for their duplicate request cache and for
/// a counter that a non-idempotent procedure adds to. A client sends 10,000 calls with retransmission and failover while
/// the servers are SIGKILLed and started again one after another; three of the calls are held by the servers that run
/// them until they die, so that every kill surely finds a call running. The ground truth is in Redis: how many times each
/// call's effect happened, written in the same transaction as the counter.
/// </summary>
public sealed class FleetTests(ITestOutputHelper output)
{
    private const int Calls = 10_000;
    private const int Held = 3;
    private const int Workers = 24;

    [RedisTheory]
    [InlineData(RpcTransport.Tcp)]
    [InlineData(RpcTransport.Udp)]
    public async Task Ten_thousand_counter_calls_through_kills_and_restarts_each_run_at_most_once(RpcTransport transport)
    {
        Run run = await RunAsync(transport, "shared");

        // At most once: no call ran twice, whatever the client saw, and the counter counts exactly the executions.
        Assert.Empty(run.RunTwice);
        Assert.Equal(run.Executions.Values.Sum(), run.Counter);

        // Every call answered: with its value (it ran exactly once; the values are the counter's, so all distinct), or
        // SYSTEM_ERR for a call its server was running when it died (it may have run, and was not run again).
        Assert.All(run.Outcomes, o => Assert.Contains(o.Value, new[] { "ok", nameof(RpcSystemErrorException) }));
        Assert.All(run.Outcomes.Where(o => o.Value == "ok"), o => Assert.Equal(1, run.Executions.GetValueOrDefault(o.Key)));
        Assert.Equal(run.Answered, run.Values.Values.Distinct().Count());
        Assert.InRange(run.Refused, Held, 3 * Workers + Held);
        Assert.InRange(run.Counter, run.Answered + Held, run.Answered + run.Refused);

        // The held calls ran, their servers died, and the others refused to run them again.
        Assert.All(HeldIds, id => Assert.Equal(nameof(RpcSystemErrorException), run.Outcomes[id]));
        Assert.All(HeldIds, id => Assert.Equal(1, run.Executions[id]));
        Assert.True(run.Lookups.GetValueOrDefault("interrupted") >= Held);
        if (transport == RpcTransport.Udp)
        {
            Assert.True(run.Lookups.GetValueOrDefault("hit") > 0, "no retransmission was answered from the store");
        }
    }

    [RedisTheory]
    [InlineData(RpcTransport.Tcp)]
    [InlineData(RpcTransport.Udp)]
    public async Task With_effects_keyed_on_the_call_and_interrupted_calls_run_again_the_counter_reads_exactly_ten_thousand(RpcTransport transport)
    {
        Run run = await RunAsync(transport, "keyed");

        Assert.Equal(Calls, run.Counter);
        Assert.All(run.Outcomes, o => Assert.Equal("ok", o.Value));
        Assert.Equal(Calls, run.Executions.Count);
        Assert.Empty(run.RunTwice);
        Assert.Equal(Calls, run.Values.Values.Distinct().Count());

        // The held calls' handlers ran again elsewhere (the effect did not), and answered what the first run counted.
        Assert.All(HeldIds, id => Assert.True(run.Runs[id] >= 2, $"call {id} ran {run.Runs[id]} time(s)"));
    }

    [RedisFact]
    public async Task Without_the_shared_store_the_same_kills_run_calls_twice()
    {
        // The control: it shows that the tests above would catch a fleet whose servers each know only their own calls.
        Run run = await RunAsync(RpcTransport.Tcp, "local");

        Assert.Superset(HeldIds.ToHashSet(), run.RunTwice.ToHashSet());
        Assert.True(run.Counter > run.Executions.Count);
    }

    private static IEnumerable<int> HeldIds => Enumerable.Range(1, Held).Select(i => -i);

    private async Task<Run> RunAsync(RpcTransport transport, string mode)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        string prefix = $"fleet:{Guid.NewGuid():N}:";
        var servers = new FleetServerProcess?[3];
        try
        {
            for (int i = 0; i < servers.Length; i++)
            {
                servers[i] = await FleetServerProcess.StartAsync(redis.Configuration, prefix, 0, 0, mode, hold: true);
            }

            IDatabase database = (await ConnectionMultiplexer.ConnectAsync(redis.Configuration)).GetDatabase();
            var options = new RpcClientOptions
            {
                RetryOnConnectionLoss = true,
                Timeout = TimeSpan.FromSeconds(120),
                RetransmitInterval = TimeSpan.FromMilliseconds(50),
                MaxRetransmitInterval = TimeSpan.FromMilliseconds(400),
                MaxInFlight = Workers + Held,
            };
            // Over UDP each server is behind a relay that loses one reply in 50: their retransmissions meet the store's replies.
            int replies = 0;
            using DisposableList<UdpRelay> relays = [.. servers.Select(s => new UdpRelay(s!.Udp, reply: _ => Interlocked.Increment(ref replies) % 50 != 0))];
            EndPoint[] endpoints = transport == RpcTransport.Tcp ? [.. servers.Select(s => s!.Tcp)] : [.. relays.Select(r => r.EndPoint)];
            await using RpcClient client = transport == RpcTransport.Tcp
                ? RpcClient.CreateTcp(RpcEndpointSource.Fixed(endpoints), FleetServer.Program, 1, options)
                : RpcClient.CreateUdp(RpcEndpointSource.Fixed(endpoints), FleetServer.Program, 1, options);

            var outcomes = new ConcurrentDictionary<int, string>();
            var values = new ConcurrentDictionary<int, int>();
            int answered = 0;
            async Task CallAsync(int id)
            {
                try
                {
                    values[id] = (await client.CallAsync<IntValue, IntValue>(FleetServer.Increment, new IntValue(id))).Value;
                    outcomes[id] = "ok";
                }
                catch (RpcException e)
                {
                    outcomes[id] = e.GetType().Name;
                }

                Interlocked.Increment(ref answered);
            }

            // The held calls first: each server runs one and holds it until it dies.
            Task[] held = [.. HeldIds.Select(id => Task.Run(() => CallAsync(id)))];
            await Waiting.UntilAsync(() => HeldIds.All(id => database.HashExists(prefix + "executions", id)), "the held calls run", seconds: 120);

            int next = 0;
            Task[] load = [.. Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                for (int id = Interlocked.Increment(ref next); id <= Calls - Held; id = Interlocked.Increment(ref next))
                {
                    await CallAsync(id);
                }
            }))];

            // One after another: kill a server while calls flow, let the others carry them, start it again on its ports.
            for (int i = 0; i < servers.Length; i++)
            {
                int mark = (i + 1) * Calls / (servers.Length + 1);
                await Waiting.UntilAsync(() => Volatile.Read(ref answered) >= mark, $"{mark} calls are answered", seconds: 120);
                FleetServerProcess killed = servers[i]!;
                killed.Kill();
                await Waiting.UntilAsync(() => Volatile.Read(ref answered) >= mark + 300, "the others carry the calls", seconds: 120);
                servers[i] = null;
                await killed.DisposeAsync();
                servers[i] = await FleetServerProcess.StartAsync(redis.Configuration, prefix, killed.Tcp.Port, killed.Udp.Port, mode, hold: false);
            }

            await Task.WhenAll([.. load, .. held]);

            var run = new Run(
                new Dictionary<int, string>(outcomes),
                new Dictionary<int, int>(values),
                (long)await database.StringGetAsync(prefix + "counter"),
                await ReadHashAsync(database, prefix + "executions"),
                await ReadHashAsync(database, prefix + "runs"),
                (await database.HashGetAllAsync(prefix + "lookups")).ToDictionary(e => (string)e.Name!, e => (long)e.Value));
            output.WriteLine(
                $"{transport}, {mode}: {outcomes.Count} calls; counter {run.Counter}; {run.Answered} answered with a value, {run.Refused} SYSTEM_ERR, " +
                $"{outcomes.Count - run.Answered - run.Refused} other failures; {run.Executions.Count} calls' effects happened, {run.RunTwice.Length} more than once; " +
                $"{run.Runs.Count(r => r.Value > 1)} handlers ran again; store lookups: {string.Join(", ", run.Lookups.OrderBy(l => l.Key).Select(l => $"{l.Key} {l.Value}"))}");
            Assert.Equal(Calls, outcomes.Count);
            return run;
        }
        finally
        {
            foreach (FleetServerProcess? server in servers)
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    /// <summary>A list that disposes its items.</summary>
    private sealed class DisposableList<T> : List<T>, IDisposable
        where T : IDisposable
    {
        public void Dispose() => ForEach(item => item.Dispose());
    }

    private static async Task<Dictionary<int, long>> ReadHashAsync(IDatabase database, string key) =>
        (await database.HashGetAllAsync(key)).ToDictionary(e => (int)e.Name, e => (long)e.Value);

    /// <summary>What a run left: each call's outcome and value, the counter, each call's effects and handler runs (by id), the store's lookups.</summary>
    private sealed record Run(Dictionary<int, string> Outcomes, Dictionary<int, int> Values, long Counter, Dictionary<int, long> Executions, Dictionary<int, long> Runs, Dictionary<string, long> Lookups)
    {
        public int Answered => Outcomes.Count(o => o.Value == "ok");

        public int Refused => Outcomes.Count(o => o.Value == nameof(RpcSystemErrorException));

        public int[] RunTwice => [.. Executions.Where(e => e.Value > 1).Select(e => e.Key)];
    }

    /// <summary>A fleet server as a child process, stopped by PID when disposed.</summary>
    private sealed class FleetServerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private FleetServerProcess(Process process, IPEndPoint tcp, IPEndPoint udp)
        {
            _process = process;
            Tcp = tcp;
            Udp = udp;
        }

        public IPEndPoint Tcp { get; }

        public IPEndPoint Udp { get; }

        public static async Task<FleetServerProcess> StartAsync(string redis, string prefix, int tcpPort, int udpPort, string mode, bool hold)
        {
            var start = new ProcessStartInfo(NativeToolchain.Dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { typeof(FleetServer).Assembly.Location, "fleet-server", redis, prefix, tcpPort.ToString(CultureInfo.InvariantCulture), udpPort.ToString(CultureInfo.InvariantCulture), mode, hold ? "hold" : "no-hold" })
            {
                start.ArgumentList.Add(argument);
            }

            Process process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ready ", StringComparison.Ordinal))
                {
                    string[] ports = line.Split(' ');
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new FleetServerProcess(
                        process,
                        new IPEndPoint(IPAddress.Loopback, int.Parse(ports[1], CultureInfo.InvariantCulture)),
                        new IPEndPoint(IPAddress.Loopback, int.Parse(ports[2], CultureInfo.InvariantCulture)));
                }
            }

            process.Kill();
            await process.WaitForExitAsync();
            throw new InvalidOperationException("the fleet server ended before it was ready");
        }

        /// <summary>SIGKILL: no shutdown, no goodbye, its lease left to run out.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                    await _process.WaitForExitAsync();
                }
            }

            _process.Dispose();
        }
    }
}
