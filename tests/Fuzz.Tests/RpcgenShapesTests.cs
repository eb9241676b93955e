using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Targets;
using NetRpc.RpcGen;

namespace NetRpc.Fuzz.Tests;

/// <summary>The rpcgen target's seeds of chains and guarded includes: there, within the input bound, and each what it claims to be.</summary>
public class RpcgenShapesTests
{
    public static TheoryData<int> Shapes => [.. Enumerable.Range(0, RpcgenShapes.All.Count())];

    [Fact]
    public void The_shapes_are_among_the_targets_seeds()
    {
        using var target = new RpcgenTarget();
        string[] seeds = [.. target.Seeds.Select(System.Text.Encoding.UTF8.GetString)];

        Assert.All(RpcgenShapes.All, shape => Assert.Contains(shape, seeds));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Each_shape_fits_half_the_input_bound_and_compiles_to_success_or_its_one_kind_of_error(int index)
    {
        string shape = RpcgenShapes.All.ElementAt(index);
        Assert.InRange(shape.Length, 1, RpcgenTarget.MaxInputLength / 2);

        GenerateResult result = RpcgenTarget.Generate(shape);

        // Two shapes are errors on purpose: arrays nested past the bound, and procedures all numbered alike.
        string[] errors = [.. result.Diagnostics.Where(d => d.Severity == RpcGen.Diagnostics.DiagnosticSeverity.Error).Select(d => d.Code).Distinct()];
        Assert.True(errors.Length == 0 || errors is ["RPCG4001"] or ["RPCG2006"], string.Join('\n', result.Diagnostics));
        Assert.Equal(errors.Length == 0, result.Files.Count > 0);
    }
}
