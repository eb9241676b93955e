using NetRpc.Testing;

namespace NetRpc.Fuzz.Tests;

/// <summary>Every type generated from libnfs-nfs4.x, made with <c>new T()</c>, encodes and decodes back the same bytes.</summary>
public class GeneratedDefaultsTests
{
    [Fact]
    public void Every_nfs4_type_made_with_new_round_trips()
    {
        (List<Type> checkedTypes, List<string> failures) = DefaultValues.RoundTripAll(typeof(NetRpc.Fuzz.Nfs4.AuthsysParms).Assembly, "NetRpc.Fuzz.Nfs4");
        Assert.Empty(failures);
        Assert.True(checkedTypes.Count > 100, $"{checkedTypes.Count} types");
    }
}
