using System.Text;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>Whatever the input, the preprocessor returns, in time linear in the input, with consistent output.</summary>
public class HostileInputTests
{
    private static readonly string[] s_fragments =
    [
        "#if ", "#ifdef ", "#ifndef ", "#elif ", "#else", "#endif", "#define ", "#undef ", "#include ", "#line ", "# 7 ", "#", "%",
        "#error", "#pragma", "#bogus", "/*", "*/", "//", "\"", "'", "\\", "(", ")", "RPC_HDR", "A", "defined", "1", "0", "/", "?",
        ":", "&&", "||", " ", "\t", "\n", "\r\n", "\r", "\0", "\"main.x\"", "<x.x>", "\"b.x\"", "\uFEFF", "\uD800", "é",
    ];

    private static void AssertConsistent(Outcome outcome)
    {
        PreprocessedSource source = outcome.Source;
        Assert.Equal(source.LineCount == 0 ? 0 : source.Text.Count(c => c == '\n') + 1, source.LineCount);
        string[] lines = outcome.Lines;
        for (int line = 1; line <= source.LineCount; line++)
        {
            if (source.TargetsOf(line) == RpcgenTarget.None)
            {
                Assert.Equal(string.Empty, lines[line - 1]);
            }

            Assert.True(source.Locate(line, 1).Line >= 0);
        }

        Assert.All(source.MacroEvents, e => Assert.True(e.OutputLine >= 1 && e.OutputLine <= source.LineCount));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_binary_junk_never_throws(int seed)
    {
        var random = new Random(seed);
        char[] junk = new char[20_000];
        for (int i = 0; i < junk.Length; i++)
        {
            junk[i] = (char)random.Next(0, random.Next(2) == 0 ? 128 : 65536);
        }

        AssertConsistent(Preprocess.Text(new string(junk)));
    }

    [Fact]
    public void Random_mixtures_of_directive_fragments_never_throw()
    {
        var random = new Random(20240601);
        for (int run = 0; run < 300; run++)
        {
            var text = new StringBuilder();
            int count = random.Next(1, 200);
            for (int i = 0; i < count; i++)
            {
                if (random.Next(4) == 0)
                {
                    text.Append('\n');
                }

                text.Append(s_fragments[random.Next(s_fragments.Length)]);
            }

            string input = text.ToString();
            AssertConsistent(Preprocess.Text(input, ("/src/b.x", input), ("/src/x.x", "#include \"b.x\"\n#if")));
        }
    }

    [Fact]
    public void Nul_characters_pass_through_like_any_other()
    {
        Outcome outcome = Preprocess.Text("a\0b\n#define X\0Y\n#include \"\0\"");

        Assert.Equal("a\0b", outcome.Lines[0]);
        Assert.Equal(("X", "\0Y"), (outcome.Source.MacroEvents[0].Name, outcome.Source.MacroEvents[0].Replacement));
        outcome.Single(DiagnosticDescriptors.InvalidInclude, 3, 10);
    }

    [Fact]
    public void A_one_megabyte_line_is_copied()
    {
        string line = new('x', 1 << 20);
        Outcome outcome = Preprocess.Text($"{line}\nconst A = 1;").Clean();

        Assert.Equal(line, outcome.Lines[0]);
    }

    [Fact]
    public void A_one_megabyte_comment_line_is_copied()
    {
        string line = "/*" + new string('*', 1 << 20);
        Outcome outcome = Preprocess.Text($"{line}\n#define HIDDEN\n*/").Clean();

        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_one_megabyte_directive_is_handled()
    {
        string value = string.Join(" + ", Enumerable.Repeat("1", 1 << 18));
        Outcome outcome = Preprocess.Text($"#define BIG {value}\n#if BIG > 0\nyes\n#endif");

        Diagnostic error = Assert.Single(outcome.All);
        Assert.Equal(DiagnosticDescriptors.MacroExpansionTooLarge.Code, error.Code);
        Assert.Equal(value, outcome.Source.MacroEvents[0].Replacement);
        Assert.True(Preprocess.Text($"#if {value} > 0\nyes\n#endif").Clean().Source.TargetsOf(2) == RpcgenTarget.All);
    }

    [Fact]
    public void A_file_that_is_only_if_reports_the_missing_expression_and_endif()
    {
        Outcome outcome = Preprocess.Text("#if");

        Assert.Equal([DiagnosticDescriptors.InvalidExpression.Code, DiagnosticDescriptors.UnterminatedConditional.Code], outcome.All.Select(d => d.Code));
    }

    [Theory]
    [InlineData("/* never closed\n#define A 1")]
    [InlineData("const S = \"never closed\n#define A 1")]
    [InlineData("#define A 1 \\")]
    [InlineData("#define A /* never closed\nmore")]
    [InlineData("%/* never closed")]
    [InlineData("'")]
    [InlineData("#")]
    public void Unterminated_things_at_the_end_of_the_file_end_quietly(string input)
    {
        AssertConsistent(Preprocess.Text(input).Clean());
    }

    [Fact]
    public void A_continued_if_at_the_end_of_the_file_is_only_unterminated()
    {
        Preprocess.Text("#if 1 \\\n").Single(DiagnosticDescriptors.UnterminatedConditional, 1, 1);
    }

    [Fact]
    public void Deeply_nested_conditionals_are_linear_and_do_not_overflow_the_stack()
    {
        const int depth = 100_000;
        string input = string.Concat(Enumerable.Repeat("#ifdef RPC_HDR\n", depth)) + string.Concat(Enumerable.Repeat("#endif\n", depth));
        Outcome outcome = Preprocess.Text(input);

        Assert.Equal(DiagnosticDescriptors.ConditionalNestingTooDeep.Code, Assert.Single(outcome.All).Code);
        Assert.Equal(2 * depth, outcome.Source.LineCount);
    }

    [Fact]
    public void Many_unterminated_conditionals_stop_at_the_error_limit()
    {
        Outcome outcome = Preprocess.Text(string.Concat(Enumerable.Repeat("#if 1\n", 10_000)));

        Assert.True(outcome.Diagnostics.IsFull);
        Assert.Equal(DiagnosticBag.MaxErrors + 1, outcome.All.Count);
    }

    [Fact]
    public void Many_errors_stop_the_run_at_the_error_limit()
    {
        Outcome outcome = Preprocess.Text(string.Concat(Enumerable.Repeat("#bogus\n", 100_000)));

        Assert.True(outcome.Diagnostics.IsFull);
        Assert.True(outcome.Source.LineCount <= DiagnosticBag.MaxErrors);
        AssertConsistent(outcome);
    }

    [Fact]
    public void A_provider_that_finds_every_file_cannot_make_includes_loop()
    {
        var diagnostics = new DiagnosticBag();
        PreprocessedSource source = Preprocessor.Run("/src/a.x", new EveryFile(), PreprocessorOptions.Default, diagnostics);

        Assert.Equal(DiagnosticDescriptors.IncludeTooDeep.Code, Assert.Single(diagnostics.All).Code);
        Assert.Equal(1, source.LineCount);
    }

    /// <summary>Every path exists, and every file includes a file one directory deeper.</summary>
    private sealed class EveryFile : ISourceProvider
    {
        public string? ReadFile(string path) => "#include \"d/a.x\"";
    }
}
