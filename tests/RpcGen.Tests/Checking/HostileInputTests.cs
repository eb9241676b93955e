using System.Text;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Parsing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>No input, however broken, gives a stack trace or a hang: every case ends with diagnostics, promptly.</summary>
public class HostileInputTests
{
    [Fact]
    public void Binary_junk_gives_bounded_diagnostics()
    {
        var rng = new Random(4506);
        byte[] junk = new byte[64 * 1024];
        rng.NextBytes(junk);
        CheckResult result = Guarded(Encoding.Latin1.GetString(junk));
        Assert.True(result.HasErrors);
        Assert.InRange(result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), 1, DiagnosticBag.MaxErrors + 1);
        Assert.Equal("RPCG0001", result.Diagnostics[^1].Code);
    }

    [Fact]
    public void Nul_bytes_are_illegal_characters()
    {
        CheckResult result = Guarded("const A = 1;\0\0\0\nconst B = 2;\n");
        Assert.Equal(["RPCG0002", "RPCG0002", "RPCG0002"], result.Diagnostics.Select(d => d.Code));
        Assert.Contains("U+0000", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_megabyte_line_is_read_through()
    {
        var line = new StringBuilder("const A = 1;");
        while (line.Length < 1 << 20)
        {
            line.Append(" const X").Append(line.Length).Append(" = ").Append(line.Length).Append(';');
        }

        CheckResult result = Guarded(line.ToString());
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
        Assert.True(result.Specification!.Definitions.Length > 10_000);
    }

    [Fact]
    public void A_one_megabyte_identifier_or_number_is_an_error_not_a_crash()
    {
        Assert.True(Guarded("const " + new string('a', 1 << 20)).HasErrors);
        CheckResult number = Guarded("const A = " + new string('9', 1 << 20) + ";");
        Assert.Equal("RPCG0007", number.Diagnostics.Single().Code);
    }

    [Fact]
    public void An_unterminated_comment_swallowing_the_file_is_reported()
    {
        CheckResult result = Guarded("/* " + string.Concat(Enumerable.Repeat("struct s { int a; };\n", 10_000)));
        Assert.Equal("RPCG0003", result.Diagnostics[0].Code);
    }

    [Fact]
    public void Ten_thousand_nested_parentheses_stop_at_the_nesting_limit()
    {
        CheckResult result = Guarded("program P { version V { void F" + new string('(', 10_000) + ") = 1; } = 1; } = 1;");
        Diagnostic nesting = result.Diagnostics.Single(d => d.Code == "RPCG0006");
        Assert.Equal(1, nesting.Location.Line);
        Assert.True(result.Diagnostics.Count < 10, Compile.Describe(result.Diagnostics));
    }

    [Fact]
    public void Ten_thousand_nested_anonymous_structs_stop_at_the_nesting_limit()
    {
        string source = "struct s { " + string.Concat(Enumerable.Repeat("struct { ", 10_000)) + "int x;" + string.Concat(Enumerable.Repeat(" } f;", 10_000)) + " };";
        CheckResult result = Guarded(source);
        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG0006");
    }

    [Fact]
    public void Nesting_just_under_the_limit_parses_on_a_small_stack()
    {
        int depth = RpclTokenSource.MaxNesting - 1;
        string source = "struct s { " + string.Concat(Enumerable.Repeat("struct { ", depth - 1)) + "int x;" + string.Concat(Enumerable.Repeat(" } f;", depth - 1)) + " };";
        CheckResult? result = null;
        var thread = new Thread(() => result = Compile.Text(source), maxStackSize: 1024 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.False(result!.HasErrors, Compile.Describe(result.Diagnostics.Take(5)));
    }

    [Fact]
    public void Code_generated_for_nesting_at_the_limit_stays_small()
    {
        // Found by fuzzing: generated code grows with the square of the depth of nested anonymous structs; under the
        // old limit of 256, a 3 KB file made 4 MB of C# and 45 MB of garbage.
        int depth = RpclTokenSource.MaxNesting - 1;
        string source = "struct s { " + string.Concat(Enumerable.Repeat("struct { ", depth - 1)) + "int x;" + string.Concat(Enumerable.Repeat(" } f;", depth - 1)) + " };";
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, source)), generation: new GenerationOptions { Outputs = GeneratedOutputs.All });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.InRange(result.Files.Sum(f => f.Text.Length), 1, 1 << 20);
    }

    [Fact]
    public void An_include_loop_is_reported_and_ends()
    {
        CheckResult result = RpcgenCompiler.Check("a.x", new InMemorySources(
            ("a.x", "#include \"b.x\"\nconst A = 1;\n"),
            ("b.x", "#include \"a.x\"\nconst B = 2;\n")));
        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG1015");
    }

    [Fact]
    public void Ten_thousand_nested_ifs_are_refused()
    {
        CheckResult result = Guarded(string.Concat(Enumerable.Repeat("#if 1\n", 10_000)) + "const A = 1;\n" + string.Concat(Enumerable.Repeat("#endif\n", 10_000)));
        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG1005");
    }

    [Fact]
    public void Ten_thousand_nested_parentheses_in_an_if_are_refused()
    {
        CheckResult result = Guarded("#if " + new string('(', 10_000) + "1" + new string(')', 10_000) + "\nconst A = 1;\n#endif\n");
        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG1011");
    }

    [Fact]
    public void Missing_input_is_reported()
    {
        CheckResult result = RpcgenCompiler.Check("nowhere.x", new InMemorySources());
        Assert.True(result.HasErrors);
        Assert.Equal("RPCG0008", result.Diagnostics.Single().Code);
    }

    [Theory]
    [InlineData("enum open_claim_type4{1\nunion p switch(open_claim_type4 c){case R:e d;};")]
    [InlineData("struct;enum gddrnf4_status{;union l switch(gddrnf4_status s){case K:k l;};")]
    [InlineData("enum 1;createmode3\nunion c switch(createmode3 e){case D:s s;case D:t s;case E:f f;};")]
    [InlineData("enum r E=-union e switch(r k){case D:t i;case E:void;};")]
    [InlineData("enum e { A = -, B };\nconst C = B;\ntypedef int t[C];")]
    public void Names_from_a_definition_the_parser_repaired_resolve_without_a_value(string text)
    {
        // Found by fuzzing: a union switching on such an enum, or a constant naming its member, read the repaired
        // tree's holes and threw NullReferenceException.
        CheckResult result = Guarded(text);
        Assert.Equal("RPCG0005", result.Diagnostics[0].Code);
    }

    /// <summary>Checks <paramref name="text"/>, failing the test rather than hanging it if that takes unreasonably long.</summary>
    private static CheckResult Guarded(string text)
    {
        Task<CheckResult> check = Task.Run(() => Compile.Text(text));
        Assert.True(check.Wait(TimeSpan.FromSeconds(60)), "the compiler did not finish");
        return check.Result;
    }
}
