using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>Comments, strings and continuations decide what is a directive, as they do for cpp.</summary>
public class LexicalTests
{
    [Fact]
    public void A_directive_inside_a_block_comment_is_comment_text()
    {
        Outcome outcome = Preprocess.Text("/* start\n#define HIDDEN 1\n#endif\n*/\n#define SEEN 1").Clean();

        Assert.Equal("SEEN", Assert.Single(outcome.Source.MacroEvents).Name);
        Assert.Equal(["/* start", "#define HIDDEN 1", "#endif", "*/", ""], outcome.Lines);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void A_hash_after_other_text_is_not_a_directive()
    {
        Outcome outcome = Preprocess.Text("const RPCBSTAT_HIGHPROC = 13;\t/* # of procs */\nx # define Y").Clean();

        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_comment_closed_earlier_on_the_line_does_not_hide_the_next_directive()
    {
        Outcome outcome = Preprocess.Text("/* one */ /* two\n three */ const A = 1;\n#define X 1").Clean();

        Assert.Single(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_directive_after_a_comment_on_the_same_line_is_not_a_directive()
    {
        // GCC with -C, which rpcgen uses, keeps the comment and so does not see a directive.
        Outcome outcome = Preprocess.Text("/* c */ #define A 1").Clean();

        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_comment_opener_inside_a_string_or_character_constant_opens_nothing()
    {
        Outcome outcome = Preprocess.Text("const S = \"/*\";\n#define A 1\ncase '\"': x; /* '\n*/ y '/*';\n#define B 1").Clean();

        Assert.Equal(["A", "B"], outcome.Source.MacroEvents.Select(e => e.Name));
    }

    [Fact]
    public void An_escaped_quote_does_not_end_a_string()
    {
        Outcome outcome = Preprocess.Text("const S = \"a\\\" /*\";\n#define A 1").Clean();

        Assert.Single(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_line_comment_hides_a_block_comment_opener()
    {
        Outcome outcome = Preprocess.Text("int a; // not a /* comment\n#define A 1").Clean();

        Assert.Single(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_line_comment_continued_by_a_backslash_hides_the_next_line()
    {
        Outcome outcome = Preprocess.Text("// comment \\\n#define HIDDEN 1\n#define SEEN 1").Clean();

        Assert.Equal("SEEN", Assert.Single(outcome.Source.MacroEvents).Name);
    }

    [Fact]
    public void A_line_continued_by_a_backslash_hides_a_hash_on_the_next_line()
    {
        Outcome outcome = Preprocess.Text("foo \\\n#define C 3\nbar").Clean();

        Assert.Empty(outcome.Source.MacroEvents);
        Assert.Equal(["foo \\", "#define C 3", "bar"], outcome.Lines);
    }

    [Fact]
    public void A_comment_in_a_skipped_region_still_hides_directives()
    {
        Outcome outcome = Preprocess.Text("#if 0\n/*\n#endif\n*/\n#endif\nafter").Clean();

        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(3));
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(6));
    }

    [Fact]
    public void An_apostrophe_in_a_skipped_line_does_not_leak_into_the_next_line()
    {
        Outcome outcome = Preprocess.Text("#if 0\ndon't\n#endif\nafter").Clean();

        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(4));
    }

    [Fact]
    public void Comments_between_hash_and_name_and_inside_a_directive_are_space()
    {
        Outcome outcome = Preprocess.Text("# /* c */ define /* c */ A /* c */ 1 /* c */\n#/**/ifdef A\nyes\n#endif").Clean();

        Assert.Equal(("A", "1"), (outcome.Source.MacroEvents[0].Name, outcome.Source.MacroEvents[0].Replacement));
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(3));
    }

    [Fact]
    public void Spaces_tabs_and_form_feeds_may_surround_the_hash()
    {
        Outcome outcome = Preprocess.Text(" \t\f#\t define A\n").Clean();

        Assert.Single(outcome.Source.MacroEvents);
    }
}
