using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>Every type generated from rich.x, made with <c>new T()</c>, encodes and decodes back the same bytes.</summary>
public class GeneratedDefaultsTests
{
    [Fact]
    public void Every_rich_x_type_made_with_new_round_trips()
    {
        (List<Type> checkedTypes, List<string> failures) = DefaultValues.RoundTripAll(typeof(Everything).Assembly, "Rich");
        Assert.Empty(failures);
        Assert.Contains(typeof(Everything), checkedTypes);
        Assert.True(checkedTypes.Count >= 3, string.Join(", ", checkedTypes));
    }
}
