using System.Buffers;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>What the C lexer is inside at a point of the text.</summary>
internal enum LexState : byte
{
    Code,
    BlockComment,
    LineComment,
    String,
    CharConstant,
}

/// <summary>
/// Follows comments, string literals and character constants across a line, without tokenizing: enough to
/// know whether the next line starts inside a comment (so a <c>#</c> or <c>%</c> there means nothing).
/// </summary>
internal static class LineScanner
{
    private static readonly SearchValues<char> s_codeSpecials = SearchValues.Create("/\"'");

    /// <summary>The state after <paramref name="line"/>, before the end-of-line rule (<see cref="AtLineEnd"/>).</summary>
    public static LexState Scan(ReadOnlySpan<char> line, LexState state)
    {
        int i = 0;
        while (i < line.Length)
        {
            switch (state)
            {
                case LexState.Code:
                {
                    int k = line[i..].IndexOfAny(s_codeSpecials);
                    if (k < 0)
                    {
                        return LexState.Code;
                    }

                    i += k;
                    char c = line[i];
                    if (c == '/')
                    {
                        char next = i + 1 < line.Length ? line[i + 1] : '\0';
                        if (next == '*')
                        {
                            state = LexState.BlockComment;
                            i += 2;
                        }
                        else if (next == '/')
                        {
                            return LexState.LineComment;
                        }
                        else
                        {
                            i++;
                        }
                    }
                    else
                    {
                        state = c == '"' ? LexState.String : LexState.CharConstant;
                        i++;
                    }

                    break;
                }

                case LexState.BlockComment:
                {
                    int k = line[i..].IndexOf("*/");
                    if (k < 0)
                    {
                        return LexState.BlockComment;
                    }

                    i += k + 2;
                    state = LexState.Code;
                    break;
                }

                case LexState.String:
                case LexState.CharConstant:
                {
                    char quote = state == LexState.String ? '"' : '\'';
                    int k = line[i..].IndexOfAny(quote, '\\');
                    if (k < 0)
                    {
                        return state;
                    }

                    i += k;
                    if (line[i] == '\\')
                    {
                        i += 2;
                    }
                    else
                    {
                        state = LexState.Code;
                        i++;
                    }

                    break;
                }

                default:
                    return state;
            }
        }

        return state;
    }

    /// <summary>
    /// The state at the start of the next line: a block comment goes on; a line comment, string or character
    /// constant ends with its line unless the line is continued by a backslash.
    /// </summary>
    public static LexState AtLineEnd(LexState state, bool continued) =>
        continued || state == LexState.BlockComment ? state : LexState.Code;

    /// <summary>
    /// True when the line ends with a backslash, which splices the next line onto it. Like GCC, white space
    /// between the backslash and the end of the line is allowed.
    /// </summary>
    public static bool EndsWithContinuation(ReadOnlySpan<char> line, out int backslash)
    {
        int end = line.Length;
        while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        {
            end--;
        }

        backslash = end - 1;
        return end > 0 && line[end - 1] == '\\';
    }

    /// <summary>The index of the first character at or after <paramref name="start"/> that is not a space, tab, form feed or vertical tab.</summary>
    public static int SkipBlanks(ReadOnlySpan<char> text, int start)
    {
        int i = start;
        while (i < text.Length && IsBlank(text[i]))
        {
            i++;
        }

        return i;
    }

    public static bool IsBlank(char c) => c is ' ' or '\t' or '\f' or '\v';

    public static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    public static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The end of the identifier that starts at <paramref name="start"/> (which must be an identifier start).</summary>
    public static int IdentifierEnd(ReadOnlySpan<char> text, int start)
    {
        int i = start + 1;
        while (i < text.Length && IsIdentifierPart(text[i]))
        {
            i++;
        }

        return i;
    }
}
