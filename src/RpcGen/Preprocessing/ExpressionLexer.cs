namespace NetRpc.RpcGen.Preprocessing;

internal enum ExpressionTokenKind : byte
{
    End,
    Number,
    Identifier,
    Operator,

    /// <summary>Something C does not allow in an #if expression; <see cref="ExpressionToken.Text"/> says what.</summary>
    Invalid,
}

internal enum ExpressionOperator : byte
{
    None,
    OpenParen,
    CloseParen,
    Not,
    Complement,
    Plus,
    Minus,
    Multiply,
    Divide,
    Remainder,
    ShiftLeft,
    ShiftRight,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    BitwiseAnd,
    BitwiseXor,
    BitwiseOr,
    LogicalAnd,
    LogicalOr,
    Question,
    Colon,
    Comma,
}

/// <summary>A value of an #if expression: C's intmax_t or uintmax_t, both 64 bits here.</summary>
internal readonly record struct ExpressionValue(long Bits, bool IsUnsigned)
{
    public static ExpressionValue False => new(0, false);

    public static ExpressionValue True => new(1, false);

    public bool IsTrue => Bits != 0;

    public static ExpressionValue FromBool(bool value) => value ? True : False;
}

/// <summary>
/// One token of an #if expression. <see cref="Text"/> is the name of an identifier, or for an invalid token
/// what is wrong with it; <see cref="Position"/> is an index into the directive text.
/// </summary>
internal readonly record struct ExpressionToken(ExpressionTokenKind Kind, ExpressionOperator Operator, ExpressionValue Value, string? Text, int Position);

/// <summary>Splits #if expression text into tokens. It never fails: what C does not allow becomes an invalid token, reported if the parser reaches it.</summary>
internal static class ExpressionLexer
{
    public static List<ExpressionToken> Tokenize(string text, int start, bool includeEnd)
    {
        var tokens = new List<ExpressionToken>();
        int i = start;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            int begin = i;
            char c = text[i];
            ExpressionToken token;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i = NumberEnd(text, i);
                token = Number(text.AsSpan(begin, i - begin), begin);
            }
            else if (LineScanner.IsIdentifierStart(c))
            {
                i = LineScanner.IdentifierEnd(text, i);
                token = new ExpressionToken(ExpressionTokenKind.Identifier, ExpressionOperator.None, default, text[begin..i], begin);
            }
            else if (c == '\'')
            {
                token = CharacterConstant(text, ref i);
            }
            else if (c == '"')
            {
                token = Invalid("string literals are not valid in #if expressions", begin);
            }
            else
            {
                token = Operator(text, ref i);
            }

            tokens.Add(token);
            if (token.Kind == ExpressionTokenKind.Invalid)
            {
                // Nothing after an invalid token is ever looked at: the parser stops at the first one it meets.
                break;
            }
        }

        if (includeEnd)
        {
            tokens.Add(new ExpressionToken(ExpressionTokenKind.End, ExpressionOperator.None, default, null, text.Length));
        }

        return tokens;
    }

    public static string Spelling(ExpressionOperator op) => op switch
    {
        ExpressionOperator.OpenParen => "(",
        ExpressionOperator.CloseParen => ")",
        ExpressionOperator.Not => "!",
        ExpressionOperator.Complement => "~",
        ExpressionOperator.Plus => "+",
        ExpressionOperator.Minus => "-",
        ExpressionOperator.Multiply => "*",
        ExpressionOperator.Divide => "/",
        ExpressionOperator.Remainder => "%",
        ExpressionOperator.ShiftLeft => "<<",
        ExpressionOperator.ShiftRight => ">>",
        ExpressionOperator.Less => "<",
        ExpressionOperator.LessOrEqual => "<=",
        ExpressionOperator.Greater => ">",
        ExpressionOperator.GreaterOrEqual => ">=",
        ExpressionOperator.Equal => "==",
        ExpressionOperator.NotEqual => "!=",
        ExpressionOperator.BitwiseAnd => "&",
        ExpressionOperator.BitwiseXor => "^",
        ExpressionOperator.BitwiseOr => "|",
        ExpressionOperator.LogicalAnd => "&&",
        ExpressionOperator.LogicalOr => "||",
        ExpressionOperator.Question => "?",
        ExpressionOperator.Colon => ":",
        ExpressionOperator.Comma => ",",
        _ => "",
    };

    private static ExpressionToken Invalid(string message, int position) =>
        new(ExpressionTokenKind.Invalid, ExpressionOperator.None, default, message, position);

    // A C preprocessing number: digits, letters, underscores and dots, and a sign right after an exponent letter.
    private static int NumberEnd(string text, int i)
    {
        i++;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is '+' or '-' && text[i - 1] is 'e' or 'E' or 'p' or 'P')
            {
                i++;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static ExpressionToken Number(ReadOnlySpan<char> spelling, int position)
    {
        bool hex = spelling.Length > 1 && spelling[0] == '0' && spelling[1] is 'x' or 'X';
        if (spelling.Contains('.') || (!hex && spelling.IndexOfAny('e', 'E') >= 0) || (hex && spelling.IndexOfAny('p', 'P') >= 0))
        {
            return Invalid($"floating constant '{spelling}' in #if expression", position);
        }

        int radix = hex ? 16 : spelling[0] == '0' ? 8 : 10;
        int i = hex ? 2 : 0;
        int digitsStart = i;
        ulong value = 0;
        bool overflow = false;
        for (; i < spelling.Length; i++)
        {
            int digit = HexDigitValue(spelling[i]);
            if (digit < 0 || (radix == 10 && digit > 9) || (radix == 8 && digit > 9))
            {
                break;
            }

            if (radix == 8 && digit > 7)
            {
                return Invalid($"invalid digit '{spelling[i]}' in octal constant '{spelling}'", position);
            }

            ulong next = unchecked((value * (ulong)radix) + (ulong)digit);
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                overflow = true;
            }

            value = next;
        }

        if (hex && i == digitsStart)
        {
            return Invalid($"invalid hexadecimal constant '{spelling}' (no digits after '0x')", position);
        }

        ReadOnlySpan<char> suffix = spelling[i..];
        if (!TryReadSuffix(suffix, out bool unsignedSuffix))
        {
            return Invalid($"invalid suffix '{suffix}' on integer constant '{spelling}'", position);
        }

        if (overflow)
        {
            return Invalid($"integer constant '{spelling}' is too large for 64 bits", position);
        }

        // Like cpp: a constant too large for intmax_t is unsigned.
        bool isUnsigned = unsignedSuffix || value > long.MaxValue;
        return new ExpressionToken(ExpressionTokenKind.Number, ExpressionOperator.None, new ExpressionValue(unchecked((long)value), isUnsigned), null, position);
    }

    private static int HexDigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    // u, l, ll and their combinations, in either order (C11 6.4.4.1); ll must not mix cases.
    private static bool TryReadSuffix(ReadOnlySpan<char> suffix, out bool isUnsigned)
    {
        int i = 0;
        isUnsigned = false;
        if (i < suffix.Length && suffix[i] is 'u' or 'U')
        {
            isUnsigned = true;
            i++;
        }

        if (i < suffix.Length && suffix[i] is 'l' or 'L')
        {
            char l = suffix[i++];
            if (i < suffix.Length && suffix[i] == l)
            {
                i++;
            }
        }

        if (!isUnsigned && i < suffix.Length && suffix[i] is 'u' or 'U')
        {
            isUnsigned = true;
            i++;
        }

        return i == suffix.Length;
    }

    private static ExpressionToken CharacterConstant(string text, ref int i)
    {
        int begin = i;
        i++;
        long value = 0;
        int count = 0;
        while (i < text.Length && text[i] != '\'')
        {
            int c;
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                c = Escape(text, ref i);
            }
            else
            {
                c = text[i++];
            }

            value = unchecked((value << 8) | (uint)(c & 0xFF));
            count++;
        }

        if (i >= text.Length)
        {
            return Invalid("missing terminating ' character", begin);
        }

        i++;
        if (count == 0)
        {
            return Invalid("empty character constant", begin);
        }

        // GCC on the platforms rpcgen runs on: char is signed, a multi-character constant is an int.
        long result = count == 1 ? (sbyte)value : (int)value;
        return new ExpressionToken(ExpressionTokenKind.Number, ExpressionOperator.None, new ExpressionValue(result, false), null, begin);
    }

    private static int Escape(string text, ref int i)
    {
        i++;
        char c = text[i++];
        switch (c)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'a': return 7;
            case 'b': return 8;
            case 'f': return 12;
            case 'v': return 11;
            case 'e': return 27;
            case 'x':
            {
                int value = 0;
                while (i < text.Length && HexDigitValue(text[i]) >= 0)
                {
                    value = unchecked((value << 4) | HexDigitValue(text[i++]));
                }

                return value;
            }

            case >= '0' and <= '7':
            {
                int value = c - '0';
                for (int n = 0; n < 2 && i < text.Length && text[i] is >= '0' and <= '7'; n++)
                {
                    value = (value << 3) | (text[i++] - '0');
                }

                return value;
            }

            default:
                return c;
        }
    }

    private static ExpressionToken Operator(string text, ref int i)
    {
        int begin = i;
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        ExpressionOperator op = ExpressionOperator.None;
        int length = 1;
        switch (c)
        {
            case '(': op = ExpressionOperator.OpenParen; break;
            case ')': op = ExpressionOperator.CloseParen; break;
            case '~': op = ExpressionOperator.Complement; break;
            case '?': op = ExpressionOperator.Question; break;
            case ':': op = ExpressionOperator.Colon; break;
            case ',': op = ExpressionOperator.Comma; break;
            case '^': op = next == '=' ? ExpressionOperator.None : ExpressionOperator.BitwiseXor; break;
            case '*': op = next == '=' ? ExpressionOperator.None : ExpressionOperator.Multiply; break;
            case '/': op = next == '=' ? ExpressionOperator.None : ExpressionOperator.Divide; break;
            case '%': op = next == '=' ? ExpressionOperator.None : ExpressionOperator.Remainder; break;
            case '+': op = next is '=' or '+' ? ExpressionOperator.None : ExpressionOperator.Plus; break;
            case '-': op = next is '=' or '-' or '>' ? ExpressionOperator.None : ExpressionOperator.Minus; break;
            case '!': (op, length) = next == '=' ? (ExpressionOperator.NotEqual, 2) : (ExpressionOperator.Not, 1); break;
            case '=': (op, length) = next == '=' ? (ExpressionOperator.Equal, 2) : (ExpressionOperator.None, 1); break;
            case '&':
                (op, length) = next == '&' ? (ExpressionOperator.LogicalAnd, 2) : next == '=' ? (ExpressionOperator.None, 1) : (ExpressionOperator.BitwiseAnd, 1);
                break;
            case '|':
                (op, length) = next == '|' ? (ExpressionOperator.LogicalOr, 2) : next == '=' ? (ExpressionOperator.None, 1) : (ExpressionOperator.BitwiseOr, 1);
                break;
            case '<':
                (op, length) = next == '<' ? (ExpressionOperator.ShiftLeft, 2) : next == '=' ? (ExpressionOperator.LessOrEqual, 2) : (ExpressionOperator.Less, 1);
                break;
            case '>':
                (op, length) = next == '>' ? (ExpressionOperator.ShiftRight, 2) : next == '=' ? (ExpressionOperator.GreaterOrEqual, 2) : (ExpressionOperator.Greater, 1);
                break;
        }

        if (op == ExpressionOperator.None)
        {
            // Assignment, increment and the like, or punctuation C has no use for here.
            int end = begin + 1;
            while (end < text.Length && end - begin < 3 && text[end] is '=' or '+' or '-' or '>' or '<' or '&' or '|')
            {
                end++;
            }

            i = end;
            string spelling = char.IsControl(c) ? $"\\u{(int)c:x4}" : text[begin..end];
            return Invalid($"'{spelling}' is not valid in #if expressions", begin);
        }

        if ((op is ExpressionOperator.ShiftLeft or ExpressionOperator.ShiftRight) && i + 2 < text.Length && text[i + 2] == '=')
        {
            return Invalid($"'{text.AsSpan(begin, 3)}' is not valid in #if expressions", begin);
        }

        i += length;
        return new ExpressionToken(ExpressionTokenKind.Operator, op, default, null, begin);
    }
}
