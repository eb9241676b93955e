using System.Diagnostics;
using System.Text;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Runtime.DuplicateRequests;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// The store's rules (<see cref="StoreRules"/>) against Debian's redis-server, and what only a server of its own shows:
/// an unreachable store, and one killed and brought back with its data.
/// </summary>
public sealed class RedisStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [RedisFact]
    public Task A_new_call_runs_once_and_its_retransmission_gets_the_stored_reply() => StoreRules.OneRunAndTheStoredReplyAsync(redis.Server.Configuration);

    [RedisFact]
    public Task Of_servers_that_begin_the_same_calls_at_once_exactly_one_runs_each() => StoreRules.OneOfRacingServersRunsAsync(redis.Server.Configuration);

    [RedisFact]
    public Task A_call_running_on_a_live_server_is_dropped_elsewhere_and_refused_once_that_server_is_gone() => StoreRules.LiveAndDeadServersAsync(redis.Server.Configuration);

    [RedisFact]
    public Task An_abandoned_call_runs_again_but_only_its_own_record_is_forgotten() => StoreRules.AbandonForgetsOnlyItsOwnRecordAsync(redis.Server.Configuration);

    [RedisFact]
    public Task A_reply_over_the_bound_is_not_kept() => StoreRules.ReplyOverTheBoundIsNotKeptAsync(redis.Server.Configuration);

    [RedisTheory]
    [MemberData(nameof(StoreRules.Damages), MemberType = typeof(StoreRules))]
    public Task A_damaged_or_foreign_record_is_refused_as_interrupted_never_run_nor_served(string damage) => StoreRules.DamagedOrForeignRecordAsync(redis.Server.Configuration, damage);

    [RedisFact]
    public async Task A_store_that_cannot_be_reached_fails_the_lookup_and_is_used_once_it_can()
    {
        await using RedisServer later = await RedisServer.StartAsync();
        later.Kill();
        var options = StoreRules.Options(redis.Server.Configuration) with { Configuration = later.Configuration };
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
        var options = StoreRules.Options(redis.Server.Configuration) with { Configuration = own.Configuration, LeaseTime = TimeSpan.FromMilliseconds(300) };
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

    private static Task<RedisDuplicateRequestStore> Connect(RedisDuplicateRequestStoreOptions options) => StoreRules.Connect(options);

    private static DuplicateRequestCall Call(uint xid, string arguments) => StoreRules.Call(xid, arguments);

    private static Task<DuplicateRequestLookup> WaitForAsync(RedisDuplicateRequestStore store, DuplicateRequestCall call, DuplicateRequestStatus status) => StoreRules.WaitForAsync(store, call, status);
}
