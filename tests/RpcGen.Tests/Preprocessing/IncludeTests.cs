using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

public class IncludeTests
{
    [Fact]
    public void Included_lines_stand_where_the_include_directive_was()
    {
        Outcome outcome = Preprocess.Text("first\n#include \"b.x\"\nlast", ("/src/b.x", "b1\nb2\n")).Clean();

        Assert.Equal(["first", "b1", "b2", "last"], outcome.Lines);
        Assert.All(outcome.Targets, t => Assert.Equal(RpcgenTarget.All, t));
    }

    [Fact]
    public void Lines_inside_and_after_an_included_file_map_to_their_own_file_and_line()
    {
        Outcome outcome = Preprocess.Text(
            "one\n#include \"inc/b.x\"\nthree\nfour",
            ("/src/inc/b.x", "b one\n#include \"c.x\"\nb three"),
            ("/src/inc/c.x", "c one")).Clean();

        Assert.Equal(["one", "b one", "c one", "b three", "three", "four"], outcome.Lines);
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 1, 1), outcome.Source.Locate(1, 1));
        Assert.Equal(new SourceLocation("/src/inc/b.x", 1, 3), outcome.Source.Locate(2, 3));
        Assert.Equal(new SourceLocation("/src/inc/c.x", 1, 1), outcome.Source.Locate(3, 1));
        Assert.Equal(new SourceLocation("/src/inc/b.x", 3, 1), outcome.Source.Locate(4, 1));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 3, 2), outcome.Source.Locate(5, 2));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 4, 1), outcome.Source.Locate(6, 1));
    }

    [Fact]
    public void Continuation_lines_of_an_include_become_empty_lines_after_the_included_file()
    {
        Outcome outcome = Preprocess.Text("#include \\\n  \"b.x\"\nlast", ("/src/b.x", "b1")).Clean();

        Assert.Equal(["b1", "", "last"], outcome.Lines);
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 2, 1), outcome.Source.Locate(2, 1));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 3, 1), outcome.Source.Locate(3, 1));
    }

    [Fact]
    public void An_empty_included_file_contributes_no_lines()
    {
        Outcome outcome = Preprocess.Text("a\n#include \"empty.x\"\nb", ("/src/empty.x", "")).Clean();

        Assert.Equal(["a", "b"], outcome.Lines);
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 3, 1), outcome.Source.Locate(2, 1));
    }

    [Fact]
    public void Quoted_include_looks_beside_the_including_file_first_then_in_the_include_directories()
    {
        var options = new PreprocessorOptions { IncludeDirectories = ["/inc1", "/inc2"] };
        Outcome beside = Preprocess.Run("#include \"b.x\"", options, ("/src/b.x", "beside"), ("/inc1/b.x", "inc1"));
        Outcome inDirectory = Preprocess.Run("#include \"b.x\"", options, ("/inc2/b.x", "inc2"));

        Assert.Equal("beside", beside.Clean().Lines[0]);
        Assert.Equal("inc2", inDirectory.Clean().Lines[0]);
        Assert.Equal(["/src/main.x", "/src/b.x", "/inc1/b.x", "/inc2/b.x"], inDirectory.Sources.Reads);
    }

    [Fact]
    public void Angle_include_looks_only_in_the_include_directories()
    {
        var options = new PreprocessorOptions { IncludeDirectories = ["/inc"] };
        Outcome outcome = Preprocess.Run("#include <b.x>", options, ("/src/b.x", "beside"), ("/inc/b.x", "from inc")).Clean();

        Assert.Equal("from inc", outcome.Lines[0]);
        Assert.DoesNotContain("/src/b.x", outcome.Sources.Reads);
    }

    [Fact]
    public void A_nested_quoted_include_looks_beside_the_file_that_includes_it()
    {
        Outcome outcome = Preprocess.Text("#include \"sub/b.x\"", ("/src/sub/b.x", "#include \"c.x\""), ("/src/sub/c.x", "c"), ("/src/c.x", "wrong")).Clean();

        Assert.Equal("c", outcome.Lines[0]);
    }

    [Fact]
    public void A_missing_include_file_is_an_error_naming_where_it_was_looked_for()
    {
        var options = new PreprocessorOptions { IncludeDirectories = ["/usr/include"] };
        Outcome outcome = Preprocess.Run("a\n  #include \"missing.x\"\nb", options);

        Diagnostic error = outcome.Single(DiagnosticDescriptors.IncludeNotFound, 2, 12);
        Assert.Equal("cannot find include file 'missing.x' (looked in: /src, /usr/include)", error.Message);
        Assert.Equal(["a", "", "b"], outcome.Lines);
    }

    [Fact]
    public void An_angle_include_without_include_directories_says_so()
    {
        Outcome outcome = Preprocess.Text("#include <rpc/types.x>");

        Assert.Contains("no include directories", outcome.Single(DiagnosticDescriptors.IncludeNotFound, 1, 10).Message);
    }

    [Fact]
    public void A_file_included_twice_is_read_once()
    {
        Outcome outcome = Preprocess.Text("#include \"b.x\"\n#include \"./b.x\"\nend", ("/src/b.x", "b")).Clean();

        Assert.Equal(["b", "", "end"], outcome.Lines);
    }

    [Fact]
    public void A_file_included_for_some_targets_is_read_again_only_for_the_others()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\n#include \"b.x\"\n#endif\n#include \"b.x\"", ("/src/b.x", "b")).Clean();

        Assert.Equal(["", "b", "", "b"], outcome.Lines);
        Assert.Equal(RpcgenTarget.Header, outcome.Source.TargetsOf(2));
        Assert.Equal(Preprocess.AllButHeader, outcome.Source.TargetsOf(4));
    }

    [Fact]
    public void An_include_in_a_region_no_target_sees_is_not_read()
    {
        Outcome outcome = Preprocess.Text("#if 0\n#include \"missing.x\"\n#endif").Clean();

        Assert.Equal(["/src/main.x"], outcome.Sources.Reads);
    }

    [Fact]
    public void A_file_that_includes_itself_is_a_cycle()
    {
        Outcome outcome = Preprocess.Text("a\n#include \"main.x\"\nb");

        Diagnostic error = outcome.Single(DiagnosticDescriptors.IncludeCycle, 2, 10);
        Assert.Contains("/src/main.x -> /src/main.x", error.Message);
        Assert.Equal(["a", "", "b"], outcome.Lines);
    }

    [Fact]
    public void An_include_cycle_through_other_files_names_the_chain()
    {
        Outcome outcome = Preprocess.Text("#include \"b.x\"", ("/src/b.x", "b\n#include \"c.x\""), ("/src/c.x", "c\n#include \"b.x\""));

        Diagnostic error = outcome.Single(DiagnosticDescriptors.IncludeCycle, 2, 10, path: "/src/c.x");
        Assert.StartsWith($"include cycle: /src/b.x -> /src/c.x -> /src/b.x; nothing stops it (it nests {PreprocessorEngine.MaxIncludeDepth} deep)", error.Message);
        Assert.EndsWith("; this #include is skipped", error.Message);
        Assert.Equal(["b", "c", ""], outcome.Lines);
    }

    [Fact]
    public void Guarded_files_that_include_each_other_are_read_once_each()
    {
        // The usual include guard: cpp reads a.x again inside b.x, and the guard makes that read blank.
        Outcome outcome = Preprocess.Text(
            "#include \"a.x\"\nmain",
            ("/src/a.x", "#ifndef A_X\n#define A_X\n#include \"b.x\"\na\n#endif\n"),
            ("/src/b.x", "#ifndef B_X\n#define B_X\n#include \"a.x\"\nb\n#endif\n")).Clean();

        Assert.Equal(["b", "a", "main"], outcome.Lines.Where(l => l.Length > 0));
        Assert.Equal(new SourceLocation("/src/b.x", 4, 1), outcome.Source.Locate(outcome.LineOf("b"), 1));
        Assert.Equal(new SourceLocation("/src/a.x", 4, 1), outcome.Source.Locate(outcome.LineOf("a"), 1));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 2, 1), outcome.Source.Locate(outcome.LineOf("main"), 1));
    }

    [Fact]
    public void A_guarded_file_may_include_itself()
    {
        Outcome outcome = Preprocess.Text("#ifndef MAIN_X\n#define MAIN_X\n#include \"main.x\"\nonce\n#endif").Clean();

        Assert.Equal(["once"], outcome.Lines.Where(l => l.Length > 0));
    }

    [Fact]
    public void A_file_may_read_itself_again_under_other_macros_as_cpp_reads_it()
    {
        // Not a guard but the same mechanism: the macros change between the reads, and that ends the recursion.
        Outcome outcome = Preprocess.Text("#ifndef SECOND\nfirst\n#define SECOND\n#include \"main.x\"\n#else\nsecond\n#endif").Clean();

        Assert.Equal(["first", "second"], outcome.Lines.Where(l => l.Length > 0));
    }

    [Fact]
    public void An_endless_recursion_through_a_large_file_is_stopped_by_its_output_and_undone()
    {
        // 200 reads of 40 KB would be 8 MB of text; the recursion is cut once its reads output four times the input.
        string large = string.Concat(Enumerable.Range(0, 2000).Select(i => $"const C{i} = {i};\n"));
        Outcome outcome = Preprocess.Text(large + "#include \"main.x\"\nlast");

        Diagnostic error = outcome.Single(DiagnosticDescriptors.IncludeCycle, 2001, 10);
        Assert.Contains("/src/main.x -> /src/main.x; nothing stops it (files read inside themselves have output more than", error.Message);
        Assert.Equal([.. large.Split('\n')[..^1], "", "last"], outcome.Lines);
        Assert.InRange(outcome.Source.Text.Length, large.Length, large.Length + 10);
    }

    [Fact]
    public void What_the_reads_of_an_endless_recursion_reported_is_taken_back()
    {
        Outcome outcome = Preprocess.Text("#warning here\n#include \"main.x\"");

        Assert.Equal([DiagnosticDescriptors.WarningDirective.Code, DiagnosticDescriptors.IncludeCycle.Code], outcome.All.Select(d => d.Code));
    }

    [Fact]
    public void An_endless_recursion_that_reports_errors_is_undone_before_the_error_limit()
    {
        // Each read reports an error; 100 of them would stop the compiler before the recursion reached its bound.
        Outcome outcome = Preprocess.Text("#bogus\n#include \"main.x\"\nafter");

        Assert.Equal([DiagnosticDescriptors.UnknownDirective.Code, DiagnosticDescriptors.IncludeCycle.Code], outcome.All.Select(d => d.Code));
        Assert.Equal(["", "", "after"], outcome.Lines);
    }

    [Fact]
    public void A_file_read_inside_an_undone_recursion_is_read_again_later()
    {
        // inc.x is read (and finished) inside the recursion; undoing it must undo its include-once mark too.
        Outcome outcome = Preprocess.Text("#include \"loop.x\"\n#include \"inc.x\"",
            ("/src/loop.x", "#ifdef AGAIN\n#include \"inc.x\"\n#endif\n#define AGAIN\n#include \"loop.x\"\n"),
            ("/src/inc.x", "inc"));

        Assert.Equal(DiagnosticDescriptors.IncludeCycle.Code, Assert.Single(outcome.All).Code);
        Assert.Equal(["inc"], outcome.Lines.Where(l => l.Length > 0));
    }

    [Fact]
    public void Includes_nested_too_deeply_are_an_error()
    {
        var files = Enumerable.Range(0, 300).Select(i => ($"/src/f{i}.x", $"#include \"f{i + 1}.x\"")).ToArray();
        Outcome outcome = Preprocess.Text("#include \"f0.x\"", files);

        Diagnostic error = Assert.Single(outcome.All);
        Assert.Equal(DiagnosticDescriptors.IncludeTooDeep.Code, error.Code);
        Assert.Equal(new SourceLocation($"/src/f{PreprocessorEngine.MaxIncludeDepth - 2}.x", 1, 10), error.Location);
        Assert.Equal($"#include nested more than {PreprocessorEngine.MaxIncludeDepth} deep; 'f{PreprocessorEngine.MaxIncludeDepth - 1}.x' is not read", error.Message);
    }

    [Theory]
    [InlineData("#include FILE_NAME", 10, "#include of a macro is not supported")]
    [InlineData("#include", 9, "#include expects \"file\" or <file>")]
    [InlineData("#include \"b.x", 10, "missing terminating \"")]
    [InlineData("#include <b.x", 10, "missing terminating >")]
    [InlineData("#include \"\"", 10, "empty file name")]
    [InlineData("#include \"a\0b\"", 10, "NUL")]
    public void A_malformed_include_is_an_error(string line, int column, string message)
    {
        Outcome outcome = Preprocess.Text(line);

        Assert.Contains(message, outcome.Single(DiagnosticDescriptors.InvalidInclude, 1, column).Message);
    }

    [Fact]
    public void Text_after_the_include_name_is_warned_about_and_ignored()
    {
        Outcome outcome = Preprocess.Text("#include \"b.x\" junk /* fine */", ("/src/b.x", "b"));

        outcome.Single(DiagnosticDescriptors.ExtraTokensInDirective, 1, 16);
        Assert.Equal(["b"], outcome.Lines);
    }

    [Fact]
    public void A_conditional_left_open_in_an_included_file_is_reported_there_and_closed()
    {
        Outcome outcome = Preprocess.Text("#include \"b.x\"\nafter", ("/src/b.x", "\n#ifdef RPC_HDR\nb"));

        outcome.Single(DiagnosticDescriptors.UnterminatedConditional, 2, 1, path: "/src/b.x");
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(outcome.LineOf("after")));
    }

    [Fact]
    public void An_endif_in_an_included_file_cannot_close_a_conditional_of_the_includer()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\n#include \"b.x\"\nh\n#endif", ("/src/b.x", "#endif"));

        outcome.Single(DiagnosticDescriptors.ConditionalWithoutIf, 1, 1, path: "/src/b.x");
        Assert.Equal(RpcgenTarget.Header, outcome.Source.TargetsOf(outcome.LineOf("h")));
    }

    [Fact]
    public void Comment_state_does_not_leak_out_of_an_included_file()
    {
        Outcome outcome = Preprocess.Text("#include \"b.x\"\n#define AFTER 1", ("/src/b.x", "/* never closed"));

        Assert.Equal("AFTER", Assert.Single(outcome.Source.MacroEvents).Name);
    }
}
