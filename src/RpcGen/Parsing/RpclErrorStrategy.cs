using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Grammar;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Parsing;

/// <summary>
/// ANTLR's recovery (single-token insertion and deletion, then resynchronisation) with messages in the
/// compiler's voice: what was expected, in words, and what was found. A missing token is reported right
/// after the token before it, where it belongs, as C# compilers do.
/// </summary>
internal sealed class RpclErrorStrategy(PreprocessedSource source, DiagnosticBag diagnostics, RpclTokenSource tokens) : DefaultErrorStrategy
{
    private static readonly int[] TypeStart =
    [
        RpclLexer.UNSIGNED, RpclLexer.INT, RpclLexer.HYPER, RpclLexer.CHAR, RpclLexer.SHORT, RpclLexer.LONG, RpclLexer.FLOAT,
        RpclLexer.DOUBLE, RpclLexer.QUADRUPLE, RpclLexer.BOOL, RpclLexer.OPAQUE, RpclLexer.STRING, RpclLexer.ENUM,
        RpclLexer.STRUCT, RpclLexer.UNION, RpclLexer.IDENTIFIER,
    ];

    private static readonly int[] DefinitionStart =
        [RpclLexer.CONST, RpclLexer.TYPEDEF, RpclLexer.ENUM, RpclLexer.STRUCT, RpclLexer.UNION, RpclLexer.PROGRAM];

    private static readonly int[] ValueStart = [RpclLexer.MINUS, RpclLexer.NUMBER, RpclLexer.IDENTIFIER, RpclLexer.CHAR_LITERAL];

    /// <summary>
    /// Before a closing bracket, supplying the missing token is the better repair: ANTLR would try deleting the
    /// bracket first, which for <c>int a };</c> turns one missing ';' into two errors.
    /// </summary>
    public override IToken RecoverInline(Parser recognizer)
    {
        if (recognizer.CurrentToken.Type is RpclLexer.RBRACE or RpclLexer.RPAREN or RpclLexer.RBRACKET && SingleTokenInsertion(recognizer))
        {
            return GetMissingSymbol(recognizer);
        }

        return base.RecoverInline(recognizer);
    }

    protected override void ReportInputMismatch(Parser recognizer, InputMismatchException e) =>
        Report(e.OffendingToken, $"expected {Describe(e.GetExpectedTokens())}, found {Describe(e.OffendingToken)}");

    protected override void ReportNoViableAlternative(Parser recognizer, NoViableAltException e) =>
        Report(e.OffendingToken, $"expected {Describe(recognizer.GetExpectedTokens())}, found {Describe(e.OffendingToken)}");

    protected override void ReportFailedPredicate(Parser recognizer, FailedPredicateException e) =>
        Report(e.OffendingToken, $"unexpected {Describe(e.OffendingToken)}");

    protected override void ReportUnwantedToken(Parser recognizer)
    {
        if (InErrorRecoveryMode(recognizer))
        {
            return;
        }

        BeginErrorCondition(recognizer);
        IToken token = recognizer.CurrentToken;
        Report(token, $"unexpected {Describe(token)}; expected {Describe(GetExpectedTokens(recognizer))}");
    }

    protected override void ReportMissingToken(Parser recognizer)
    {
        if (InErrorRecoveryMode(recognizer))
        {
            return;
        }

        BeginErrorCondition(recognizer);
        IToken current = recognizer.CurrentToken;
        IToken? previous = ((ITokenStream)recognizer.InputStream).LT(-1);
        string message = $"expected {Describe(GetExpectedTokens(recognizer))}";
        if (previous is null || previous.Type == TokenConstants.EOF)
        {
            Report(current, message);
            return;
        }

        // After the previous token: "int x" followed by a new line is reported at the end of "x".
        SourceLocation after = source.Locate(previous.Line, previous.Column + 1 + previous.Text.Length);
        diagnostics.Add(DiagnosticDescriptors.SyntaxError, after, message);
    }

    private void Report(IToken token, string message)
    {
        if (token.Type == TokenConstants.EOF && tokens.Truncated)
        {
            return; // the cut was already reported; complaints about what is missing after it add nothing
        }

        diagnostics.Add(DiagnosticDescriptors.SyntaxError, source.Locate(token.Line, token.Column + 1), message);
    }

    private static string Describe(IToken token) => token.Type switch
    {
        TokenConstants.EOF => "end of file",
        RpclLexer.IDENTIFIER => $"identifier '{Shorten(token.Text)}'",
        RpclLexer.NUMBER => $"number {Shorten(token.Text)}",
        RpclLexer.STRING_LITERAL => $"string {Shorten(token.Text)}",
        RpclLexer.CHAR_LITERAL => $"character constant {token.Text}",
        _ => $"'{Shorten(token.Text)}'",
    };

    /// <summary>An expected-token set in words, grouping the long alternatives ("a type", "a definition").</summary>
    private static string Describe(IntervalSet expected)
    {
        var remaining = new HashSet<int>(expected.ToList());
        var words = new List<string>();
        Group(DefinitionStart, "a definition (const, typedef, enum, struct, union or program)");
        Group(TypeStart, "a type");
        Group(ValueStart, "a number or constant name");
        foreach (int type in remaining.Order())
        {
            words.Add(type switch
            {
                TokenConstants.EOF => "end of file",
                RpclLexer.IDENTIFIER => "an identifier",
                RpclLexer.NUMBER => "a number",
                RpclLexer.STRING_LITERAL => "a string",
                RpclLexer.CHAR_LITERAL => "a character constant",
                _ => RpclParser.DefaultVocabulary.GetLiteralName(type) ?? RpclParser.DefaultVocabulary.GetDisplayName(type),
            });
        }

        return words.Count switch
        {
            0 => "something else",
            1 => words[0],
            <= 6 => string.Join(", ", words[..^1]) + " or " + words[^1],
            _ => string.Join(", ", words[..5]) + " or another token",
        };

        void Group(int[] members, string name)
        {
            if (members.All(remaining.Contains))
            {
                words.Add(name);
                remaining.ExceptWith(members);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 32 ? text : text[..29] + "...";
}
