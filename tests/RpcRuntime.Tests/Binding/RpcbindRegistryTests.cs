using NetRpc.Runtime.Binding;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>The registry's quotas: per owner, and the part only the superuser may fill (issue 13: one local user filled it all).</summary>
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

        Assert.True(registry.Unset(10, 1, [], "unknown", superuser: false));
        Assert.True(registry.Set(Mapping(20, "unknown")));
        Assert.False(registry.Set(Mapping(21, "unknown")));

        // The superuser may remove anyone's: the place goes back to that owner, not to the superuser.
        Assert.True(registry.Unset(11, 1, [], RpcbindRegistry.Superuser, superuser: true));
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
