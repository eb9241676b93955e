namespace NetRpc.RpcGen.Preprocessing;

/// <summary>
/// The text of one directive as cpp reads it: its physical lines spliced where a backslash ends a line, each
/// comment replaced by one space, string literals kept. Every character remembers its physical line and
/// column, so a diagnostic can point into the source. Reused from directive to directive.
/// </summary>
internal sealed class DirectiveText
{
    private char[] _chars = new char[256];
    private int[] _lines = new int[256];
    private int[] _columns = new int[256];
    private int _length;
    private int _lastLine;
    private int _lastLineLength;

    public int Length => _length;

    public void Clear()
    {
        _length = 0;
        _lastLine = 0;
        _lastLineLength = 0;
    }

    /// <summary>Appends a physical line (without its continuation backslash) and returns the lexical state after it.</summary>
    public LexState Append(ReadOnlySpan<char> line, int physicalLine, LexState state)
    {
        _lastLine = physicalLine;
        _lastLineLength = line.Length;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            switch (state)
            {
                case LexState.Code:
                    if (c == '/' && i + 1 < line.Length && line[i + 1] == '*')
                    {
                        Add(' ', physicalLine, i);
                        state = LexState.BlockComment;
                        i += 2;
                    }
                    else if (c == '/' && i + 1 < line.Length && line[i + 1] == '/')
                    {
                        Add(' ', physicalLine, i);
                        return LexState.LineComment;
                    }
                    else
                    {
                        state = c == '"' ? LexState.String : c == '\'' ? LexState.CharConstant : LexState.Code;
                        Add(c, physicalLine, i);
                        i++;
                    }

                    break;

                case LexState.BlockComment:
                    int close = line[i..].IndexOf("*/");
                    if (close < 0)
                    {
                        return LexState.BlockComment;
                    }

                    i += close + 2;
                    state = LexState.Code;
                    break;

                case LexState.String:
                case LexState.CharConstant:
                    Add(c, physicalLine, i);
                    if (c == '\\' && i + 1 < line.Length)
                    {
                        Add(line[i + 1], physicalLine, i + 1);
                        i += 2;
                    }
                    else
                    {
                        if (c == (state == LexState.String ? '"' : '\''))
                        {
                            state = LexState.Code;
                        }

                        i++;
                    }

                    break;

                default:
                    return state;
            }
        }

        return state;
    }

    public override string ToString() => new(_chars, 0, _length);

    /// <summary>The physical line and 1-based column of the character at <paramref name="index"/>; past the end, just after the last character.</summary>
    public (int Line, int Column) PositionOf(int index)
    {
        if (index < _length)
        {
            return (_lines[index], _columns[index]);
        }

        return _length > 0 && _lines[_length - 1] == _lastLine
            ? (_lines[_length - 1], _columns[_length - 1] + 1)
            : (_lastLine, _lastLineLength + 1);
    }

    private void Add(char c, int line, int index)
    {
        if (_length == _chars.Length)
        {
            int size = _chars.Length * 2;
            Array.Resize(ref _chars, size);
            Array.Resize(ref _lines, size);
            Array.Resize(ref _columns, size);
        }

        _chars[_length] = c;
        _lines[_length] = line;
        _columns[_length] = index + 1;
        _length++;
    }
}
