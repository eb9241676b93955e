using System.Text;
using Antlr4.Runtime;
using NetRpc.RpcGen.Grammar;

namespace NetRpc.RpcGen.Checking;

/// <summary>
/// Finds the comment that documents one definition or member, so that a comment documents exactly one thing
/// (docs/rpcgen.md, "Comments"). In order:
/// <list type="number">
/// <item>A comment after a member on the line where it ends (<c>int x; /* the x */</c>) is its own. A definition
/// takes one only when it is written on one line, so the comment after a struct's closing brace is not its.</item>
/// <item>Otherwise the comments just above it, after the previous token's line and with no blank line between,
/// document it; unless it heads a group: a definition or enum member, on one line, is followed on the very next
/// line by one of the same kind that has no comment of its own (libnfs's <c>/* Sizes */</c> above four constants).</item>
/// </list>
/// A comment above a member that has its own comment on its line is a note about the list (libnfs's
/// <c>/* Unused/reserved 19 */</c> in the middle of nfsstat4), and a comment with a blank line after it is a file's
/// or section's header: neither documents anything. The text comes back without comment markers or the leading
/// asterisks of block comments.
/// </summary>
internal static class Documentation
{
    /// <summary>The documentation of a definition at the top of the file, or of a program's version.</summary>
    public static string? OfDefinition(BufferedTokenStream tokens, ParserRuleContext definition) =>
        Find(tokens, definition, trailingOnlyOnOneLine: true, next => next.Type == definition.Start.Type);

    /// <summary>The documentation of a struct field, union arm, enum member or procedure.</summary>
    /// <remarks>
    /// Only enum members head groups (<c>/* NFSv4.1 errors */</c> above a run of codes): a comment above a struct field,
    /// a union arm or a procedure is, in the .x files seen, that member's even when uncommented ones follow.
    /// </remarks>
    public static string? OfMember(BufferedTokenStream tokens, ParserRuleContext member, bool mayHeadGroup = false) =>
        Find(tokens, member, trailingOnlyOnOneLine: false, next => mayHeadGroup && next.Type is not (RpclLexer.RBRACE or RpclLexer.RPAREN or RpclLexer.CASE or RpclLexer.DEFAULT or TokenConstants.EOF));

    private static string? Find(BufferedTokenStream tokens, ParserRuleContext member, bool trailingOnlyOnOneLine, Func<IToken, bool> startsSibling)
    {
        if (member.Start.TokenIndex < 0 || member.Start.TokenIndex >= tokens.Size || End(tokens, member) is not { } end)
        {
            return null;
        }

        bool oneLine = end.Line == member.Start.Line;
        if ((oneLine || !trailingOnlyOnOneLine) && CommentAfter(tokens, end) is { } after)
        {
            return Clean([after]);
        }

        List<IToken> above = CommentsAbove(tokens, member.Start);
        if (above.Count == 0 || (oneLine && HeadsGroup(tokens, end, startsSibling)))
        {
            return null;
        }

        return Clean(above);
    }

    /// <summary>The member's last token, or the ';' or ',' after it on its line (members end before it: it belongs to the enclosing rule).</summary>
    private static IToken? End(BufferedTokenStream tokens, ParserRuleContext member)
    {
        int end = member.Stop?.TokenIndex ?? -1;
        if (end < 0 || end >= tokens.Size)
        {
            return null;
        }

        IToken last = tokens.Get(end);
        return NextDefault(tokens, end) is { Type: RpclLexer.SEMI or RpclLexer.COMMA } separator && separator.Line == last.Line ? separator : last;
    }

    /// <summary>The first comment after <paramref name="end"/> on its line.</summary>
    private static IToken? CommentAfter(BufferedTokenStream tokens, IToken end) =>
        tokens.GetHiddenTokensToRight(end.TokenIndex)?.FirstOrDefault(t => t.Line == end.Line && IsComment(t));

    /// <summary>The comments before <paramref name="start"/> that touch it: after the previous token's line, with no blank line between.</summary>
    private static List<IToken> CommentsAbove(BufferedTokenStream tokens, IToken start)
    {
        IList<IToken>? hidden = tokens.GetHiddenTokensToLeft(start.TokenIndex);
        if (hidden is null || hidden.Count == 0)
        {
            return [];
        }

        // A comment on the line of the previous real token belongs to that token, not to this one.
        int previousLine = PreviousDefaultLine(tokens, start.TokenIndex);
        var comments = hidden.Where(t => t.Line > previousLine && IsComment(t)).ToList();
        int touching = start.Line;
        int first = comments.Count;
        while (first > 0 && EndLine(comments[first - 1]) >= touching - 1)
        {
            touching = comments[--first].Line;
        }

        return comments.GetRange(first, comments.Count - first);
    }

    /// <summary>True when the next member, of the same kind, starts on the line after <paramref name="end"/> and has no comment of its own.</summary>
    private static bool HeadsGroup(BufferedTokenStream tokens, IToken end, Func<IToken, bool> startsSibling)
    {
        if (NextDefault(tokens, end.TokenIndex) is not { } next || next.Line != end.Line + 1 || !startsSibling(next))
        {
            return false;
        }

        for (int i = next.TokenIndex; i < tokens.Size && tokens.Get(i).Line == next.Line; i++)
        {
            if (IsComment(tokens.Get(i)))
            {
                return false;
            }
        }

        return true;
    }

    private static IToken? NextDefault(BufferedTokenStream tokens, int index)
    {
        for (int i = index + 1; i < tokens.Size; i++)
        {
            if (tokens.Get(i).Channel == TokenConstants.DefaultChannel)
            {
                return tokens.Get(i);
            }
        }

        return null;
    }

    private static int EndLine(IToken comment) => comment.Line + comment.Text.Count(c => c == '\n');

    private static int PreviousDefaultLine(BufferedTokenStream tokens, int index)
    {
        for (int i = index - 1; i >= 0; i--)
        {
            IToken token = tokens.Get(i);
            if (token.Channel == TokenConstants.DefaultChannel)
            {
                return token.Line;
            }
        }

        return 0;
    }

    private static bool IsComment(IToken token) => token.Type is RpclLexer.BLOCK_COMMENT or RpclLexer.LINE_COMMENT;

    private static string? Clean(IEnumerable<IToken> comments)
    {
        var lines = new List<string>();
        foreach (IToken comment in comments)
        {
            string text = comment.Text;
            text = comment.Type == RpclLexer.LINE_COMMENT ? text[2..] : text[2..^2];
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith('*'))
                {
                    line = line[1..].TrimStart();
                }

                lines.Add(line);
            }
        }

        // Drop blank lines at either end; keep inner ones (paragraphs).
        int first = lines.FindIndex(l => l.Length > 0);
        int last = lines.FindLastIndex(l => l.Length > 0);
        if (first < 0)
        {
            return null;
        }

        var result = new StringBuilder();
        for (int i = first; i <= last; i++)
        {
            result.Append(lines[i]);
            if (i < last)
            {
                result.Append('\n');
            }
        }

        return result.ToString();
    }
}
