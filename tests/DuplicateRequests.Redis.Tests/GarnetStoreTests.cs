using NetRpc.DuplicateRequests.Redis.Tests.Support;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// The store's rules (<see cref="StoreRules"/>) on Microsoft Garnet (the garnet-server .NET tool, with Lua scripting on):
/// the store is meant for anything that speaks the Redis protocol and runs its scripts, not for Redis alone.
/// </summary>
public sealed class GarnetStoreTests(GarnetFixture garnet) : IClassFixture<GarnetFixture>
{
    [GarnetFact]
    public Task A_new_call_runs_once_and_its_retransmission_gets_the_stored_reply() => StoreRules.OneRunAndTheStoredReplyAsync(garnet.Server.Configuration);

    [GarnetFact]
    public Task Of_servers_that_begin_the_same_calls_at_once_exactly_one_runs_each() => StoreRules.OneOfRacingServersRunsAsync(garnet.Server.Configuration);

    [GarnetFact]
    public Task A_call_running_on_a_live_server_is_dropped_elsewhere_and_refused_once_that_server_is_gone() => StoreRules.LiveAndDeadServersAsync(garnet.Server.Configuration);

    [GarnetFact]
    public Task An_abandoned_call_runs_again_but_only_its_own_record_is_forgotten() => StoreRules.AbandonForgetsOnlyItsOwnRecordAsync(garnet.Server.Configuration);

    [GarnetFact]
    public Task A_reply_over_the_bound_is_not_kept() => StoreRules.ReplyOverTheBoundIsNotKeptAsync(garnet.Server.Configuration);

    [GarnetTheory]
    [MemberData(nameof(StoreRules.Damages), MemberType = typeof(StoreRules))]
    public Task A_damaged_or_foreign_record_is_refused_as_interrupted_never_run_nor_served(string damage) => StoreRules.DamagedOrForeignRecordAsync(garnet.Server.Configuration, damage);
}
