using System.Diagnostics;
using System.Text;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Runtime.DuplicateRequests;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>The store's rules, against a real redis-server: one record per call, owned by a server with a lease.</summary>
public sealed class RedisStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly byte[] Client = [4, 10, 0, 0, 7, 0, 0, 0, 0];

    [RedisFact]
    public async Task A_new_call_runs_once_and_its_retransmission_gets_the_stored_reply()
    {
        var options = Options();
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

    [RedisFact]
    public async Task Of_servers_that_begin_the_same_calls_at_once_exactly_one_runs_each()
    {
        var options = Options();
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

    [RedisFact]
    public async Task A_call_running_on_a_live_server_is_dropped_elsewhere_and_refused_once_that_server_is_gone()
    {
        var options = Options();
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
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        RedisDuplicateRequestStore dying = await RedisDuplicateRequestStore.CreateAsync(connection, options with { LeaseTime = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(DuplicateRequestStatus.New, (await dying.BeginAsync(other, default)).Status);
        Assert.Equal(DuplicateRequestStatus.Running, (await b.BeginAsync(other, default)).Status);
        await connection.DisposeAsync(); // no renewal from now on, and no goodbye
        await WaitForAsync(b, other, DuplicateRequestStatus.Interrupted);

        // Whoever answers it stores that answer: it is then served as any reply.
        b.Complete(other, "SYSTEM_ERR"u8);
        Assert.Equal("SYSTEM_ERR"u8.ToArray(), (await WaitForAsync(b, other, DuplicateRequestStatus.Done)).Reply.ToArray());
    }

    [RedisFact]
    public async Task An_abandoned_call_runs_again_but_only_its_own_record_is_forgotten()
    {
        var options = Options();
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

    [RedisFact]
    public async Task A_reply_over_the_bound_is_not_kept()
    {
        var options = Options() with { MaxReplyBytes = 16 };
        await using RedisDuplicateRequestStore store = await Connect(options);
        DuplicateRequestCall call = Call(11, "read");
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(call, default)).Status);
        store.Complete(call, new byte[17]);
        await WaitForAsync(store, call, DuplicateRequestStatus.New);
    }

    [RedisTheory]
    [InlineData("empty")]
    [InlineData("foreign value")]
    [InlineData("cut short")]
    [InlineData("length too long")]
    [InlineData("bad state")]
    [InlineData("another call")]
    [InlineData("another call running")]
    public async Task A_damaged_or_foreign_record_is_refused_as_interrupted_never_run_nor_served(string damage)
    {
        var options = Options();
        await using RedisDuplicateRequestStore store = await Connect(options);
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
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

    [RedisFact]
    public async Task A_store_that_cannot_be_reached_fails_the_lookup_and_is_used_once_it_can()
    {
        await using RedisServer later = await RedisServer.StartAsync();
        later.Kill();
        var options = Options() with { Configuration = later.Configuration };
        await Assert.ThrowsAsync<RedisConnectionException>(() => RedisDuplicateRequestStore.ConnectAsync(options));

        // Made by dependency injection: it connects when asked, and again after a failure.
        await using var store = new RedisDuplicateRequestStore(options);
        await Assert.ThrowsAnyAsync<RedisException>(async () => await store.BeginAsync(Call(1, "x"), default));
        await later.StartAgainAsync();
        Assert.Equal(DuplicateRequestStatus.New, (await store.BeginAsync(Call(1, "x"), default)).Status);
    }

    [RedisFact]
    public async Task A_reply_the_store_could_not_take_is_served_by_its_server_and_written_once_the_store_is_back()
    {
        await using RedisServer own = await RedisServer.StartAsync(persistent: true);
        var options = Options() with { Configuration = own.Configuration, LeaseTime = TimeSpan.FromMilliseconds(300) };
        await using RedisDuplicateRequestStore a = await Connect(options);
        DuplicateRequestCall call = Call(14, "write");
        Assert.Equal(DuplicateRequestStatus.New, (await a.BeginAsync(call, default)).Status);

        own.Kill();
        a.Complete(call, "the reply"u8);
        Assert.Equal("the reply"u8.ToArray(), (await a.BeginAsync(call, default)).Reply.ToArray());

        // Back with what it had (the call recorded as running on a): a writes the reply with its next lease.
        await own.StartAgainAsync();
        await using RedisDuplicateRequestStore b = await Connect(options);
        Assert.Equal("the reply"u8.ToArray(), (await WaitForAsync(b, call, DuplicateRequestStatus.Done)).Reply.ToArray());
    }

    private RedisDuplicateRequestStoreOptions Options() => new()
    {
        Configuration = redis.Server.Configuration,
        KeyPrefix = $"test:{Guid.NewGuid():N}:",
    };

    private static Task<RedisDuplicateRequestStore> Connect(RedisDuplicateRequestStoreOptions options) => RedisDuplicateRequestStore.ConnectAsync(options);

    private static DuplicateRequestCall Call(uint xid, string arguments, byte[]? caller = null) =>
        new(xid, 0x20000777, 1, 1, Encoding.ASCII.GetBytes(arguments), caller ?? Client);

    /// <summary>Asks until the store says <paramref name="status"/>: writes are pipelined, not awaited.</summary>
    private static async Task<DuplicateRequestLookup> WaitForAsync(RedisDuplicateRequestStore store, DuplicateRequestCall call, DuplicateRequestStatus status)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            DuplicateRequestLookup lookup = await store.BeginAsync(call, default);
            if (lookup.Status == status)
            {
                return lookup;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the store still says {lookup.Status}, not {status}");
            await Task.Delay(20);
        }
    }
}
