using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Parsing;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>Macros from #define and -D expand in definitions token by token, as cpp would expand them for rpcgen.</summary>
public class MacroTests
{
    [Fact]
    public void A_command_line_define_sizes_a_declaration()
    {
        CheckResult result = RpcgenCompiler.Check("test.x", new InMemorySources(("test.x", "typedef opaque blob<MAXDATA>;")),
            new CompilerOptions { Preprocessor = new PreprocessorOptions { Defines = [new("MAXDATA", "8192")] } });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Equal(8192u, ((TypedefDefinition)result.Specification!.FindType("blob")!).Declaration.Size!.Value);
    }

    [Fact]
    public void Defines_expand_to_several_tokens_and_into_other_macros()
    {
        Specification spec = Compile.Clean("""
            #define SIZE 4
            #define FOUR_INTS int values[SIZE]
            struct s { FOUR_INTS; };
            """);
        Declaration field = ((StructDefinition)spec.FindType("s")!).Body.Fields.Single();
        Assert.Equal(("values", DeclarationKind.FixedArray, 4u), (field.Name, field.Kind, field.Size!.Value));
    }

    [Fact]
    public void Expanded_tokens_are_located_at_the_macro_use()
    {
        CheckResult result = Compile.Text("#define BAD nope\nstruct s { BAD x; };\n");
        Assert.Equal(("RPCG2002", 2, 12), (result.Diagnostics[0].Code, result.Diagnostics[0].Location.Line, result.Diagnostics[0].Location.Column));
    }

    [Fact]
    public void A_macro_is_not_expanded_inside_itself()
    {
        Specification spec = Compile.Clean("#define X X\nconst X = 1;\nconst Y = X;\n");
        Assert.Equal(1, (int)spec.FindConstant("Y")!.Value!.Value);
    }

    [Fact]
    public void Undef_ends_a_macro()
    {
        Specification spec = Compile.Clean("#define N 4\ntypedef int a[N];\n#undef N\nconst N = 9;\ntypedef int b[N];\n");
        Assert.Equal(4u, ((TypedefDefinition)spec.FindType("a")!).Declaration.Size!.Value);
        Assert.Equal(9u, ((TypedefDefinition)spec.FindType("b")!).Declaration.Size!.Value);
    }

    [Fact]
    public void A_macro_that_differs_between_rpcgen_outputs_is_flagged()
    {
        CheckResult result = Compile.Text("#ifdef RPC_HDR\n#define N 4\n#else\n#define N 8\n#endif\ntypedef int a[N];\n");
        Assert.Equal(("RPCG2022", 6, 15), (result.Diagnostics.Single().Code, result.Diagnostics[0].Location.Line, result.Diagnostics[0].Location.Column));
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void An_exponential_expansion_is_stopped()
    {
        var source = new System.Text.StringBuilder();
        for (int i = 0; i < 30; i++)
        {
            source.Append("#define M").Append(i).Append(" M").Append(i + 1).Append(" M").Append(i + 1).Append('\n');
        }

        source.Append("const A = M0;\n");
        CheckResult result = Compile.Text(source.ToString());
        Assert.Contains(result.Diagnostics, d => d.Code == "RPCG1012");
    }

    [Theory]
    [InlineData("#define L2 8\ntypedef L2")]
    [InlineData("#define L37 L\ntypedef L37")]
    [InlineData("struct\n#define L3 1\ny L3")]
    public void A_syntax_error_at_an_expanded_token_is_a_diagnostic(string text)
    {
        // Found by fuzzing: ANTLR's error recovery read the source of the token it stood at, and an expanded token had none.
        CheckResult result = Compile.Text(text);
        Assert.True(result.HasErrors);
        Assert.All(result.Diagnostics, d => Assert.Equal(text.Count(c => c == '\n') + 1, d.Location.Line));
    }

    [Fact]
    public void Doubling_macros_used_over_and_over_stop_at_the_limit_for_the_file()
    {
        // Found by fuzzing: each use stopped at 10,000 tokens, but a few hundred bytes of uses still cost gigabytes.
        var source = new System.Text.StringBuilder("#define L0 int\n");
        for (int i = 1; i <= 40; i++)
        {
            source.Append("#define L").Append(i).Append(" L").Append(i - 1).Append(" L").Append(i - 1).Append('\n');
        }

        source.Append("typedef").Append(string.Concat(Enumerable.Repeat(" L40", 1000))).Append(" t;\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        CheckResult result = Compile.Text(source.ToString());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Diagnostic limit = result.Diagnostics.Last(d => d.Code == "RPCG1012");
        Assert.Contains($"more than {RpclTokenSource.MaxFileExpansionTokens} tokens in all", limit.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"{allocated / 1024 / 1024} MiB allocated");
    }
}
