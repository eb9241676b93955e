using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

public class OutputTextTests
{
    [Fact]
    public void Ordinary_lines_are_copied_unchanged_with_their_comments()
    {
        const string input = "/* a comment */\nconst  X = 1;\t// tail\n\n\tstruct s { int a; };";
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(input, outcome.Source.Text);
        Assert.Equal(4, outcome.Source.LineCount);
        Assert.All(outcome.Targets, t => Assert.Equal(RpcgenTarget.All, t));
    }

    [Fact]
    public void Crlf_and_lone_cr_line_endings_become_lf()
    {
        Outcome outcome = Preprocess.Text("a\r\nb\rc\nd").Clean();

        Assert.Equal("a\nb\nc\nd", outcome.Source.Text);
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 3, 1), outcome.Source.Locate(3, 1));
    }

    [Fact]
    public void A_final_line_ending_does_not_add_a_line_and_an_empty_file_has_none()
    {
        Assert.Equal(2, Preprocess.Text("a\nb\n").Clean().Source.LineCount);
        Assert.Equal(3, Preprocess.Text("a\nb\n\n").Clean().Source.LineCount);

        Outcome empty = Preprocess.Text(string.Empty).Clean();
        Assert.Equal(0, empty.Source.LineCount);
        Assert.Equal(string.Empty, empty.Source.Text);
    }

    [Fact]
    public void Directive_lines_become_empty_lines_for_no_target()
    {
        Outcome outcome = Preprocess.Text("a\n#define X 1\n  #  undef X\n\t#\nb").Clean();

        Assert.Equal(["a", "", "", "", "b"], outcome.Lines);
        Assert.Equal([RpcgenTarget.All, RpcgenTarget.None, RpcgenTarget.None, RpcgenTarget.None, RpcgenTarget.All], outcome.Targets);
    }

    [Fact]
    public void Each_physical_line_of_a_continued_directive_becomes_an_empty_line()
    {
        Outcome outcome = Preprocess.Text("#define X 1 \\\n  + 2 \\\n  + 3\nX").Clean();

        Assert.Equal(["", "", "", "X"], outcome.Lines);
        Assert.Equal("1 + 2 + 3", Assert.Single(outcome.Source.MacroEvents).Replacement);
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 4, 1), outcome.Source.Locate(4, 1));
    }

    [Fact]
    public void A_comment_left_open_on_a_directive_line_continues_the_directive_as_in_cpp()
    {
        Outcome outcome = Preprocess.Text("#define X 1 /* first\n   second */ 2\n#ifdef X /* the\n   end */\nafter\n#endif").Clean();

        Assert.Equal(["", "", "", "", "after", ""], outcome.Lines);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(5));
        Assert.Equal("1 2", outcome.Source.MacroEvents[0].Replacement);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_line()
    {
        Outcome outcome = Preprocess.Text("\uFEFF#define X\nconst A = 1;").Clean();

        Assert.Equal(["", "const A = 1;"], outcome.Lines);
        Assert.Single(outcome.Source.MacroEvents);
    }

    [Fact]
    public void Macros_are_not_expanded_in_the_text()
    {
        Outcome outcome = Preprocess.Text("#define SIZE 10\nconst MAX = SIZE;").Clean();

        Assert.Equal("const MAX = SIZE;", outcome.Lines[1]);
    }

    [Fact]
    public void Every_line_maps_to_its_own_line_of_the_file()
    {
        Outcome outcome = Preprocess.Text("a\n#ifdef X\nb\n#endif\nc").Clean();

        for (int line = 1; line <= 5; line++)
        {
            Assert.Equal(new SourceLocation(Preprocess.MainPath, line, 7), outcome.Source.Locate(line, 7));
        }
    }

    [Fact]
    public void Line_directive_renumbers_the_following_lines()
    {
        Outcome outcome = Preprocess.Text("a\n#line 100\nb\nc\n#line 7 \"other.x\"\nd").Clean();

        Assert.Equal(new SourceLocation(Preprocess.MainPath, 1, 1), outcome.Source.Locate(1, 1));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 100, 2), outcome.Source.Locate(outcome.LineOf("b"), 2));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 101, 1), outcome.Source.Locate(outcome.LineOf("c"), 1));
        Assert.Equal(new SourceLocation("other.x", 7, 1), outcome.Source.Locate(outcome.LineOf("d"), 1));
    }

    [Fact]
    public void A_cpp_line_marker_renumbers_and_renames_the_following_lines()
    {
        Outcome outcome = Preprocess.Text("# 1 \"<built-in>\"\n# 40 \"dir/real.x\" 2\nconst A = 1;").Clean();

        Assert.Equal(new SourceLocation("dir/real.x", 40, 1), outcome.Source.Locate(3, 1));
    }

    [Fact]
    public void Diagnostics_after_a_line_directive_use_the_new_numbering()
    {
        Outcome outcome = Preprocess.Text("#line 50 \"gen.x\"\n#bogus");

        outcome.Single(DiagnosticDescriptors.UnknownDirective, 50, 2, path: "gen.x");
    }

    [Fact]
    public void The_null_directive_does_nothing()
    {
        Outcome outcome = Preprocess.Text("#\n   #   \n# /* just a comment */\nx").Clean();

        Assert.Equal(["", "", "", "x"], outcome.Lines);
    }
}
