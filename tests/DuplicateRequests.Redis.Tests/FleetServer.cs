using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Runtime.Server;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// A server of the fleet the fleet tests kill: program 0x20000999 version 1, procedure 1 INCREMENT(int id) int, which
/// adds one to the shared counter (<c>PREFIX counter</c> in Redis), counts the id's execution (<c>PREFIX executions</c>,
/// the ground truth, in the same transaction) and returns the counter's new value. With <c>hold</c> it holds negative ids
/// after running them until it dies, so that a kill surely finds calls running. Modes:
/// <list type="bullet">
/// <item><c>shared</c>: the duplicate request cache is the fleet's store in the same Redis (key prefix PREFIX, a short
/// lease so that a death is known soon); the procedure is not idempotent, and interrupted calls are refused.</item>
/// <item><c>keyed</c>: the same store; the procedure keys its effect on the call's fleet-wide id (applied once, whatever
/// runs it), and interrupted calls run again. Its invocations are counted apart (<c>PREFIX runs</c>).</item>
/// <item><c>local</c>: the control: each server's own caches, as before fleets.</item>
/// </list>
/// Lookups in the store are counted into <c>PREFIX lookups</c> (by result), which outlives the process. It prints
/// <c>ready TCPPORT UDPPORT</c> once serving, and stops when its standard input closes.
/// </summary>
internal static class FleetServer
{
    public const uint Program = 0x20000999;
    public const uint Increment = 1;

    /// <summary>
    /// The lease the fleet servers keep: a killed server's calls are known as interrupted this long after it died. Short, so
    /// that the test is; on a loaded machine a live server may miss a renewal, and its calls are then refused (or run
    /// again, keyed) elsewhere while it runs them, which the assertions allow: nothing runs twice either way.
    /// </summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(2);

    // KEYS[1] the call's applied mark, KEYS[2] the counter, KEYS[3] the executions; ARGV[1] the id. The effect, once per call.
    private const string ApplyOnce = """
        local done = redis.call('GET', KEYS[1])
        if done then return tonumber(done) end
        local counter = redis.call('INCR', KEYS[2])
        redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
        redis.call('SET', KEYS[1], counter, 'EX', 3600)
        return counter
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string redisConfiguration, string prefix, string tcpPort, string udpPort, string mode, string hold] || mode is not ("shared" or "keyed" or "local"))
        {
            await Console.Error.WriteLineAsync("usage: fleet-server REDIS PREFIX TCPPORT UDPPORT shared|keyed|local hold|no-hold");
            return 2;
        }

        await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(redisConfiguration);
        IDatabase database = redis.GetDatabase();
        await using RedisDuplicateRequestStore? store = mode == "local" ? null : await RedisDuplicateRequestStore.CreateAsync(redis, new RedisDuplicateRequestStoreOptions { KeyPrefix = prefix, LeaseTime = LeaseTime });
        using MeterListener lookups = CountLookups(database, prefix + "lookups");

        var options = store is null
            ? new RpcServerOptions { TcpDuplicateRequestCache = new DuplicateRequestCacheOptions(), UdpDuplicateRequestCache = new DuplicateRequestCacheOptions() }
            : new RpcServerOptions { DuplicateRequestStore = store };
        await using var server = new RpcServer(options);
        RpcProgram program = new RpcProgramBuilder(Program, 1, "FLEET")
            .AddProcedure<IntValue, IntValue>(Increment, "INCREMENT", async (id, context) =>
            {
                long counter;
                if (mode == "keyed")
                {
                    await database.HashIncrementAsync(prefix + "runs", id.Value);
                    string applied = prefix + "applied:" + context.DuplicateRequest!.Id.ToString("x32", CultureInfo.InvariantCulture);
                    counter = (long)await database.ScriptEvaluateAsync(ApplyOnce, [applied, prefix + "counter", prefix + "executions"], [id.Value]);
                }
                else
                {
                    ITransaction transaction = database.CreateTransaction();
                    Task<long> incremented = transaction.StringIncrementAsync(prefix + "counter");
                    _ = transaction.HashIncrementAsync(prefix + "executions", id.Value);
                    await transaction.ExecuteAsync();
                    counter = await incremented;
                }

                if (id.Value < 0 && hold == "hold")
                {
                    await Task.Delay(Timeout.Infinite);
                }

                return new IntValue((int)counter);
            })
            .Build();
        server.AddProgram(mode == "keyed" ? program.WhenCallsAreInterrupted(InterruptedCallPolicy.RunAgain) : program);
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, int.Parse(tcpPort, CultureInfo.InvariantCulture)));
        IPEndPoint udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, int.Parse(udpPort, CultureInfo.InvariantCulture)));
        Console.WriteLine($"ready {tcp.Port} {udp.Port}");
        await Console.In.ReadToEndAsync();
        await server.StopAsync();
        return 0;
    }

    /// <summary>Counts the server's duplicate request cache lookups, by result, into a Redis hash.</summary>
    private static MeterListener CountLookups(IDatabase database, string key)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "rpc.server.duplicate_request_cache")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "rpc.duplicate_request_cache.result")
                {
                    _ = database.HashIncrementAsync(key, (string)tag.Value!, value, CommandFlags.FireAndForget);
                }
            }
        });
        listener.Start();
        return listener;
    }
}
