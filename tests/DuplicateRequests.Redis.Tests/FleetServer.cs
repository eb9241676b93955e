using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Runtime.Server;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// A server of the fleet the fleet tests kill: program 0x20000999 version 1, procedure 1 INCREMENT(int id) int, which
/// is not idempotent: in one transaction it adds one to the shared counter (<c>PREFIX counter</c> in Redis) and to the
/// id's count of executions (<c>PREFIX executions</c>, the ground truth), and returns the counter's new value. It holds
/// negative ids after running them until it dies, so that a kill surely finds calls running. Its duplicate request
/// cache is the fleet's store in the same Redis (key prefix PREFIX), with a short lease so that a death is known soon.
/// Its lookups in the store are counted into <c>PREFIX lookups</c> (by result), which outlives the process. It prints
/// <c>ready TCPPORT UDPPORT</c> once serving, and stops when its standard input closes.
/// </summary>
internal static class FleetServer
{
    public const uint Program = 0x20000999;
    public const uint Increment = 1;

    /// <summary>The lease the fleet servers keep: a killed server's calls are known as interrupted this long after it died.</summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string redisConfiguration, string prefix, string tcpPort, string udpPort])
        {
            await Console.Error.WriteLineAsync("usage: fleet-server REDIS PREFIX TCPPORT UDPPORT");
            return 2;
        }

        await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(redisConfiguration);
        IDatabase database = redis.GetDatabase();
        await using RedisDuplicateRequestStore store = await RedisDuplicateRequestStore.CreateAsync(redis, new RedisDuplicateRequestStoreOptions { KeyPrefix = prefix, LeaseTime = LeaseTime });
        using MeterListener lookups = CountLookups(database, prefix + "lookups");

        var options = new RpcServerOptions { DuplicateRequestStore = store };
        await using var server = new RpcServer(options);
        server.AddProgram(new RpcProgramBuilder(Program, 1, "FLEET")
            .AddProcedure<IntValue, IntValue>(Increment, "INCREMENT", async (id, context) =>
            {
                ITransaction transaction = database.CreateTransaction();
                Task<long> counter = transaction.StringIncrementAsync(prefix + "counter");
                _ = transaction.HashIncrementAsync(prefix + "executions", id.Value);
                await transaction.ExecuteAsync();
                if (id.Value < 0)
                {
                    await Task.Delay(Timeout.Infinite);
                }

                return new IntValue((int)await counter);
            })
            .Build());
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
