using System.Globalization;
using System.Numerics;
using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Naming;
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
            if (NodeNamed(name.Text) is { } defined)
            {
                return ValueOf(defined, name); // a version or procedure name, or a %#define
            }

            if (PredefinedNames.BoolMembers.TryGetValue(name.Text, out long boolMember))
            {
                return boolMember;
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

        if (NodeOf(symbol) is not { } node)
        {
            Report(DiagnosticDescriptors.WrongKindOfName, name, $"'{name.Text}' is {symbol.Describe()}, not a constant");
            return null;
        }

        BigInteger? value = ValueOf(node, name);
        if (value is null && symbol.Context is ConstantDefinitionContext constant && constant.STRING_LITERAL() is not null)
        {
            Report(DiagnosticDescriptors.NumberExpected, name, $"'{name.Text}' is a string constant; a number is needed here");
        }

        return value;
    }

    /// <summary>A value as C's 64-bit arithmetic holds it (two's complement), or null when it has no such form.</summary>
    private static long? AsCValue(BigInteger? value) =>
        value is { } v && v >= long.MinValue && v <= ulong.MaxValue ? (long)(ulong)(v & ulong.MaxValue) : null;

    private BigInteger? EvaluateConstant(Symbol symbol) => ValueOf(NodeOf(symbol)!, symbol.NameToken);

    /// <summary>An enum member's value: the one given, or the previous member's plus one (the first is 0), as C numbers them.</summary>
    private BigInteger? EnumMemberValue(MemberNode node)
    {
        EnumMemberContext member = node.Member;
        if (member.value() is { } given)
        {
            return EvaluateInRange(given, int.MinValue, int.MaxValue, DiagnosticDescriptors.ValueOutOfRange, "an enum value");
        }

        if (node.Previous is not { } before)
        {
            return 0;
        }

        BigInteger? previous = ValueOf(before, before.NameToken);
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
    private BigInteger? ValueOfMember(EnumMemberContext member) => ValueOf(MemberNodeOf(member), member.IDENTIFIER().Symbol);

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
