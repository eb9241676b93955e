using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Grammar;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Parsing;

/// <summary>
/// Sits between the lexer and the parser. It reports the tokens the grammar only recognises in order to
/// report them (illegal characters, unterminated comments and strings) and drops them; it expands object-like
/// macros token by token, so every other token keeps its exact column; and it stops the input, with an
/// error, where brackets nest deeper than any real file needs, so the recursive-descent parser cannot
/// exhaust the stack.
/// </summary>
internal sealed class RpclTokenSource : ITokenSource
{
    /// <summary>
    /// Deepest nesting of braces, brackets and parentheses accepted; real files stay under ten. It also bounds the
    /// generated code, which grows with the square of the depth of nested anonymous structs and unions (each level's
    /// class is written, and referred to, by its full path): 64 levels cost a few megabytes, 256 cost 45.
    /// </summary>
    public const int MaxNesting = 64;

    /// <summary>Most tokens one macro use may expand to.</summary>
    public const int MaxExpansionTokens = 10_000;

    /// <summary>
    /// Most tokens all the macro uses of a file may expand to together. Without it the cost of a file grew with its
    /// uses times <see cref="MaxExpansionTokens"/>: a few hundred bytes of doubling #defines and their uses asked for
    /// gigabytes. Real files expand a few hundred tokens in all.
    /// </summary>
    public const int MaxFileExpansionTokens = 2 * MaxExpansionTokens;

    private readonly RpclLexer _lexer;
    private readonly PreprocessedSource _source;
    private readonly DiagnosticBag _diagnostics;
    private readonly MacroTable _macros;
    private readonly Queue<IToken> _pending = new();
    private readonly Dictionary<string, IToken[]> _replacements = new(StringComparer.Ordinal);
    private int _fileExpansionBudget = MaxFileExpansionTokens;
    private int _depth;
    private IToken? _end;
    private Tuple<ITokenSource, ICharStream>? _origin;

    public RpclTokenSource(RpclLexer lexer, PreprocessedSource source, DiagnosticBag diagnostics)
    {
        _lexer = lexer;
        _source = source;
        _diagnostics = diagnostics;
        _macros = new MacroTable(source.MacroEvents);
    }

    /// <summary>True when the input was cut short (nesting too deep, or too many errors): errors at the end of input are then consequences, not news.</summary>
    public bool Truncated { get; private set; }

    public int Line => _lexer.Line;

    public int Column => _lexer.Column;

    public ICharStream InputStream => (ICharStream)_lexer.InputStream;

    public string SourceName => _lexer.SourceName;

    public ITokenFactory TokenFactory
    {
        get => _lexer.TokenFactory;
        set => _lexer.TokenFactory = value;
    }

    public IToken NextToken()
    {
        while (true)
        {
            if (_end is not null)
            {
                return _end;
            }

            if (_pending.Count > 0)
            {
                return Track(_pending.Dequeue());
            }

            if (_diagnostics.IsFull)
            {
                Truncated = true;
                return End(_lexer.NextToken());
            }

            IToken token = _lexer.NextToken();
            switch (token.Type)
            {
                case TokenConstants.EOF:
                    return End(token);
                case RpclLexer.ILLEGAL_CHARACTER:
                    ReportIllegal(token);
                    continue;
                case RpclLexer.UNTERMINATED_COMMENT:
                    _diagnostics.Add(DiagnosticDescriptors.UnterminatedComment, Locate(token), "comment starting here has no closing */");
                    continue;
                case RpclLexer.UNTERMINATED_STRING:
                case RpclLexer.UNTERMINATED_CHAR:
                    _diagnostics.Add(DiagnosticDescriptors.UnterminatedString, Locate(token), $"{Quote(token.Text)} has no closing {token.Text[0]} on its line");
                    continue;
                case RpclLexer.IDENTIFIER when _macros.Count > 0:
                    if (!Expand(token))
                    {
                        return Track(token);
                    }

                    continue;
                default:
                    return Track(token);
            }
        }
    }

    /// <summary>
    /// What the tokens made here (expansions, the early end) name as their source: ANTLR's error recovery builds a
    /// missing token from the current token's source, and failed with a NullReferenceException on a token without one.
    /// </summary>
    private Tuple<ITokenSource, ICharStream> Source => _origin ??= Tuple.Create<ITokenSource, ICharStream>(this, InputStream);

    private SourceLocation Locate(IToken token) => _source.Locate(token.Line, token.Column + 1);

    private void ReportIllegal(IToken token)
    {
        string text = token.Text;
        string shown = text.Length == 1 && !char.IsControl(text[0]) ? $"'{text}'" : string.Empty;
        string code = string.Join(' ', text.EnumerateRunes().Select(r => $"U+{r.Value:X4}"));
        string hint = text == "%" ? "; a passthrough line must have % in its first column" : string.Empty;
        _diagnostics.Add(DiagnosticDescriptors.IllegalCharacter, Locate(token), $"illegal character {shown}{(shown.Length > 0 ? " " : string.Empty)}({code}){hint}");
    }

    /// <summary>Counts nesting as tokens pass, and ends the input where it is too deep.</summary>
    private IToken Track(IToken token)
    {
        switch (token.Type)
        {
            case RpclLexer.LBRACE or RpclLexer.LPAREN or RpclLexer.LBRACKET:
                if (++_depth > MaxNesting)
                {
                    _diagnostics.Add(DiagnosticDescriptors.NestingTooDeep, Locate(token), $"brackets nested more than {MaxNesting} deep; the rest of the file is not read");
                    Truncated = true;
                    return End(token);
                }

                break;
            case RpclLexer.RBRACE or RpclLexer.RPAREN or RpclLexer.RBRACKET:
                _depth = Math.Max(0, _depth - 1);
                break;
        }

        return token;
    }

    private IToken End(IToken at)
    {
        var end = new CommonToken(Source, TokenConstants.EOF, TokenConstants.DefaultChannel, at.StartIndex, at.StartIndex - 1)
        {
            Text = "<EOF>",
            Line = at.Line,
            Column = at.Column,
        };
        _end = end;
        return end;
    }

    /// <summary>Replaces a macro use by its expansion (queued in <see cref="_pending"/>); false when the identifier is no macro.</summary>
    private bool Expand(IToken use)
    {
        RpcgenTarget targets = _source.TargetsOf(use.Line);
        _macros.AdvanceTo(use.Line);
        if (!_macros.TryGet(use.Text, targets, out string? replacement, out bool differs))
        {
            return false;
        }

        if (differs)
        {
            _diagnostics.Add(DiagnosticDescriptors.TargetDependentMacro, Locate(use),
                $"macro '{use.Text}' is defined differently for different rpcgen outputs; NetRpc uses '{replacement}'");
        }

        bool fileLimit = _fileExpansionBudget < MaxExpansionTokens;
        int budget = fileLimit ? _fileExpansionBudget : MaxExpansionTokens;
        int start = budget;
        var expanding = new HashSet<string>(StringComparer.Ordinal) { use.Text };
        ExpandInto(use, replacement, targets, expanding, ref budget);
        _fileExpansionBudget -= start - budget;
        if (budget == 0)
        {
            if (fileLimit)
            {
                _diagnostics.Add(DiagnosticDescriptors.MacroExpansionTooLarge, Locate(use),
                    $"macros in this file expand to more than {MaxFileExpansionTokens} tokens in all; the rest of the file is not read");
                _pending.Clear();
                Truncated = true;
                End(use);
            }
            else
            {
                _diagnostics.Add(DiagnosticDescriptors.MacroExpansionTooLarge, Locate(use), $"macro '{use.Text}' expands to more than {MaxExpansionTokens} tokens");
            }
        }

        return true;
    }

    /// <summary>
    /// Queues the tokens of <paramref name="replacement"/>, expanding the macros in it. Each token costs one unit of
    /// <paramref name="budget"/>, a nested macro's name included, so an expansion that only ever expands further
    /// (<c>#define L1 L0 L0</c>, ...) is bounded by the same count as one that emits tokens; at 0 it stops.
    /// </summary>
    private void ExpandInto(IToken use, string replacement, RpcgenTarget targets, HashSet<string> expanding, ref int budget)
    {
        foreach (IToken token in TokensOf(replacement))
        {
            if (budget == 0 || --budget == 0)
            {
                return;
            }

            if (token.Type == RpclLexer.IDENTIFIER
                && !expanding.Contains(token.Text)
                && _macros.TryGet(token.Text, targets, out string? inner, out _))
            {
                expanding.Add(token.Text);
                ExpandInto(use, inner, targets, expanding, ref budget);
                expanding.Remove(token.Text);
                continue;
            }

            if (token.Type is RpclLexer.ILLEGAL_CHARACTER or RpclLexer.UNTERMINATED_STRING or RpclLexer.UNTERMINATED_CHAR or RpclLexer.UNTERMINATED_COMMENT)
            {
                _diagnostics.Add(DiagnosticDescriptors.IllegalCharacter, Locate(use), $"macro '{use.Text}' expands to {Quote(token.Text)}, which is not a token of the .x language");
                continue;
            }

            // The expansion's tokens stand where the macro was used, for diagnostics and documentation alike.
            _pending.Enqueue(new CommonToken(Source, token.Type, TokenConstants.DefaultChannel, use.StartIndex, use.StopIndex)
            {
                Text = token.Text,
                Line = use.Line,
                Column = use.Column,
            });
        }
    }

    /// <summary>The tokens of a replacement text, lexed once however often the macro is used.</summary>
    private IToken[] TokensOf(string replacement)
    {
        if (!_replacements.TryGetValue(replacement, out IToken[]? tokens))
        {
            var lexer = new RpclLexer(CharStreams.fromString(replacement));
            lexer.RemoveErrorListeners();
            tokens = [.. lexer.GetAllTokens().Where(t => t.Channel == TokenConstants.DefaultChannel)];
            _replacements[replacement] = tokens;
        }

        return tokens;
    }

    private static string Quote(string text) => text.Length <= 32 ? $"'{text}'" : $"'{text[..29]}...'";
}
