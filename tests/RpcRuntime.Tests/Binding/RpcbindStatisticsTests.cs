using NetRpc.Runtime.Binding;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>GETSTAT's counts kept as native rpcbind keeps them (observed, docs/rpcbind.md).</summary>
public class RpcbindStatisticsTests
{
    [Fact]
    public void Lookups_are_listed_newest_key_first_with_successes_and_failures()
    {
        var statistics = new RpcbindStatistics();
        statistics.LookedUp(4, 1, 1, "udp", found: true);
        statistics.LookedUp(4, 2, 1, "local", found: false);
        statistics.LookedUp(4, 1, 1, "udp", found: false);

        RpcbAddressStat first = statistics.Snapshot()[2].Lookups!;
        Assert.Equal((2u, 1u, "local", 0, 1), (first.Prog, first.Vers, first.Netid, first.Successes, first.Failures));
        RpcbAddressStat second = first.Next!;
        Assert.Equal((1u, 1u, "udp", 1, 1), (second.Prog, second.Vers, second.Netid, second.Successes, second.Failures));
        Assert.Null(second.Next);
        Assert.Null(statistics.Snapshot()[1].Lookups);
    }

    [Fact]
    public void Calls_to_forward_count_indirect_as_native_rpcbind_does()
    {
        var statistics = new RpcbindStatistics();
        statistics.Forwarded(4, indirect: false, 7, 1, 0, "udp", registered: true);  // BCAST first: "indirect" 1 all the same
        statistics.Forwarded(4, indirect: false, 7, 1, 0, "udp", registered: true);
        statistics.Forwarded(4, indirect: true, 7, 1, 0, "udp", registered: false);

        RpcbCallStat calls = statistics.Snapshot()[2].Calls!;
        Assert.Equal((2, 1, 2), (calls.Successes, calls.Failures, calls.Indirect));
    }

    [Fact]
    public void Only_sets_and_unsets_that_succeeded_count_and_lists_stay_bounded()
    {
        var statistics = new RpcbindStatistics();
        statistics.Changed(3, set: true, succeeded: true);
        statistics.Changed(3, set: true, succeeded: false);
        statistics.Changed(3, set: false, succeeded: false);
        for (uint program = 0; program < RpcbindStatistics.MaxListEntries + 10; program++)
        {
            statistics.LookedUp(2, program, 1, "udp", found: false);
        }

        RpcbStat v3 = statistics.Snapshot()[1];
        Assert.Equal((1, 0), (v3.Sets, v3.Unsets));
        int listed = 0;
        for (RpcbAddressStat? entry = statistics.Snapshot()[0].Lookups; entry is not null; entry = entry.Next)
        {
            listed++;
        }

        Assert.Equal(RpcbindStatistics.MaxListEntries, listed);
    }
}
