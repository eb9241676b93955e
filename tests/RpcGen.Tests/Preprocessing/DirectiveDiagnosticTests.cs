using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Preprocessing;

public class DirectiveDiagnosticTests
{
    [Theory]
    [InlineData("#endif", "#endif without #if")]
    [InlineData("#else", "#else without #if")]
    [InlineData("#elif 1", "#elif without #if")]
    public void A_conditional_continuation_without_if_is_an_error_at_the_hash(string directive, string message)
    {
        Outcome outcome = Preprocess.Text($"a\n   {directive}\nb");

        Assert.Equal(message, outcome.Single(DiagnosticDescriptors.ConditionalWithoutIf, 2, 4).Message);
        Assert.Equal(["a", "", "b"], outcome.Lines);
    }

    [Fact]
    public void An_else_after_else_is_an_error()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\na\n#else\nb\n#else\nc\n#endif");

        Assert.Equal("#else after #else (the first #else is at line 3)", outcome.Single(DiagnosticDescriptors.ConditionalAfterElse, 5, 1).Message);
        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(6));
    }

    [Fact]
    public void An_elif_after_else_is_an_error()
    {
        Outcome outcome = Preprocess.Text("#if 0\n#else\n#elif 1\n#endif");

        Assert.Equal("#elif after #else (the #else is at line 2)", outcome.Single(DiagnosticDescriptors.ConditionalAfterElse, 3, 1).Message);
    }

    [Fact]
    public void An_else_after_else_is_reported_even_in_a_skipped_region()
    {
        Preprocess.Text("#if 0\n#if 1\n#else\n#else\n#endif\n#endif").Single(DiagnosticDescriptors.ConditionalAfterElse, 4, 1);
    }

    [Fact]
    public void A_conditional_open_at_the_end_of_the_file_is_reported_at_its_opening_directive()
    {
        Outcome outcome = Preprocess.Text("#ifdef A\n#endif\n  #ifndef B\n#if 1\n#else\nx");

        Assert.Equal(2, outcome.All.Count);
        Assert.All(outcome.All, d => Assert.Equal(DiagnosticDescriptors.UnterminatedConditional.Code, d.Code));
        Assert.Equal([new SourceLocation(Preprocess.MainPath, 3, 3), new SourceLocation(Preprocess.MainPath, 4, 1)], outcome.All.Select(d => d.Location));
        Assert.Equal(["#ifndef without #endif: the file ends first", "#if without #endif: the file ends first"], outcome.All.Select(d => d.Message));
    }

    [Fact]
    public void Text_after_else_and_endif_is_ignored()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\n#else RPC_HDR\n#endif RPC_HDR\n#ifdef X\n#endif /* X */").Clean();

        Assert.Equal(5, outcome.Source.LineCount);
    }

    [Fact]
    public void Text_after_the_name_in_ifdef_is_warned_about_and_ignored()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR extra\nh\n#endif");

        Assert.Equal("extra text after '#ifdef RPC_HDR' is ignored", outcome.Single(DiagnosticDescriptors.ExtraTokensInDirective, 1, 16).Message);
        Assert.Equal(RpcgenTarget.Header, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void An_unknown_directive_is_an_error_at_its_name()
    {
        Outcome outcome = Preprocess.Text("\n# ident \"@(#)x.x\"");

        Assert.Equal("unknown preprocessor directive '#ident'", outcome.Single(DiagnosticDescriptors.UnknownDirective, 2, 3).Message);
    }

    [Fact]
    public void A_hash_followed_by_punctuation_is_an_invalid_directive()
    {
        Assert.Equal("invalid preprocessor directive '#!'", Preprocess.Text("#!/bin/sh").Single(DiagnosticDescriptors.UnknownDirective, 1, 2).Message);
    }

    [Fact]
    public void Unknown_directives_and_junk_in_a_skipped_region_are_not_errors()
    {
        Preprocess.Text("#if 0\n#bogus\n#!junk\n#define F(x) x\n#include <nowhere>\n#error no\n#pragma once\n#line x\n#endif").Clean();
    }

    [Fact]
    public void Error_directive_is_an_error_with_its_text()
    {
        Outcome outcome = Preprocess.Text("#ifndef RPC_HDR\n  #error   only for the header  \n#endif");

        Assert.Equal("#error only for the header", outcome.Single(DiagnosticDescriptors.ErrorDirective, 2, 3).Message);
    }

    [Fact]
    public void Error_directive_in_a_skipped_region_is_silent()
    {
        Preprocess.Text("#ifdef NEVER\n#error never\n#endif").Clean();
    }

    [Fact]
    public void Warning_directive_is_a_warning_with_its_text()
    {
        Diagnostic warning = Preprocess.Text("#warning deprecated").Single(DiagnosticDescriptors.WarningDirective, 1, 1);

        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("#warning deprecated", warning.Message);
    }

    [Fact]
    public void Pragma_is_a_warning_that_it_is_ignored()
    {
        Diagnostic warning = Preprocess.Text("#pragma ident \"x\"").Single(DiagnosticDescriptors.PragmaIgnored, 1, 1);

        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("'#pragma ident \"x\"' is ignored", warning.Message);
    }

    [Theory]
    [InlineData("#line", 6, "#line without a line number")]
    [InlineData("#line x", 7, "'x' after #line is not a line number")]
    [InlineData("#line 0x10", 7, "'0x10' after #line is not a line number")]
    [InlineData("#line 12 file.x", 10, "invalid file name after the line number (expected \"file\")")]
    [InlineData("#line 12 \"file.x", 10, "invalid file name after the line number (expected \"file\")")]
    [InlineData("#line 99999999999", 7, "line number 99999999999 is out of range")]
    public void A_malformed_line_directive_is_an_error(string directive, int column, string message)
    {
        Assert.Equal(message, Preprocess.Text(directive).Single(DiagnosticDescriptors.InvalidLineDirective, 1, column).Message);
    }

    [Fact]
    public void Text_after_the_file_name_in_line_is_warned_about()
    {
        Preprocess.Text("#line 5 \"a.x\" 3").Single(DiagnosticDescriptors.ExtraTokensInDirective, 1, 15);
    }

    [Fact]
    public void A_diagnostic_in_a_continued_directive_points_into_the_right_physical_line()
    {
        Preprocess.Text("#if 1 + \\\n   (2 / 0)\n#endif").Single(DiagnosticDescriptors.DivisionByZero, 2, 7);
    }

    [Fact]
    public void Conditionals_nested_too_deeply_are_reported_once_and_skipped()
    {
        int depth = PreprocessorEngine.MaxConditionalDepth + 50;
        string input = string.Concat(Enumerable.Repeat("#if 1\n", depth)) + "deep\n" + string.Concat(Enumerable.Repeat("#endif\n", depth));
        Outcome outcome = Preprocess.Text(input);

        outcome.Single(DiagnosticDescriptors.ConditionalNestingTooDeep, PreprocessorEngine.MaxConditionalDepth + 1, 1);
        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(depth + 1));
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_fine()
    {
        int depth = PreprocessorEngine.MaxConditionalDepth;
        string input = string.Concat(Enumerable.Repeat("#ifndef RPC_HDR\n", depth)) + "deep\n" + string.Concat(Enumerable.Repeat("#endif\n", depth));
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(Preprocess.AllButHeader, outcome.Source.TargetsOf(outcome.LineOf("deep")));
    }

    [Fact]
    public void A_missing_input_file_is_an_error()
    {
        var diagnostics = new DiagnosticBag();
        PreprocessedSource source = Preprocessor.Run("/src/none.x", new InMemorySources(), PreprocessorOptions.Default, diagnostics);

        Diagnostic error = Assert.Single(diagnostics.All);
        Assert.Equal(DiagnosticDescriptors.InputNotFound.Code, error.Code);
        Assert.Equal(new SourceLocation("/src/none.x", 1, 1), error.Location);
        Assert.Equal(0, source.LineCount);
    }
}
