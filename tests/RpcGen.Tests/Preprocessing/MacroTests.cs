using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

public class MacroTests
{
    [Fact]
    public void Define_records_an_event_at_its_output_line_with_the_trimmed_replacement()
    {
        Outcome outcome = Preprocess.Text("a\n  #  define  MAX_NAME   (255 + 1)   \nb").Clean();

        Assert.Equal(
            new MacroEvent(2, "MAX_NAME", "(255 + 1)", RpcgenTarget.All, new SourceLocation(Preprocess.MainPath, 2, 3)),
            Assert.Single(outcome.Source.MacroEvents));
    }

    [Fact]
    public void Define_without_a_value_has_an_empty_replacement()
    {
        Outcome outcome = Preprocess.Text("#define FLAG").Clean();

        Assert.Equal(string.Empty, Assert.Single(outcome.Source.MacroEvents).Replacement);
    }

    [Fact]
    public void Comments_in_a_replacement_are_dropped_and_white_space_collapsed_but_strings_kept()
    {
        Outcome outcome = Preprocess.Text("#define A 1 /* one */ +\t\t2 // two\n#define S \"a  /* b */\"").Clean();

        Assert.Equal(["1 + 2", "\"a  /* b */\""], outcome.Source.MacroEvents.Select(e => e.Replacement));
    }

    [Fact]
    public void Macro_events_follow_the_output_line_of_each_directive_through_includes()
    {
        Outcome outcome = Preprocess.Text("#define A 1\n#include \"b.x\"\n#undef A", ("/src/b.x", "x\n#define B 2")).Clean();

        Assert.Equal([(1, "A"), (3, "B"), (4, "A")], outcome.Source.MacroEvents.Select(e => (e.OutputLine, e.Name)));
        Assert.Equal(new SourceLocation("/src/b.x", 2, 1), outcome.Source.MacroEvents[1].Location);
    }

    [Fact]
    public void Command_line_defines_come_first_at_line_zero_for_every_target()
    {
        Outcome outcome = Preprocess.Run("#define LOCAL 1", Preprocess.Defines(("DEBUG", "2"), ("EMPTY", ""))).Clean();

        Assert.Equal(
            [(0, "DEBUG", "2", RpcgenTarget.All), (0, "EMPTY", "", RpcgenTarget.All), (1, "LOCAL", "1", RpcgenTarget.All)],
            outcome.Source.MacroEvents.Select(e => (e.OutputLine, e.Name, e.Replacement, e.Targets)));
    }

    [Fact]
    public void A_command_line_define_without_a_value_is_1()
    {
        Outcome outcome = Preprocess.Run("#if DEBUG == 1\nyes\n#endif", Preprocess.Defines(("DEBUG", null!))).Clean();

        Assert.Equal("1", outcome.Source.MacroEvents[0].Replacement);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void A_command_line_define_is_seen_by_ifdef_and_if()
    {
        Outcome outcome = Preprocess.Run("#ifdef STUPID_SUN_BUG\nsun\n#endif\n#if LEVEL > 2\nhigh\n#endif", Preprocess.Defines(("STUPID_SUN_BUG", "1"), ("LEVEL", "3"))).Clean();

        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(outcome.LineOf("sun")));
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(outcome.LineOf("high")));
    }

    [Theory]
    [InlineData("", "-D '': a macro name must be an identifier")]
    [InlineData("1X", "-D '1X': a macro name must be an identifier")]
    [InlineData("A=1", "-D 'A=1': a macro name must be an identifier")]
    [InlineData("defined", "-D 'defined': a macro name must be an identifier")]
    public void An_invalid_command_line_macro_name_is_an_error(string name, string message)
    {
        Outcome outcome = Preprocess.Run("x", Preprocess.Defines((name, "1")));

        Diagnostic error = Assert.Single(outcome.All);
        Assert.Equal(DiagnosticDescriptors.InvalidMacroName.Code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void A_function_like_command_line_macro_is_an_error()
    {
        Outcome outcome = Preprocess.Run("x", Preprocess.Defines(("F(x)", "x")));

        Assert.Equal(DiagnosticDescriptors.FunctionLikeMacro.Code, Assert.Single(outcome.All).Code);
        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void Redefining_a_macro_differently_warns_and_the_new_value_wins()
    {
        Outcome outcome = Preprocess.Text("#define N 1\n#define N 2\n#if N == 2\ntwo\n#endif");

        Diagnostic warning = outcome.Single(DiagnosticDescriptors.MacroRedefined, 2, 9);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("'N' redefined as '2'; it was '1', defined at /src/main.x(1,1)", warning.Message);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(outcome.LineOf("two")));
        Assert.Equal(2, outcome.Source.MacroEvents.Count);
    }

    [Fact]
    public void Redefining_a_macro_with_the_same_replacement_is_silent()
    {
        Preprocess.Text("#define N (1 + 2)\n#define N (1  +  /* c */ 2)").Clean();
    }

    [Fact]
    public void Redefining_for_other_targets_only_is_silent()
    {
        Preprocess.Text("#ifdef RPC_HDR\n#define N 1\n#else\n#define N 2\n#endif").Clean();
    }

    [Fact]
    public void A_function_like_macro_is_an_error_and_ignored()
    {
        Outcome outcome = Preprocess.Text("#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#ifdef MAX\nyes\n#endif");

        Diagnostic error = outcome.Single(DiagnosticDescriptors.FunctionLikeMacro, 1, 12);
        Assert.Contains("'MAX'", error.Message);
        Assert.Empty(outcome.Source.MacroEvents);
        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(3));
    }

    [Fact]
    public void A_space_before_the_parenthesis_makes_an_object_like_macro()
    {
        Outcome outcome = Preprocess.Text("#define PAREN (x)").Clean();

        Assert.Equal("(x)", Assert.Single(outcome.Source.MacroEvents).Replacement);
    }

    [Fact]
    public void Undef_records_an_event_without_replacement_and_removes_the_macro()
    {
        Outcome outcome = Preprocess.Text("#define A 1\n#undef A\n#ifdef A\nyes\n#endif\n#undef NEVER_DEFINED").Clean();

        Assert.Equal([("A", "1"), ("A", null), ("NEVER_DEFINED", null)], outcome.Source.MacroEvents.Select(e => (e.Name, e.Replacement)));
        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(4));
    }

    [Fact]
    public void Text_after_the_name_of_undef_is_warned_about()
    {
        Preprocess.Text("#undef A B").Single(DiagnosticDescriptors.ExtraTokensInDirective, 1, 10);
    }

    [Theory]
    [InlineData("#define", 8, "no macro name given in #define")]
    [InlineData("#define   ", 11, "no macro name given in #define")]
    [InlineData("#undef", 7, "no macro name given in #undef")]
    [InlineData("#define 3X 1", 9, "macro names must be identifiers (found '3' after #define)")]
    [InlineData("#define \"s\" 1", 9, "macro names must be identifiers (found '\"' after #define)")]
    [InlineData("#define defined 1", 9, "'defined' cannot be used as a macro name in #define")]
    [InlineData("#ifdef", 7, "no macro name given in #ifdef")]
    [InlineData("#ifndef 12", 9, "macro names must be identifiers (found '1' after #ifndef)")]
    public void A_missing_or_invalid_macro_name_is_an_error(string directive, int column, string message)
    {
        Outcome outcome = Preprocess.Text(directive + (directive.StartsWith("#if", StringComparison.Ordinal) ? "\n#endif" : string.Empty));

        Assert.Equal(message, outcome.Single(DiagnosticDescriptors.InvalidMacroName, 1, column).Message);
        Assert.Empty(outcome.Source.MacroEvents);
    }

    [Fact]
    public void Directives_in_a_region_no_target_sees_define_nothing()
    {
        Outcome outcome = Preprocess.Text("#if 0\n#define A 1\n#undef B\n#define F(x) x\n#endif").Clean();

        Assert.Empty(outcome.Source.MacroEvents);
    }
}
