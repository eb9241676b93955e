using System.Text;
using Antlr4.Runtime;
using NetRpc.RpcGen.Grammar;

namespace NetRpc.RpcGen.Checking;

/// <summary>
/// Finds the comment that documents a definition: the comments right before it (after the previous token's
/// line), or else, for members and procedures, one after it on the same line (<c>int x; /* the x */</c>).
/// The text comes back without comment markers or the leading asterisks of block comments.
/// </summary>
internal static class Documentation
{
    /// <summary>The comments before <paramref name="start"/>.</summary>
    public static string? Before(BufferedTokenStream tokens, IToken start)
    {
        if (start.TokenIndex < 0 || start.TokenIndex >= tokens.Size)
        {
            return null;
        }

        IList<IToken>? hidden = tokens.GetHiddenTokensToLeft(start.TokenIndex);
        if (hidden is null || hidden.Count == 0)
        {
            return null;
        }

        // A comment on the line of the previous real token belongs to that token, not to this one; and only
        // comments that touch the definition document it: a blank line sets a file's or a section's header apart.
        int previousLine = PreviousDefaultLine(tokens, start.TokenIndex);
        var comments = hidden.Where(t => t.Line > previousLine && IsComment(t)).ToList();
        int touching = start.Line;
        int first = comments.Count;
        while (first > 0 && EndLine(comments[first - 1]) >= touching - 1)
        {
            touching = comments[--first].Line;
        }

        return first == comments.Count ? null : Clean(comments.GetRange(first, comments.Count - first));
    }

    /// <summary>The comments before <paramref name="context"/>, or else the one after its end on the same line.</summary>
    public static string? Of(BufferedTokenStream tokens, ParserRuleContext context)
    {
        if (Before(tokens, context.Start) is { } before)
        {
            return before;
        }

        // Members end before their ';' (which belongs to the enclosing rule); look after it when it is there.
        int end = context.Stop?.TokenIndex ?? -1;
        if (end < 0 || end >= tokens.Size)
        {
            return null;
        }

        int line = tokens.Get(end).Line;
        int next = end + 1;
        while (next < tokens.Size && tokens.Get(next).Channel != TokenConstants.DefaultChannel)
        {
            next++;
        }

        if (next < tokens.Size && tokens.Get(next).Type is RpclLexer.SEMI or RpclLexer.COMMA && tokens.Get(next).Line == line)
        {
            end = next;
        }

        IList<IToken>? after = tokens.GetHiddenTokensToRight(end);
        var comments = after?.Where(t => t.Line == line && IsComment(t)).Take(1).ToList();
        return comments is { Count: > 0 } ? Clean(comments) : null;
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
