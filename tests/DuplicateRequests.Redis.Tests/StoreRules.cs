using System.Text;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Runtime.DuplicateRequests;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// The store's rules, whatever server speaks the Redis protocol behind it (<see cref="RedisStoreTests"/> runs them on
/// Debian's redis-server, <see cref="GarnetStoreTests"/> on Microsoft Garnet): one record per call, owned by a server
/// with a lease. Each test keeps to a key prefix of its own.
/// </summary>
internal static class StoreRules
{
    public static readonly byte[] Client = [4, 10, 0, 0, 7, 0, 0, 0, 0];

    /// <summary>The damaged and foreign records <see cref="DamagedOrForeignRecordAsync"/> plants.</summary>
    public static TheoryData<string> Damages => ["empty", "foreign value", "cut short", "length too long", "bad state", "another call", "another call running"];

    public static async Task OneRunAndTheStoredReplyAsync(string configuration)
    {
        var options = Options(configuration);
        await using RedisDuplicateRequestStore store = await Connect(options);
        DuplicateRequestCall call = Call(1, "add 1");

        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(call, default)).Status);
        Assert.Equal(DuplicateRequestStatus.Running, (await store.BeginAsync(Call(1, "add 1"), default)).Status);

        byte[] reply = Encoding.ASCII.GetBytes("the reply, xid first");
        store.Complete(call, reply);
        DuplicateRequestLookup done = await WaitForAsync(store, Call(1, "add 1"), DuplicateRequestStatus.Done);
        Assert.Equal(reply, done.Reply.ToArray());

        // Another call (XID, arguments or caller differ) is new.
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(Call(2, "add 1"), default)).Status);
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(Call(1, "add 2"), default)).Status);
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(Call(1, "add 1", caller: [4, 10, 0, 0, 8, 0, 0, 0, 0]), default)).Status);
    }

    public static async Task OneOfRacingServersRunsAsync(string configuration)
    {
        var options = Options(configuration);
        RedisDuplicateRequestStore[] servers = [await Connect(options), await Connect(options), await Connect(options)];
        try
        {
            const int Calls = 300;
            Task<DuplicateRequestLookup>[] lookups = [.. Enumerable.Range(0, Calls).SelectMany(xid => servers.Select(s => Task.Run(async () => await s.BeginAsync(Call((uint)xid, "inc"), default))))];
            DuplicateRequestLookup[] found = await Task.WhenAll(lookups);
            foreach (IGrouping<int, DuplicateRequestLookup> call in found.Select((l, i) => (l, i)).GroupBy(x => x.i / servers.Length, x => x.l))
            {
                Assert.Equal(1, call.Count(l => l.Status == DuplicateRequestStatus.New));
                Assert.Equal(servers.Length - 1, call.Count(l => l.Status == DuplicateRequestStatus.Running));
            }
        }
        finally
        {
            foreach (RedisDuplicateRequestStore server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    public static async Task LiveAndDeadServersAsync(string configuration)
    {
        var options = Options(configuration);
        await using RedisDuplicateRequestStore b = await Connect(options);
        DuplicateRequestCall call = Call(7, "remove f");

        // A server that stops in good order gives its lease up: what it left running is known at once.
        RedisDuplicateRequestStore a = await Connect(options);
        Assert.Equal(DuplicateRequestStatus.New, (await a.BeginAsync(call, default)).Status);
        Assert.Equal(DuplicateRequestStatus.Running, (await b.BeginAsync(call, default)).Status);
        await a.DisposeAsync();
        Assert.Equal(DuplicateRequestStatus.Interrupted, (await b.BeginAsync(call, default)).Status);

        // A server that dies says nothing: its lease runs out.
        DuplicateRequestCall other = Call(8, "remove g");
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        RedisDuplicateRequestStore dying = await RedisDuplicateRequestStore.CreateAsync(connection, options with { LeaseTime = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(DuplicateRequestStatus.New, (await dying.BeginAsync(other, default)).Status);
        Assert.Equal(DuplicateRequestStatus.Running, (await b.BeginAsync(other, default)).Status);
        await connection.DisposeAsync(); // no renewal from now on, and no goodbye
        await WaitForAsync(b, other, DuplicateRequestStatus.Interrupted);

        // Whoever answers it stores that answer: it is then served as any reply.
        b.Complete(other, "SYSTEM_ERR"u8);
        Assert.Equal("SYSTEM_ERR"u8.ToArray(), (await WaitForAsync(b, other, DuplicateRequestStatus.Done)).Reply.ToArray());
    }

    public static async Task AbandonForgetsOnlyItsOwnRecordAsync(string configuration)
    {
        var options = Options(configuration);
        await using RedisDuplicateRequestStore a = await Connect(options);
        await using RedisDuplicateRequestStore b = await Connect(options);
        DuplicateRequestCall call = Call(9, "no reply");

        Assert.Equal(DuplicateRequestStatus.New, (await a.BeginAsync(call, default)).Status);
        a.Abandon(call);
        await WaitForAsync(b, call, DuplicateRequestStatus.New);

        // b now runs it; a forgetting it again (late, or forged) leaves b's record alone.
        a.Abandon(call);
        await a.BeginAsync(Call(10, "a later call"), default); // behind the Abandon on the same connection
        Assert.Equal(DuplicateRequestStatus.Running, (await a.BeginAsync(call, default)).Status);
    }

    public static async Task ReplyOverTheBoundIsNotKeptAsync(string configuration)
    {
        var options = Options(configuration) with { MaxReplyBytes = 16 };
        await using RedisDuplicateRequestStore store = await Connect(options);
        DuplicateRequestCall call = Call(11, "read");
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(call, default)).Status);
        store.Complete(call, new byte[17]);
        await WaitForAsync(store, call, DuplicateRequestStatus.New);
    }

    public static async Task DamagedOrForeignRecordAsync(string configuration, string damage)
    {
        var options = Options(configuration);
        await using RedisDuplicateRequestStore store = await Connect(options);
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        DuplicateRequestCall call = Call(12, "create f");
        byte[] good = StoreRecord.ForAnswered(Encoding.ASCII.GetBytes(new string('a', 32)), call.Identity, "reply"u8);
        byte[] record = damage switch
        {
            "empty" => [],
            "foreign value" => "some other application's value"u8.ToArray(),
            "cut short" => good[..^1],
            "length too long" => [.. good, 0],
            "bad state" => [.. good[..4], 9, .. good[5..]],
            "another call running" => StoreRecord.ForRunning(Encoding.ASCII.GetBytes(new string('b', 32)), Call(13, "create f").Identity),
            _ => StoreRecord.ForAnswered(Encoding.ASCII.GetBytes(new string('a', 32)), Call(13, "create f").Identity, "reply"u8),
        };
        await connection.GetDatabase().StringSetAsync(options.KeyPrefix + "call:" + call.Id.ToString("x32", null), record);

        Assert.Equal(DuplicateRequestStatus.Interrupted, (await store.BeginAsync(call, default)).Status);

        // Nor is it taken over by a program that runs interrupted calls again: whose it is, and what it did, is unknown.
        Assert.Equal(DuplicateRequestStatus.Interrupted, (await store.BeginAsync(new DuplicateRequestCall(12, 0x20000777, 1, 1, "create f"u8, Client) { RunAgainIfInterrupted = true }, default)).Status);
    }

    public static RedisDuplicateRequestStoreOptions Options(string configuration) => new()
    {
        Configuration = configuration,
        KeyPrefix = $"test:{Guid.NewGuid():N}:",
    };

    public static Task<RedisDuplicateRequestStore> Connect(RedisDuplicateRequestStoreOptions options) => RedisDuplicateRequestStore.ConnectAsync(options);

    public static DuplicateRequestCall Call(uint xid, string arguments, byte[]? caller = null) =>
        new(xid, 0x20000777, 1, 1, Encoding.ASCII.GetBytes(arguments), caller ?? Client);

    /// <summary>Asks until the store says <paramref name="status"/>: writes are pipelined, not awaited.</summary>
    public static async Task<DuplicateRequestLookup> WaitForAsync(RedisDuplicateRequestStore store, DuplicateRequestCall call, DuplicateRequestStatus status)
    {
        DuplicateRequestLookup lookup = default;
        await Waiting.UntilAsync(async () => (lookup = await store.BeginAsync(call, default)).Status == status, $"the store says {status}");
        return lookup;
    }
}
