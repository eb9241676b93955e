using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>#if expressions: C integer constant expressions over intmax_t and uintmax_t (C11 6.10.1).</summary>
public class ExpressionTests
{
    private static bool IsTrue(string expression, string prelude = "")
    {
        Outcome outcome = Preprocess.Text($"{prelude}#if {expression}\nyes\n#endif").Clean();
        return outcome.Source.TargetsOf(outcome.Source.LineCount - 1) == RpcgenTarget.All;
    }

    [Theory]
    [InlineData("1 + 2 * 3 == 7")]
    [InlineData("(1 + 2) * 3 == 9")]
    [InlineData("10 - 2 - 3 == 5")]
    [InlineData("100 / 10 / 5 == 2")]
    [InlineData("7 / 2 == 3 && -7 / 2 == -3 && -7 % 3 == -1")]
    [InlineData("2 * 3 % 4 == 2")]
    [InlineData("1 << 3 + 1 == 16")]
    [InlineData("-16 >> 2 == -4")]
    [InlineData("1 << 63 < 0")]
    [InlineData("1 < 2 == 1")]
    [InlineData("(3 & 5 == 1) == 0")]
    [InlineData("(1 | 2 ^ 3 & 1) == 3")]
    [InlineData("1 || 0 && 0")]
    [InlineData("!((1 || 0) && 0)")]
    [InlineData("!0 && !!7 && ~0 == -1 && -(-3) == +3")]
    [InlineData("1 ? 2 : 0")]
    [InlineData("0 ? 0 : 1 ? 2 : 0")]
    [InlineData("(0, 1)")]
    [InlineData("0x10 == 16 && 0XfF == 255 && 010 == 8 && 0 == 00")]
    [InlineData("10u == 10 && 10UL == 10L && 10llu == 10 && 10LLU == 10 && 10lu == 10")]
    [InlineData("'a' == 97 && '\\n' == 10 && '\\0' == 0 && '\\x41' == 65 && '\\'' == 39 && '\\101' == 65")]
    [InlineData("'\\377' < 0")]
    [InlineData("9223372036854775807 > 0")]
    [InlineData("-9223372036854775807 - 1 < 0")]
    [InlineData("100000000000 * 100000 > 0")]
    public void Arithmetic_follows_c_precedence_and_semantics(string expression)
    {
        Assert.True(IsTrue(expression), expression);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1 - 1")]
    [InlineData("(1 || 0) && 0")]
    [InlineData("1, 0")]
    [InlineData("1 ? 0 : 1")]
    [InlineData("-1 > 0")]
    public void False_expressions_drop_the_region(string expression)
    {
        Assert.False(IsTrue(expression), expression);
    }

    [Theory]
    [InlineData("-1 > 0u")]
    [InlineData("0xFFFFFFFFFFFFFFFF == -1")]
    [InlineData("18446744073709551615 > 0")]
    [InlineData("-1 / 2u > 0")]
    [InlineData("(0 ? 1u : -1) > 0")]
    [InlineData("(-1u >> 63) == 1")]
    public void An_unsigned_operand_makes_the_operation_unsigned(string expression)
    {
        Assert.True(IsTrue(expression), expression);
    }

    [Theory]
    [InlineData("1 << 64 == 0")]
    [InlineData("-1 >> 64 == -1")]
    [InlineData("1u >> 70 == 0")]
    [InlineData("(4 << -1) == 2")]
    [InlineData("(-9223372036854775807 - 1) / -1 < 0")]
    [InlineData("(-9223372036854775807 - 1) % -1 == 0")]
    public void Edge_cases_wrap_instead_of_failing(string expression)
    {
        Assert.True(IsTrue(expression), expression);
    }

    [Theory]
    [InlineData("defined X")]
    [InlineData("defined(X)")]
    [InlineData("defined ( X )")]
    [InlineData("!defined Y && !defined(Y)")]
    [InlineData("defined X && X == 5")]
    [InlineData("defined EMPTY")]
    public void Defined_works_with_and_without_parentheses(string expression)
    {
        Assert.True(IsTrue(expression, "#define X 5\n#define EMPTY\n"), expression);
    }

    [Fact]
    public void The_operand_of_defined_is_not_expanded()
    {
        Assert.True(IsTrue("defined(ALIAS) && !defined(UNDEFINED)", "#define ALIAS UNDEFINED\n"));
    }

    [Fact]
    public void A_macro_that_expands_to_defined_is_applied_as_cpp_does()
    {
        Assert.True(IsTrue("HAVE_X", "#define X 1\n#define HAVE_X defined(X)\n"));
    }

    [Fact]
    public void Identifiers_that_are_not_macros_are_zero()
    {
        Assert.True(IsTrue("UNKNOWN == 0 && !UNKNOWN"));
    }

    [Fact]
    public void Macros_expand_recursively()
    {
        Assert.True(IsTrue("A == 6", "#define C 3\n#define B (C + C)\n#define A B\n"));
    }

    [Fact]
    public void A_macro_is_not_expanded_inside_its_own_expansion()
    {
        Assert.False(IsTrue("SELF", "#define SELF SELF\n"));
        Assert.True(IsTrue("PING == 0", "#define PING PONG\n#define PONG PING\n"));
        Assert.True(IsTrue("N == 2", "#define N (N + 2)\n"));
    }

    [Fact]
    public void A_long_chain_of_macros_expands_without_recursion()
    {
        string prelude = string.Concat(Enumerable.Range(0, 5000).Select(i => $"#define M{i} M{i + 1}\n")) + "#define M5000 42\n";

        Assert.True(IsTrue("M0 == 42", prelude));
    }

    [Fact]
    public void A_long_flat_expression_is_fine()
    {
        string sum = string.Join(" + ", Enumerable.Repeat("1", 100_000));

        Assert.True(IsTrue($"{sum} == 100000"));
    }

    [Theory]
    [InlineData("!(0 && 1 / 0)")]
    [InlineData("1 || 1 % 0")]
    [InlineData("0 ? 1 / 0 : 1")]
    [InlineData("1 ? 1 : 1 / 0")]
    [InlineData("!(0 && (1 / 0 || 2 / 0))")]
    public void Operands_that_are_not_evaluated_may_divide_by_zero(string expression)
    {
        Assert.True(IsTrue(expression), expression);
    }

    [Fact]
    public void Division_by_zero_is_an_error_at_the_operator()
    {
        Outcome outcome = Preprocess.Text("\n#if 4 / (2 - 2)\nx\n#endif");

        Assert.Equal("division by zero in #if expression", outcome.Single(DiagnosticDescriptors.DivisionByZero, 2, 7).Message);
    }

    [Theory]
    [InlineData("4 / 0", true)]
    [InlineData("0 / 0", false)]
    [InlineData("-3 % 0 == 3", true)]
    [InlineData("5u / 0 == 5", true)]
    public void After_a_division_by_zero_evaluation_goes_on_with_the_left_operand_as_in_gcc(string expression, bool kept)
    {
        Outcome outcome = Preprocess.Text($"#if {expression}\nx\n#endif");

        Assert.Equal(DiagnosticDescriptors.DivisionByZero.Code, Assert.Single(outcome.All).Code);
        Assert.Equal(kept ? RpcgenTarget.All : RpcgenTarget.None, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void Remainder_by_zero_is_an_error()
    {
        Preprocess.Text("#if 4 % ZERO\n#endif").Single(DiagnosticDescriptors.DivisionByZero, 1, 7);
    }

    [Fact]
    public void An_error_found_for_several_targets_is_reported_once()
    {
        Outcome outcome = Preprocess.Text("#if X / 0\n#endif");

        outcome.Single(DiagnosticDescriptors.DivisionByZero, 1, 7);
    }

    [Fact]
    public void An_error_for_some_targets_only_keeps_the_region_for_the_others()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\n#define PLUS +\n#endif\n#if 1 PLUS 1\nh\n#endif");

        Assert.Equal("missing binary operator before 'PLUS'", outcome.Single(DiagnosticDescriptors.InvalidExpression, 4, 7).Message);
        Assert.Equal(RpcgenTarget.Header, outcome.Source.TargetsOf(5));
    }

    [Fact]
    public void Errors_inside_a_macro_are_reported_where_the_macro_is_used()
    {
        Outcome outcome = Preprocess.Text("#define BAD 1.5\n#if 1 + BAD\n#endif");

        Assert.Contains("floating constant", outcome.Single(DiagnosticDescriptors.InvalidExpression, 2, 9).Message);
    }

    [Theory]
    [InlineData("#if", 1, "#if with no expression")]
    [InlineData("#if   /* nothing */", 1, "#if with no expression")]
    [InlineData("#if EMPTY", 5, "#if with no expression")]
    [InlineData("#if 1 +", 8, "#if expression ends where a value was expected")]
    [InlineData("#if (1", 7, "missing ')' in #if expression (found the end of the line)")]
    [InlineData("#if 1)", 6, "missing '(' in #if expression")]
    [InlineData("#if 1 2", 7, "missing binary operator before a number")]
    [InlineData("#if 1 X", 7, "missing binary operator before 'X'")]
    [InlineData("#if * 2", 5, "expected a value before '*'")]
    [InlineData("#if 1 ? 2", 10, "'?' without following ':' (found the end of the line)")]
    [InlineData("#if 1.5", 5, "floating constant '1.5' in #if expression")]
    [InlineData("#if 1e3", 5, "floating constant '1e3' in #if expression")]
    [InlineData("#if 09", 5, "invalid digit '9' in octal constant '09'")]
    [InlineData("#if 12abc", 5, "invalid suffix 'abc' on integer constant '12abc'")]
    [InlineData("#if 1uu", 5, "invalid suffix 'uu' on integer constant '1uu'")]
    [InlineData("#if 0x", 5, "invalid hexadecimal constant '0x' (no digits after '0x')")]
    [InlineData("#if 99999999999999999999", 5, "integer constant '99999999999999999999' is too large for 64 bits")]
    [InlineData("#if \"s\"", 5, "string literals are not valid in #if expressions")]
    [InlineData("#if ''", 5, "empty character constant")]
    [InlineData("#if 'a", 5, "missing terminating ' character")]
    [InlineData("#if A = 1", 7, "'=' is not valid in #if expressions")]
    [InlineData("#if A += 1", 7, "'+=' is not valid in #if expressions")]
    [InlineData("#if 1 @ 2", 7, "'@' is not valid in #if expressions")]
    [InlineData("#if defined", 5, "operator 'defined' requires a macro name (found the end of the line)")]
    [InlineData("#if defined(X", 14, "missing ')' after 'defined X'")]
    [InlineData("#if defined 3", 13, "operator 'defined' requires a macro name (found a number)")]
    public void Malformed_expressions_are_errors_at_the_offending_token(string directive, int column, string message)
    {
        Outcome outcome = Preprocess.Text($"#define EMPTY\n{directive}\n#endif");

        Assert.Equal(message, outcome.Single(DiagnosticDescriptors.InvalidExpression, 2, column).Message);
    }

    [Fact]
    public void Syntax_errors_are_reported_even_in_operands_that_are_not_evaluated()
    {
        Preprocess.Text("#if 0 && (1 +)\n#endif").Single(DiagnosticDescriptors.InvalidExpression, 1, 14);
    }

    [Fact]
    public void Expressions_in_regions_no_target_sees_are_not_evaluated()
    {
        Preprocess.Text("#if 0\n#if 1 / 0\n#elif (\n#endif\n#endif").Clean();
    }

    [Fact]
    public void An_elif_without_expression_is_an_error_when_evaluated()
    {
        Assert.Equal("#elif with no expression", Preprocess.Text("#if 0\n#elif\n#endif").Single(DiagnosticDescriptors.InvalidExpression, 2, 1).Message);
    }

    [Fact]
    public void Ten_thousand_nested_parentheses_are_an_error_not_a_crash()
    {
        string deep = new string('(', 10_000) + "1" + new string(')', 10_000);
        Outcome outcome = Preprocess.Text($"#if {deep}\nx\n#endif");

        Diagnostic error = outcome.Single(DiagnosticDescriptors.ExpressionTooDeep, 1, 5 + ExpressionEvaluator.MaxDepth);
        Assert.Contains("nested more than 256 levels", error.Message);
    }

    [Fact]
    public void Ten_thousand_unary_operators_are_an_error_not_a_crash()
    {
        Preprocess.Text($"#if {new string('!', 10_000)}1\n#endif").Single(DiagnosticDescriptors.ExpressionTooDeep, 1, 5 + ExpressionEvaluator.MaxDepth);
        Preprocess.Text($"#if {string.Concat(Enumerable.Repeat("1 ? ", 10_000))}1{string.Concat(Enumerable.Repeat(" : 0", 10_000))}\n#endif")
            .Single(DiagnosticDescriptors.ExpressionTooDeep, 1, 7 + (4 * ExpressionEvaluator.MaxDepth));
    }

    [Fact]
    public void Moderate_nesting_is_fine()
    {
        Assert.True(IsTrue(new string('(', 200) + "1" + new string(')', 200)));
    }

    [Fact]
    public void Macros_that_expand_exponentially_are_an_error_not_a_hang()
    {
        string prelude = string.Concat(Enumerable.Range(0, 40).Select(i => $"#define E{i} E{i + 1} E{i + 1}\n"));
        Outcome outcome = Preprocess.Text($"{prelude}#if E0\n#endif");

        Diagnostic error = outcome.Single(DiagnosticDescriptors.MacroExpansionTooLarge, 41, 5);
        Assert.Contains("100000 tokens", error.Message);
    }
}
