using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>How the comparison walks the two files: once per change, where the change was made, and what it leaves out.</summary>
public class ComparisonTests
{
    private const string Prog = "\nprogram P { version V { a F(b) = 1; } = 1; } = 0x20000001;\n";

    [Fact]
    public void A_typedef_changed_in_place_is_reported_once_where_it_is_defined()
    {
        const string Old = "typedef opaque fh<64>;\nstruct a { fh x; fh y; };\nstruct b { fh z; };" + Prog;
        CompatibilityFinding finding = Compare.Single(Compare.Texts(Old, Old.Replace("<64>", "<32>", StringComparison.Ordinal)));
        Assert.Equal("RPCG5019", finding.Code);
        Assert.Equal(new SourceLocation(Compare.NewPath, 1, 16), finding.Location);
        Assert.StartsWith("typedef fh: maximum length lowered from 64 to 32", finding.Diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_constant_change_is_reported_where_the_constant_is_used_not_as_a_constant()
    {
        const string Old = "const MAX = 255;\nstruct a { string name<MAX>; };\nstruct b { int x; };" + Prog;
        CompatibilityFinding finding = Compare.Single(Compare.Texts(Old, Old.Replace("255", "64", StringComparison.Ordinal)));
        Assert.Equal("RPCG5019", finding.Code);
        Assert.Equal(new SourceLocation(Compare.NewPath, 2, 19), finding.Location);
    }

    [Fact]
    public void A_type_two_procedures_use_is_compared_once()
    {
        const string Old = "struct a { int x; };\nstruct b { a y; };\nprogram P { version V {\n a F(b) = 1;\n b G(a) = 2;\n} = 1; } = 0x20000001;";
        CompatibilityFinding finding = Compare.Single(Compare.Texts(Old, Old.Replace("int x", "hyper x", StringComparison.Ordinal)));
        Assert.Equal("RPCG5007", finding.Code);
    }

    [Fact]
    public void Recursive_types_are_compared_without_looping()
    {
        const string Old = "struct node { int value; node *next; };\nprogram P { version V { node F(node) = 1; } = 1; } = 0x20000001;";
        Assert.Empty(Compare.Texts(Old, Old).Findings);
        CompatibilityResult renamed = Compare.Texts(Old, Old.Replace("node", "item", StringComparison.Ordinal));
        Assert.Equal("RPCG5064", Compare.Single(renamed).Code);
        CompatibilityResult retyped = Compare.Texts(Old, Old.Replace("int value", "hyper value", StringComparison.Ordinal));
        Assert.Equal("RPCG5007", Compare.Single(retyped).Code);
    }

    [Fact]
    public void A_field_swap_of_one_type_breaks_the_wire_though_every_position_keeps_its_type()
    {
        CompatibilityFinding finding = Compare.Single(Compare.Texts("struct s { int uid; int gid; };", "struct s { int gid; int uid; };"));
        Assert.Equal("RPCG5010", finding.Code);
    }

    [Fact]
    public void Types_reached_through_procedures_are_matched_by_place_not_name()
    {
        // The procedure now takes 'b', which has the shape 'a' had; 'a' itself still exists, unchanged.
        const string Old = "struct a { int x; };\nstruct b { hyper y; };\nprogram P { version V { void F(a) = 1; } = 1; } = 0x20000001;";
        const string New = "struct a { int x; };\nstruct b { int x; };\nprogram P { version V { void F(b) = 1; } = 1; } = 0x20000001;";
        CompatibilityResult result = Compare.Texts(Old, New);
        Assert.Equal(["RPCG5064"], result.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Additions_are_not_reported()
    {
        const string Old = "struct a { int x; };\nprogram P { version V { void F(a) = 1; } = 1; } = 0x20000001;";
        const string New = "const LIMIT = 4;\nstruct a { int x; };\nstruct extra { int y; };\n"
            + "program P { version V { void F(a) = 1; void G(extra) = 2; } = 1; version V2 { void F(a) = 1; } = 2; } = 0x20000001;\n"
            + "program Q { version W { void H(void) = 1; } = 1; } = 0x20000002;";
        Assert.Empty(Compare.Texts(Old, New).Findings);
    }

    [Fact]
    public void An_int_that_becomes_an_enum_is_narrowed_and_the_reverse_widened()
    {
        const string Enum = "enum mountstat { MNT_OK = 0, MNT_EPERM = 1 };\n";
        Assert.Equal("RPCG5021", Compare.Single(Compare.Texts(Enum + "struct s { unsigned int status; };", Enum + "struct s { mountstat status; };")).Code);
        Assert.Equal("RPCG5045", Compare.Single(Compare.Texts(Enum + "struct s { mountstat status; };", Enum + "struct s { int status; };")).Code);
        Assert.Equal("RPCG5007", Compare.Single(Compare.Texts("struct s { int n; };", "struct s { unsigned int n; };")).Code);
    }

    [Fact]
    public void A_struct_wrapped_around_another_is_reported_and_the_inside_compared()
    {
        const string Old = "struct attr { int mode; int size; };\nunion res switch (int status) { case 0: attr ok; default: void; };";
        const string New = "struct attr { int mode; hyper size; };\nstruct resok { attr attributes; };\nunion res switch (int status) { case 0: resok ok; default: void; };";
        CompatibilityResult result = Compare.Texts(Old, New);
        Assert.Equal(["RPCG5007", "RPCG5068"], result.Findings.Select(f => f.Code).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Warning_options_apply_to_the_findings_and_not_to_the_files()
    {
        const string Old = "struct s { uint32_t a; };"; // RPCG3001, a warning in both files
        const string New = "struct s { uint32_t b; };";
        var asErrors = new CompilerOptions { Warnings = new WarningOptions { AllAsErrors = true } };
        CompatibilityFinding finding = Compare.Single(Compare.Texts(Old, New, asErrors));
        Assert.Equal(DiagnosticSeverity.Error, finding.Diagnostic.Severity);
        Assert.Equal(CompatibilityCategory.SourceBreaking, finding.Category);

        var suppressed = new CompilerOptions { Warnings = new WarningOptions { Suppressed = ["RPCG5065"] } };
        Assert.Empty(Compare.Texts(Old, New, suppressed).Findings);

        var cannotSuppressErrors = new CompilerOptions { Warnings = new WarningOptions { Suppressed = ["RPCG5007"] } };
        Assert.Single(Compare.Texts(Old, "struct s { hyper a; };", cannotSuppressErrors).Findings);
    }

    [Theory]
    [InlineData("typedefs")]
    [InlineData("arrays of typedefs")]
    [InlineData("structs")]
    public void Chains_as_long_as_the_checker_takes_are_compared_without_the_stack(string shape)
    {
        // Each link is a pair compared from a queue, not a frame: ten thousand links would overflow a recursive walk.
        const int Length = 10_000;
        string file = shape switch
        {
            "typedefs" => "typedef int t0;\n" + string.Concat(Enumerable.Range(1, Length - 1).Select(i => $"typedef t{i - 1} t{i};\n")) + $"struct s {{ t{Length - 1} f; }};",
            "arrays of typedefs" => "typedef int t0;\n" + string.Concat(Enumerable.Range(1, Length - 1).Select(i => $"typedef t{i - 1} t{i}<>;\n")) + $"struct s {{ t{Length - 1} f; }};",
            _ => "struct t0 { int x; };\n" + string.Concat(Enumerable.Range(1, Length - 1).Select(i => $"struct t{i} {{ t{i - 1} inner; }};\n")) + $"struct s {{ t{Length - 1} f; }};",
        };
        string program = $"\nprogram P {{ version V {{ void F(s) = 1; }} = 1; }} = 0x20000001;";
        Assert.Empty(Compare.Texts(file + program, file + program).Findings);
        CompatibilityResult changed = Compare.Texts(file + program, file.Replace(shape == "structs" ? "int x" : "typedef int t0", shape == "structs" ? "hyper x" : "typedef hyper t0", StringComparison.Ordinal) + program);
        Assert.Equal("RPCG5007", Compare.Single(changed).Code);
    }

    [Fact]
    public void A_file_with_errors_is_not_compared()
    {
        CompatibilityResult result = RpcgenCompiler.CompareCompatibility(Compare.OldPath, Compare.NewPath,
            new InMemorySources((Compare.OldPath, "struct s { int a; };"), (Compare.NewPath, "struct s { int a }")));
        Assert.False(result.Compared);
        Assert.False(result.Old.HasErrors);
        Assert.True(result.New.HasErrors);
        Assert.Empty(result.Findings);

        CompatibilityResult missing = RpcgenCompiler.CompareCompatibility("nowhere.x", Compare.NewPath, new InMemorySources((Compare.NewPath, "const A = 1;")));
        Assert.False(missing.Compared);
        Assert.Contains(missing.Old.Diagnostics, d => d.Code == "RPCG0008");
    }

    [Fact]
    public void Findings_are_in_the_order_of_their_places_in_the_new_file()
    {
        const string Old = "struct a { int x; int y; };\nstruct b { int z; };\nenum e { A = 1, B = 2 };";
        const string New = "enum e { A = 1 };\nstruct b { hyper z; };\nstruct a { int x; };";
        CompatibilityResult result = Compare.Texts(Old, New);
        Assert.Equal(result.Findings.OrderBy(f => f.Location.Line).ThenBy(f => f.Location.Column), result.Findings);
        Assert.Equal(3, result.Findings.Count);
    }
}
