using System.Text;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>
/// Definitions chained to one another (each typedef, constant or enum member defined by the next), as long as a
/// file likes: valid XDR that rpcgen takes, which the compiler once refused past 32 typedefs, crashed on with a
/// stack overflow past a few thousand constants, and checked in cubic time. Every case runs on a thread with a
/// small stack, so that any recursion that grows with the chain fails here at once, and under a hang guard of a
/// minute (the chains below take well under a second).
/// </summary>
public class ChainTests
{
    private const int SmallStack = 256 * 1024;

    [Theory]
    [InlineData(33)]
    [InlineData(10_000)]
    public void A_chain_of_typedefs_checks_and_generates(int length)
    {
        var x = new StringBuilder("typedef int t0;\n");
        for (int i = 1; i < length; i++)
        {
            x.Append($"typedef t{i - 1} t{i};\n");
        }

        x.Append($"struct s {{ t{length - 1} field; t{length / 2} half<>; }};\n");
        GenerateResult result = OnSmallStack(() => RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x.ToString())), generation: new GenerationOptions { Outputs = GeneratedOutputs.All }));

        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        Assert.Contains("public int Field { get; set; }", result.Files.Single(f => f.Name == "test_xdr.cs").Text, StringComparison.Ordinal);
        Assert.Contains("public int[] Half { get; set; }", result.Files.Single(f => f.Name == "test_xdr.cs").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_of_typedefs_written_backwards_checks()
    {
        // Each typedef names one defined after it: the checker and the generator follow the chain the other way.
        const int Length = 10_000;
        var x = new StringBuilder("struct s { t0 field; };\n");
        for (int i = 0; i < Length - 1; i++)
        {
            x.Append($"typedef t{i + 1} t{i};\n");
        }

        x.Append($"typedef hyper t{Length - 1};\n");
        GenerateResult result = OnSmallStack(() => RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x.ToString()))));

        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        Assert.Contains("public long Field { get; set; }", result.Files.Single(f => f.Name == "test_xdr.cs").Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6_000)]
    [InlineData(100_000)]
    public void A_chain_of_constants_each_defined_by_the_next_evaluates(int length)
    {
        var x = new StringBuilder();
        for (int i = 0; i < length - 1; i++)
        {
            x.Append($"const c{i} = c{i + 1};\n");
        }

        x.Append($"const c{length - 1} = 7;\ntypedef opaque buffer[c0];\n");
        Specification specification = Clean(x.ToString());

        Assert.Equal(7, (int)specification.FindConstant("c0")!.Value!.Value);
        Assert.Equal(7u, ((TypedefDefinition)specification.FindType("buffer")!).Declaration.Size!.Value);
    }

    [Fact]
    public void A_chain_of_enum_members_each_defined_by_the_next_evaluates()
    {
        const int Length = 6_000;
        var x = new StringBuilder("enum e {\n");
        for (int i = 0; i < Length - 1; i++)
        {
            x.Append($"  m{i} = m{i + 1},\n");
        }

        x.Append($"  m{Length - 1} = 3\n}};\n");
        Specification specification = Clean(x.ToString());

        Assert.All(((EnumDefinition)specification.FindType("e")!).Body.Members, m => Assert.Equal(3, m.Value));
    }

    [Fact]
    public void A_constant_naming_the_last_of_many_members_numbered_implicitly_evaluates()
    {
        // m5999 is m5998 + 1, and so on down: read before the enum is, the whole numbering is a chain.
        const int Length = 6_000;
        string x = $"const last = m{Length - 1};\nenum e {{ {string.Join(", ", Enumerable.Range(0, Length).Select(i => $"m{i}"))} }};\n";

        Assert.Equal(Length - 1, (int)Clean(x).FindConstant("last")!.Value!.Value);
    }

    [Fact]
    public void A_chain_of_passthrough_defines_evaluates()
    {
        const int Length = 3_000;
        var x = new StringBuilder();
        for (int i = 0; i < Length - 1; i++)
        {
            x.Append($"%#define D{i} (D{i + 1})\n");
        }

        x.Append($"%#define D{Length - 1} 5\nconst C = D0;\n");
        CheckResult result = OnSmallStack(() => Compile.Text(x.ToString()));

        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        Assert.Equal(5, (int)result.Specification!.FindConstant("C")!.Value!.Value);
    }

    [Fact]
    public void Procedure_names_numbered_by_one_another_in_two_versions_are_evaluated_once_each()
    {
        // A name that recurs in two versions is evaluated through both definitions; each name once, not once per path.
        const int Length = 40;
        var version = new StringBuilder();
        for (int i = 0; i < Length; i++)
        {
            version.Append($"  void P{i}(void) = P{i + 1};\n");
        }

        version.Append($"  void P{Length}(void) = {Length + 1};\n");
        string x = $"program X {{\n version V1 {{\n{version} }} = 1;\n version V2 {{\n{version} }} = 2;\n}} = 0x20000001;\nconst FIRST = P0;\n";
        CheckResult result = OnSmallStack(() => Compile.Text(x));

        Assert.Equal(Length + 1, (int)result.Specification!.FindConstant("FIRST")!.Value!.Value);
        Assert.All(result.Diagnostics, d => Assert.Equal("RPCG2006", d.Code)); // every procedure is numbered 41
    }

    [Fact]
    public void A_long_cycle_of_constants_is_reported_once()
    {
        const int Length = 6_000;
        var x = new StringBuilder();
        for (int i = 0; i < Length; i++)
        {
            x.Append($"const c{i} = c{(i + 1) % Length};\n");
        }

        CheckResult result = OnSmallStack(() => Compile.Text(x.ToString()));

        Diagnostic cycle = Assert.Single(result.Diagnostics);
        Assert.Equal("RPCG2017", cycle.Code);
        Assert.Equal("constant 'c0' is defined in terms of itself", cycle.Message);
    }

    [Fact]
    public void Programs_numbered_by_each_other_are_circular()
    {
        CheckResult result = OnSmallStack(() => Compile.Text(
            "program P { version V { void F(void) = 1; } = 1; } = Q;\nprogram Q { version W { void G(void) = 1; } = 1; } = P;\n"));

        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG2017" && d.Message == "program 'Q' is numbered in terms of itself");
    }

    [Fact]
    public void Two_typedefs_naming_each_other_are_a_type_containing_itself()
    {
        CheckResult result = OnSmallStack(() => Compile.Text("typedef a b;\ntypedef b a;\n"));

        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal("RPCG2013", error.Code);
        Assert.Equal("'b' contains itself (b -> a -> b); make one link optional data (*) or a variable-length array (<>)", error.Message);
    }

    [Fact]
    public void A_long_cycle_of_typedefs_through_an_array_is_reported_once_where_it_starts()
    {
        const int Length = 10_000;
        var x = new StringBuilder();
        for (int i = 0; i < Length; i++)
        {
            x.Append(i == Length / 2 ? $"typedef t{(i + 1) % Length} t{i}<>;\n" : $"typedef t{(i + 1) % Length} t{i};\n");
        }

        CheckResult result = OnSmallStack(() => Compile.Text(x.ToString()));

        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal("RPCG2013", error.Code);
        Assert.Equal(new SourceLocation(Compile.Path, 1, 12), error.Location);
        Assert.StartsWith("typedef 't0' names itself (t0 -> t1 -> t2 -> ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_of_structs_each_containing_the_one_defined_after_it_generates()
    {
        // The generator sizes each struct (MinEncodedSize) from those it contains, which come later in the file.
        const int Length = 10_000;
        var x = new StringBuilder();
        for (int i = 0; i < Length - 1; i++)
        {
            x.Append($"struct s{i} {{ s{i + 1} inner; int pad; }};\n");
        }

        x.Append($"struct s{Length - 1} {{ int last; }};\n");
        GenerateResult result = OnSmallStack(() => RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x.ToString()))));

        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        Assert.Contains($"public static int MinEncodedSize => {4 * Length};", result.Files.Single(f => f.Name == "test_xdr.cs").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Arrays_nested_through_typedefs_past_the_nesting_bound_are_one_error()
    {
        // Unlike a chain of plain typedefs, each of these adds a level to the C# type (int[][][]...) and its codec.
        var x = new StringBuilder("typedef int a0<>;\n");
        for (int i = 1; i < 200; i++)
        {
            x.Append($"typedef a{i - 1} a{i}<>;\n");
        }

        x.Append("struct s { a199 deep; a63 deepest_allowed; };\n");
        GenerateResult result = OnSmallStack(() => RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x.ToString()))));

        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal("RPCG4001", error.Code);
        Assert.Equal(new SourceLocation(Compile.Path, EmitModel.MaxShapeNesting + 1, 13), error.Location);
        Assert.Contains($"nests arrays and optional data more than {EmitModel.MaxShapeNesting} deep", error.Message, StringComparison.Ordinal);
    }

    private static Specification Clean(string text)
    {
        CheckResult result = OnSmallStack(() => Compile.Text(text));
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        return result.Specification!;
    }

    /// <summary>Runs <paramref name="work"/> on a thread with a small stack; a minute is only a guard against a hang.</summary>
    private static T OnSmallStack<T>(Func<T> work)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, SmallStack);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(1)), "the compiler did not finish");
        return failure is null ? result! : throw new InvalidOperationException("the compiler threw", failure);
    }
}
