using NetRpc.Runtime.Binding;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// The registry's quotas: per owner, and the part only the superuser may fill (issue 13: one local user filled it all);
/// and native rpcbind's rules for finding and removing registrations (observed, docs/rpcbind.md).
/// </summary>
public class RpcbindRegistryTests
{
    [Fact]
    public void An_owner_other_than_the_superuser_holds_at_most_its_quota()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 4, reservedForSuperuser: 16);

        Assert.Equal(4, Fill(registry, "unknown", first: 1000));
        Assert.Equal(4, Fill(registry, "65534", first: 2000)); // another owner has a quota of its own
        Assert.False(registry.Set(Mapping(1100, "unknown")));
    }

    [Fact]
    public void Owners_together_cannot_take_the_part_kept_for_the_superuser()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 8, reservedForSuperuser: 16);
        int taken = 0;
        for (int uid = 1000; uid < 1020; uid++)
        {
            taken += Fill(registry, uid.ToString(System.Globalization.CultureInfo.InvariantCulture), first: (uint)uid * 100);
        }

        Assert.Equal(64 - 16, taken);
        Assert.Equal(16, Fill(registry, RpcbindRegistry.Superuser, first: 900_000));
        Assert.Equal(64, registry.All().Length); // and no more, for anyone: the registry stays bounded
    }

    [Fact]
    public void The_superuser_is_held_only_by_the_registry_size()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 4, reservedForSuperuser: 16);

        Assert.Equal(64, Fill(registry, RpcbindRegistry.Superuser, first: 1));
        Assert.False(registry.Set(Mapping(5000, "unknown")));
    }

    [Fact]
    public void Unset_gives_the_place_back_to_its_owner()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 2, reservedForSuperuser: 16);
        Assert.Equal(2, Fill(registry, "unknown", first: 10));

        Assert.True(registry.Unset(10, 1, "", "unknown"));
        Assert.True(registry.Set(Mapping(20, "unknown")));
        Assert.False(registry.Set(Mapping(21, "unknown")));

        // The superuser may remove anyone's: the place goes back to that owner, not to the superuser.
        Assert.True(registry.Unset(11, 1, "", RpcbindRegistry.Superuser));
        Assert.True(registry.Set(Mapping(22, "unknown")));
    }

    [Fact]
    public void An_identical_set_over_quota_still_succeeds_as_it_changes_nothing()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 1, reservedForSuperuser: 16);
        Assert.True(registry.Set(Mapping(7, "unknown")));

        Assert.True(registry.Set(Mapping(7, "unknown")));
        Assert.Single(registry.All());
    }

    [Fact]
    public void Find_takes_the_version_asked_else_the_last_other_one_and_netids_match_without_case()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 64, reservedForSuperuser: 0);
        foreach ((uint version, string netId) in new[] { (1u, "udp"), (3u, "udp"), (2u, "udp"), (1u, "TCP"), (5u, "udp") })
        {
            Assert.True(registry.Set(new Registration(7, version, netId, $"127.0.0.1.8.{version}", RpcbindRegistry.Superuser)));
        }

        Assert.Equal(3u, registry.Find(7, 3, "udp", exactVersion: false)!.Version);
        Assert.Equal(5u, registry.Find(7, 4, "udp", exactVersion: false)!.Version); // the last registered, not the first
        Assert.Null(registry.Find(7, 4, "udp", exactVersion: true));
        Assert.Equal("TCP", registry.Find(7, 1, "tcp", exactVersion: true)!.NetId);
        Assert.Equal((1u, 5u), registry.Versions(7, "udp"));

        // tcp is TCP: the same address is TRUE (and nothing is added), another is FALSE.
        Assert.True(registry.Set(new Registration(7, 1, "tcp", "127.0.0.1.8.1", RpcbindRegistry.Superuser)));
        Assert.False(registry.Set(new Registration(7, 1, "tcp", "127.0.0.1.9.9", RpcbindRegistry.Superuser)));
        Assert.Equal(5, registry.All().Length);
    }

    [Fact]
    public void Unset_stops_false_at_the_first_registration_its_caller_may_not_remove_keeping_what_it_removed()
    {
        var registry = new RpcbindRegistry(maxRegistrations: 64, maxPerOwner: 64, reservedForSuperuser: 0);
        Assert.True(registry.Set(new Registration(8, 1, "udp", "127.0.0.1.1.1", "unknown")));
        Assert.True(registry.Set(new Registration(8, 1, "tcp", "127.0.0.1.1.2", RpcbindRegistry.Superuser)));
        Assert.True(registry.Set(new Registration(8, 1, "udp6", "::1.1.3", "unknown")));

        Assert.False(registry.Unset(8, 1, "", "unknown"));
        Assert.Equal(["tcp", "udp6"], registry.All().Select(r => r.NetId));
        Assert.True(registry.Unset(8, 1, "UDP6", "unknown"));
        Assert.True(registry.Unset(9, 1, "", "unknown")); // nothing to remove is TRUE
        Assert.Equal(["tcp"], registry.All().Select(r => r.NetId));
    }

    /// <summary>SETs of programs from <paramref name="first"/> on until one is refused; how many were taken.</summary>
    private static int Fill(RpcbindRegistry registry, string owner, uint first)
    {
        int taken = 0;
        while (taken <= 4096 && registry.Set(Mapping(first + (uint)taken, owner)))
        {
            taken++;
        }

        return taken;
    }

    private static Registration Mapping(uint program, string owner) => new(program, 1, "tcp", "127.0.0.1.16.1", owner);
}
