using System.Globalization;
using System.Numerics;
using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Preprocessing;
using static NetRpc.RpcGen.Grammar.RpclParser;

namespace NetRpc.RpcGen.Checking;

internal sealed partial class Binder
{
    /// <summary>A value and the name it was written as (null for a literal); Value is null when it could not be evaluated (already reported).</summary>
    private readonly record struct Evaluated(BigInteger? Value, string? Name);

    /// <summary>Evaluates a value: a number, a constant or enum member (possibly defined later), or, where allowed, a character constant.</summary>
    private Evaluated Evaluate(ValueContext context, bool allowCharacter = false)
    {
        switch (context)
        {
            case NumberValueContext number when number.NUMBER() is { } digits:
                BigInteger? parsed = ParseNumber(digits.Symbol);
                return new Evaluated(number.MINUS() is null ? parsed : -parsed, null);
            case CharValueContext character:
                if (!allowCharacter)
                {
                    Report(DiagnosticDescriptors.NumberExpected, character, $"a character constant ({character.GetText()}) may only be a union case label; a number or constant name is needed here");
                    return default;
                }

                return new Evaluated(ParseCharacter(character.CHAR_LITERAL().Symbol), null);
            case NameValueContext name:
                return new Evaluated(EvaluateName(name.IDENTIFIER().Symbol), name.GetText());
            default:
                return default; // a value the parser could not read (a '-' alone): its syntax error is reported
        }
    }

    /// <summary>Evaluates a value that must lie in [<paramref name="min"/>, <paramref name="max"/>]; reports <paramref name="descriptor"/> otherwise.</summary>
    private BigInteger? EvaluateInRange(ValueContext context, BigInteger min, BigInteger max, DiagnosticDescriptor descriptor, string what)
    {
        BigInteger? value = Evaluate(context).Value;
        if (value is { } v && (v < min || v > max))
        {
            Report(descriptor, context, $"{what} must be between {min} and {max}; {context.GetText()} is {v}");
            return null;
        }

        return value;
    }

    private BigInteger? EvaluateName(IToken name)
    {
        if (!_symbols.TryGetValue(name.Text, out Symbol? symbol))
        {
            if (_programNumbers.TryGetValue(name.Text, out List<ValueContext>? definitions))
            {
                return EvaluateProgramNumber(name, definitions);
            }

            if (_passthroughDefines.TryGetValue(name.Text, out PassthroughDefine? define))
            {
                return EvaluatePassthroughDefine(name, define);
            }

            if (PredefinedNames.Constants.TryGetValue(name.Text, out long predefined))
            {
                if (_trusted.Add(name.Text))
                {
                    Report(DiagnosticDescriptors.PredefinedConstant, name,
                        $"'{name.Text}' is not defined in this file; NetRpc takes it as {predefined}, its value in the C headers rpcgen relies on");
                }

                return predefined;
            }

            Report(DiagnosticDescriptors.UndefinedConstant, name, $"'{name.Text}' is not defined");
            return null;
        }

        if (symbol.Repaired)
        {
            return null;
        }

        switch (symbol.Kind)
        {
            case SymbolKind.Constant:
                BigInteger? value = EvaluateConstant(symbol);
                if (value is null && ((ConstantDefinitionContext)symbol.Context).STRING_LITERAL() is not null)
                {
                    Report(DiagnosticDescriptors.NumberExpected, name, $"'{name.Text}' is a string constant; a number is needed here");
                }

                return value;
            case SymbolKind.EnumMember:
                return EvaluateEnumMember(symbol);
            case SymbolKind.Program:
                // RFC 5531 section 12.3: program names share the constants' namespace; C sees them as #defines.
                return EvaluateInRange(((ProgramDefinitionContext)symbol.Context).value(), 0, uint.MaxValue, DiagnosticDescriptors.ValueOutOfRange, "a program number");
            default:
                Report(DiagnosticDescriptors.WrongKindOfName, name, $"'{name.Text}' is {symbol.Describe()}, not a constant");
                return null;
        }
    }

    /// <summary>
    /// A name defined by a <c>%#define NAME expression</c> line that rpcgen copies into its C header
    /// (nlm_prot.x: <c>%#define LM_MAXSTRLEN 1024</c>, then <c>string caller_name&lt;LM_MAXSTRLEN&gt;</c>): the C
    /// compiler resolves it there, so NetRpc evaluates the expression as C would, names in it included.
    /// </summary>
    private BigInteger? EvaluatePassthroughDefine(IToken use, PassthroughDefine define) =>
        Memoized(define.Evaluation, Locate(use), $"'{use.Text}'", () =>
        {
            List<ExpressionToken> tokens = ExpressionLexer.Tokenize(define.Replacement, 0, includeEnd: true);
            bool ok = new ExpressionEvaluator(new TargetMacros()).TryEvaluateValue(
                tokens, name => AsCValue(EvaluateName(new CommonToken(use) { Text = name })), out ExpressionValue value, out ExpressionError? error);
            if (define.Evaluation.State != EvaluationState.InProgress)
            {
                return null; // a cycle through this define was found and reported inside
            }

            string line = $"'%{define.Line.Text.Trim()}' (at {define.Line.Location})";
            if (!ok)
            {
                Report(DiagnosticDescriptors.UndefinedConstant, use, $"'{use.Text}' is defined only by the C line {line}, and NetRpc cannot evaluate it: {error?.Message}");
                return null;
            }

            BigInteger result = value.IsUnsigned ? (ulong)value.Bits : value.Bits;
            Report(DiagnosticDescriptors.PassthroughConstant, use, $"'{use.Text}' is defined only by the C line {line}; NetRpc evaluates it as {result}, as the C compiler does");
            return result;
        });

    /// <summary>A value as C's 64-bit arithmetic holds it (two's complement), or null when it has no such form.</summary>
    private static long? AsCValue(BigInteger? value) =>
        value is { } v && v >= long.MinValue && v <= ulong.MaxValue ? (long)(ulong)(v & ulong.MaxValue) : null;

    /// <summary>The number of a version or procedure used as a value; where the name recurs, every definition must agree.</summary>
    private BigInteger? EvaluateProgramNumber(IToken name, List<ValueContext> definitions)
    {
        if (!_evaluatingProgramNumbers.Add(name.Text))
        {
            Report(DiagnosticDescriptors.CircularConstant, name, $"'{name.Text}' is numbered in terms of itself");
            return null;
        }

        BigInteger? result = null;
        foreach (ValueContext definition in definitions)
        {
            BigInteger? value = Evaluate(definition).Value;
            if (value is null)
            {
                continue;
            }

            if (result is { } first && first != value)
            {
                Report(DiagnosticDescriptors.AmbiguousValue, name,
                    $"'{name.Text}' is numbered {first} in one version and {value} in another; as a value it is ambiguous");
                result = null;
                break;
            }

            result = value;
        }

        _evaluatingProgramNumbers.Remove(name.Text);
        return result;
    }

    private BigInteger? EvaluateConstant(Symbol symbol) =>
        Memoized(symbol.Evaluation, symbol.Location, $"constant '{symbol.Name}'", () =>
            ((ConstantDefinitionContext)symbol.Context).value() is { } v ? Evaluate(v).Value : null);

    /// <summary>An enum member's value: the one given, or the previous member's plus one (the first is 0), as C numbers them.</summary>
    private BigInteger? EvaluateEnumMember(Symbol symbol) =>
        Memoized(symbol.Evaluation, symbol.Location, $"enum member '{symbol.Name}'", () => EnumMemberValue((EnumMemberContext)symbol.Context));

    /// <summary>
    /// Evaluates once, remembering the result; a definition reached again while it is being evaluated is
    /// circular, reported once at <paramref name="at"/>, after which the evaluation counts as settled (null).
    /// </summary>
    private BigInteger? Memoized(Evaluation evaluation, SourceLocation at, string what, Func<BigInteger?> compute)
    {
        switch (evaluation.State)
        {
            case EvaluationState.Done:
                return evaluation.Value;
            case EvaluationState.InProgress:
                _diagnostics.Add(DiagnosticDescriptors.CircularConstant, at, $"{what} is defined in terms of itself");
                evaluation.State = EvaluationState.Done;
                return null;
        }

        evaluation.State = EvaluationState.InProgress;
        BigInteger? value = compute();
        if (evaluation.State == EvaluationState.InProgress)
        {
            evaluation.Value = value;
            evaluation.State = EvaluationState.Done;
        }

        return evaluation.Value;
    }

    private BigInteger? EnumMemberValue(EnumMemberContext member)
    {
        if (member.value() is { } given)
        {
            return EvaluateInRange(given, int.MinValue, int.MaxValue, DiagnosticDescriptors.ValueOutOfRange, "an enum value");
        }

        var body = (EnumBodyContext)member.Parent;
        EnumMemberContext[] members = body.enumMember();
        int index = Array.IndexOf(members, member);
        if (index == 0)
        {
            return 0;
        }

        BigInteger? previous = ValueOfMember(members[index - 1]);
        if (previous is not { } p)
        {
            return null;
        }

        if (p + 1 > int.MaxValue)
        {
            Report(DiagnosticDescriptors.ValueOutOfRange, member, $"'{member.IDENTIFIER().GetText()}' would be {p + 1}, past the largest enum value {int.MaxValue}");
            return null;
        }

        return p + 1;
    }

    /// <summary>A member's value whether or not it won the global name (a duplicate still counts for numbering).</summary>
    private BigInteger? ValueOfMember(EnumMemberContext member) =>
        _symbols.TryGetValue(member.IDENTIFIER().GetText(), out Symbol? symbol) && ReferenceEquals(symbol.Context, member)
            ? EvaluateEnumMember(symbol)
            : EnumMemberValue(member);

    /// <summary>Decimal, octal (leading 0) or hexadecimal (0x), as RFC 4506 section 6.2 defines constants.</summary>
    private BigInteger? ParseNumber(IToken token)
    {
        string text = token.Text;
        const int MaxDigits = 40;
        bool hex = text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
        string digits = hex ? text[2..] : text;
        bool valid = digits.Length is > 0 and <= MaxDigits && (hex
            ? digits.All(char.IsAsciiHexDigit)
            : digits.All(char.IsAsciiDigit) && !(digits[0] == '0' && digits.Any(c => c is '8' or '9')));
        if (!valid)
        {
            string reason = digits.Length > MaxDigits ? "too many digits"
                : text is "0x" or "0X" ? "no digits after 0x"
                : text.StartsWith('0') && text.All(char.IsAsciiDigit) ? "a number with a leading 0 is octal and may only use digits 0 to 7"
                : "constants are decimal, octal (leading 0) or hexadecimal (0x) digits only";
            Report(DiagnosticDescriptors.InvalidNumber, token, $"'{Shorten(text)}' is not a valid number: {reason}");
            return null;
        }

        if (hex)
        {
            return BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            BigInteger octal = BigInteger.Zero;
            foreach (char c in digits)
            {
                octal = (octal * 8) + (c - '0');
            }

            return octal;
        }

        return BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>A C character constant: one character, or a simple or octal escape.</summary>
    private BigInteger? ParseCharacter(IToken token)
    {
        string body = token.Text[1..^1];
        if (body.Length == 1 && body[0] != '\\')
        {
            return body[0];
        }

        if (body.Length >= 2 && body[0] == '\\')
        {
            char? simple = body[1] switch
            {
                'n' => '\n', 't' => '\t', 'r' => '\r', '0' when body.Length == 2 => '\0', '\\' => '\\', '\'' => '\'', '"' => '"',
                'a' => '\a', 'b' => '\b', 'f' => '\f', 'v' => '\v', _ => null,
            };
            if (body.Length == 2 && simple is { } c)
            {
                return c;
            }

            if (body.Length <= 4 && body[1..].All(ch => ch is >= '0' and <= '7'))
            {
                return Convert.ToInt32(body[1..], 8);
            }
        }

        Report(DiagnosticDescriptors.InvalidNumber, token, $"{Shorten(token.Text)} is not a single character");
        return null;
    }

    private static string Shorten(string text) => text.Length <= 32 ? text : text[..29] + "...";
}
