using System.Text;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>
/// One run of the preprocessor (see <see cref="Preprocessor"/>). It reads each file line by line, once:
/// ordinary lines are copied to the output as they are; directive lines, <c>%</c> lines and lines of
/// regions no target sees become empty lines. It keeps cpp's state for all seven rpcgen targets, and NetRpc's C# one, at once:
/// every region records the set of targets that see it, and every macro table is per target.
/// </summary>
/// <remarks>
/// Two comment states are tracked. cpp's decides what is a directive: it reads every line as C text, so a
/// comment opened on a <c>%</c> line hides the directives after it. rpcgen's decides what is a <c>%</c>
/// line: rpcgen copies a <c>%</c> line without reading it, so the lines of a comment opened on a <c>%</c>
/// line (nis.x starts with one) are still <c>%</c> lines, while a <c>%</c> line inside a comment opened in
/// ordinary text is comment. rpcgen's state is what the lexer sees in <see cref="PreprocessedSource.Text"/>,
/// where the <c>%</c> lines are blank.
/// </remarks>
internal sealed partial class PreprocessorEngine
{
    /// <summary>Deepest chain of #include accepted.</summary>
    public const int MaxIncludeDepth = 200;

    /// <summary>Deepest nesting of conditional directives accepted.</summary>
    public const int MaxConditionalDepth = 1000;

    private readonly ISourceProvider _sources;
    private readonly PreprocessorOptions _options;
    private readonly DiagnosticBag _diagnostics;
    private readonly TargetMacros _macros = new();
    private readonly ExpressionEvaluator _evaluator;
    private readonly DirectiveText _directive = new();

    // The include stack, innermost last, and the open conditionals of all of its files, innermost last.
    private readonly List<SourceFile> _files = [];
    private readonly List<Conditional> _conditionals = [];

    // For include-once: the targets each file (by full path) has been read for.
    private readonly Dictionary<string, RpcgenTarget> _includedFor = new(StringComparer.Ordinal);

    // Files read inside themselves (see TryInclude): how many such reads are on the include stack, what they have
    // output, the text of every file read (by full path, once), the changes to _includedFor since the first of them,
    // and why the recursion is to be abandoned, once it is.
    private int _reentries;
    private long _recursionChars;
    private long _sourceChars;
    private readonly HashSet<string> _countedSources = new(StringComparer.Ordinal);
    private readonly List<(string Path, RpcgenTarget? Before)> _includedForJournal = [];
    private string? _abandonRecursion;

    private readonly StringBuilder _text = new();
    private readonly List<RpcgenTarget> _lineTargets = [];
    private readonly SourceMap _map = new();
    private readonly List<PassthroughLine> _passthroughs = [];
    private readonly List<MacroEvent> _macroEvents = [];
    private string? _mappedPath;
    private long _nextMappedLine;

    public PreprocessorEngine(ISourceProvider sources, PreprocessorOptions options, DiagnosticBag diagnostics)
    {
        _sources = sources;
        _options = options;
        _diagnostics = diagnostics;
        _evaluator = new ExpressionEvaluator(_macros);
    }

    public PreprocessedSource Run(string path)
    {
        DefineCommandLineMacros();
        string? text = _sources.ReadFile(path);
        if (text is null)
        {
            _diagnostics.Add(DiagnosticDescriptors.InputNotFound, new SourceLocation(path, 1, 1), $"cannot read input file '{path}'");
        }
        else
        {
            _text.EnsureCapacity(text.Length);
            _files.Add(new SourceFile(path, FullPathOf(path), text, RpcgenTarget.All, conditionalBase: 0));
            _countedSources.Add(_files[0].FullPath);
            _sourceChars = text.Length;
        }

        while (_files.Count > 0)
        {
            if (_diagnostics.IsFull)
            {
                if (_reentries == 0)
                {
                    break;
                }

                _abandonRecursion ??= "its reads filled the error list";
            }

            if (_abandonRecursion is not null)
            {
                AbandonRecursion();
                continue;
            }

            SourceFile file = _files[^1];
            EmitPendingBlankLines(file);
            if (!ProcessLines(file))
            {
                FinishFile(file);
            }
        }

        return new PreprocessedSource(_text.ToString(), _map, [.. _lineTargets], _passthroughs, _macroEvents);
    }

    /// <summary>Processes lines until the file ends (false) or an #include or the error limit suspends it (true).</summary>
    private bool ProcessLines(SourceFile file)
    {
        while (file.Position < file.Text.Length)
        {
            if (_reentries > 0 && _recursionChars > RecursionBudget)
            {
                _abandonRecursion = $"files read inside themselves have output more than {RecursionBudget} characters, four times the text of every file read";
                return true;
            }

            ReadOnlySpan<char> line = ReadLine(file, out int number);
            if (file.Continued && file.ContinuesPassthrough)
            {
                PassthroughContinuation(file, line, number);
                continue;
            }

            if (!file.Continued)
            {
                if (file.CppState == LexState.Code)
                {
                    int hash = LineScanner.SkipBlanks(line, 0);
                    if (hash < line.Length && line[hash] == '#')
                    {
                        if (Directive(file, line, number, hash) || _diagnostics.IsFull)
                        {
                            return true;
                        }

                        continue;
                    }
                }

                if (line.Length > 0 && line[0] == '%' && file.RpcgenState == LexState.Code)
                {
                    PassthroughLine(file, line, number);
                    continue;
                }
            }

            TextLine(file, line, number);
        }

        return false;
    }

    private static ReadOnlySpan<char> ReadLine(SourceFile file, out int number)
    {
        ReadOnlySpan<char> rest = file.Text.AsSpan(file.Position);
        number = file.NextLine++;
        int end = rest.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            file.Position = file.Text.Length;
            return rest;
        }

        file.Position += end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
        return rest[..end];
    }

    private void TextLine(SourceFile file, ReadOnlySpan<char> line, int number)
    {
        if (file.CppState == file.RpcgenState)
        {
            file.CppState = file.RpcgenState = LineScanner.Scan(line, file.CppState);
        }
        else
        {
            file.CppState = LineScanner.Scan(line, file.CppState);
            file.RpcgenState = LineScanner.Scan(line, file.RpcgenState);
        }

        EndLine(file, line);
        RpcgenTarget targets = ActiveTargets(file);
        EmitLine(file, number, targets == RpcgenTarget.None ? default : line, targets);
    }

    private void PassthroughLine(SourceFile file, ReadOnlySpan<char> line, int number)
    {
        RpcgenTarget targets = ActiveTargets(file);
        file.PassthroughRecorded = targets != RpcgenTarget.None;
        if (file.PassthroughRecorded)
        {
            _passthroughs.Add(new PassthroughLine(line[1..].ToString(), Location(file, number, 1), targets));
        }

        file.CppState = LineScanner.Scan(line, file.CppState);
        EndLine(file, line);
        file.ContinuesPassthrough = file.Continued;
        EmitLine(file, number, default, RpcgenTarget.None);
    }

    /// <summary>
    /// A physical line that a <c>%</c> line's trailing backslash continues. cpp splices the two (nis.x writes a
    /// multi-line #define this way), so the line joins the passthrough text, backslash and newline removed.
    /// rpcgen itself rejects such files, because its cpp keeps the lines apart in its output; NetRpc follows
    /// the splicing cpp defines, which is what the author meant.
    /// </summary>
    private void PassthroughContinuation(SourceFile file, ReadOnlySpan<char> line, int number)
    {
        if (file.PassthroughRecorded)
        {
            PassthroughLine last = _passthroughs[^1];
            _passthroughs[^1] = last with { Text = string.Concat(last.Text.AsSpan(0, last.Text.LastIndexOf('\\')), line) };
        }

        file.CppState = LineScanner.Scan(line, file.CppState);
        EndLine(file, line);
        file.ContinuesPassthrough = file.Continued;
        EmitLine(file, number, default, RpcgenTarget.None);
    }

    private static void EndLine(SourceFile file, ReadOnlySpan<char> line)
    {
        file.Continued = LineScanner.EndsWithContinuation(line, out _);
        file.CppState = LineScanner.AtLineEnd(file.CppState, file.Continued);
        file.RpcgenState = LineScanner.AtLineEnd(file.RpcgenState, file.Continued);
    }

    private void FinishFile(SourceFile file)
    {
        for (int i = file.ConditionalBase; i < _conditionals.Count; i++)
        {
            Conditional open = _conditionals[i];
            _diagnostics.Add(DiagnosticDescriptors.UnterminatedConditional, open.Location, $"{open.Directive} without #endif: the file ends first");
        }

        _conditionals.RemoveRange(file.ConditionalBase, _conditionals.Count - file.ConditionalBase);
        _files.RemoveAt(_files.Count - 1);
        if (_reentries > 0)
        {
            _includedForJournal.Add((file.FullPath, _includedFor.TryGetValue(file.FullPath, out RpcgenTarget before) ? before : null));
        }

        _includedFor[file.FullPath] = _includedFor.GetValueOrDefault(file.FullPath) | file.BaseTargets;
        if (file.IsReentry && --_reentries == 0)
        {
            _includedForJournal.Clear(); // the recursion ended by itself (an include guard): what it did stands
        }
    }

    /// <summary>What files read inside themselves may output in all before the recursion is taken as endless.</summary>
    private long RecursionBudget => (4 * _sourceChars) + 4096;

    /// <summary>
    /// Ends an include recursion that nothing stops (RPCG1015): every read from the first file read inside itself
    /// on is undone, and its output with it, as if that #include had not been there; the file that made it goes on
    /// after it. Macros those reads defined stay defined, as they are in cpp.
    /// </summary>
    private void AbandonRecursion()
    {
        int start = _files.FindIndex(f => f.Checkpoint is not null);
        Checkpoint checkpoint = _files[start].Checkpoint!;
        _text.Length = checkpoint.TextLength;
        _lineTargets.RemoveRange(checkpoint.Lines, _lineTargets.Count - checkpoint.Lines);
        _map.Truncate(checkpoint.Lines);
        _mappedPath = checkpoint.MappedPath;
        _nextMappedLine = checkpoint.NextMappedLine;
        _passthroughs.RemoveRange(checkpoint.Passthroughs, _passthroughs.Count - checkpoint.Passthroughs);
        _macroEvents.RemoveRange(checkpoint.MacroEvents, _macroEvents.Count - checkpoint.MacroEvents);
        _diagnostics.Truncate(checkpoint.Diagnostics);
        for (int i = _includedForJournal.Count - 1; i >= checkpoint.IncludedForJournal; i--)
        {
            (string path, RpcgenTarget? before) = _includedForJournal[i];
            if (before is { } targets)
            {
                _includedFor[path] = targets;
            }
            else
            {
                _includedFor.Remove(path);
            }
        }

        _includedForJournal.Clear();
        _conditionals.RemoveRange(_files[start].ConditionalBase, _conditionals.Count - _files[start].ConditionalBase);
        _files.RemoveRange(start, _files.Count - start);
        _reentries = 0;
        _recursionChars = 0;

        // The #include is skipped: its lines are output empty, as for any file not read.
        SourceFile includer = _files[^1];
        includer.PendingBlankLine = checkpoint.FirstLine;
        includer.PendingBlankLines = checkpoint.LastLine - checkpoint.FirstLine + 1;
        _diagnostics.Add(DiagnosticDescriptors.IncludeCycle, checkpoint.Site,
            $"include cycle: {checkpoint.Chain}; nothing stops it ({_abandonRecursion}), as an include guard (#ifndef NAME / #define NAME ... #endif around the file) would; this #include is skipped");
        _abandonRecursion = null;
    }

    private RpcgenTarget ActiveTargets(SourceFile file) =>
        _conditionals.Count > file.ConditionalBase ? _conditionals[^1].Active : file.BaseTargets;

    private void EmitPendingBlankLines(SourceFile file)
    {
        while (file.PendingBlankLines > 0)
        {
            EmitLine(file, file.PendingBlankLine++, default, RpcgenTarget.None);
            file.PendingBlankLines--;
        }
    }

    private void EmitBlankLines(SourceFile file, int first, int last)
    {
        for (int number = first; number <= last; number++)
        {
            EmitLine(file, number, default, RpcgenTarget.None);
        }
    }

    private void EmitLine(SourceFile file, int number, ReadOnlySpan<char> line, RpcgenTarget targets)
    {
        long mapped = number + file.LineDelta;
        if (mapped != _nextMappedLine || !string.Equals(file.MapPath, _mappedPath, StringComparison.Ordinal))
        {
            _map.StartRun(_lineTargets.Count + 1, file.MapPath, ClampLine(mapped));
            _mappedPath = file.MapPath;
        }

        _nextMappedLine = mapped + 1;
        if (_reentries > 0)
        {
            _recursionChars += line.Length + 1;
        }

        if (_lineTargets.Count > 0)
        {
            _text.Append('\n');
        }

        _text.Append(line);
        _lineTargets.Add(targets);
    }

    private static SourceLocation Location(SourceFile file, int physicalLine, int column) =>
        new(file.MapPath, ClampLine(physicalLine + file.LineDelta), column);

    private static int ClampLine(long line) => (int)Math.Clamp(line, 0, int.MaxValue);

    private static string FullPathOf(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    /// <summary>A file being read, with where the reading is.</summary>
    private sealed class SourceFile(string path, string fullPath, string text, RpcgenTarget baseTargets, int conditionalBase)
    {
        /// <summary>The path as formed from the #include (or as given), used in locations.</summary>
        public string Path { get; } = path;

        /// <summary>The path made absolute, which identifies the file for include-once and cycles.</summary>
        public string FullPath { get; } = fullPath;

        public string Text { get; } = text;

        /// <summary>The targets the file is read for: those its #include was active for, minus those that read it already.</summary>
        public RpcgenTarget BaseTargets { get; } = baseTargets;

        /// <summary>How many conditionals were open when the file started; its own are above.</summary>
        public int ConditionalBase { get; } = conditionalBase;

        // A UTF-8 byte order mark is not part of the first line (GCC skips it too).
        public int Position { get; set; } = text.StartsWith('\uFEFF') ? 1 : 0;

        public int NextLine { get; set; } = 1;

        /// <summary>What #line says the following lines are: the file name and the difference from the physical line number.</summary>
        public string MapPath { get; set; } = path;

        public long LineDelta { get; set; }

        public LexState CppState { get; set; }

        public LexState RpcgenState { get; set; }

        /// <summary>True when the previous physical line ended with a backslash, so this one continues it.</summary>
        public bool Continued { get; set; }

        /// <summary>True when the line being continued is a <c>%</c> line, so this one belongs to it.</summary>
        public bool ContinuesPassthrough { get; set; }

        /// <summary>True when the current <c>%</c> line was active and recorded (its continuations extend the record).</summary>
        public bool PassthroughRecorded { get; set; }

        /// <summary>Physical lines of an #include directive's continuation, to be output as empty lines once the included file is done.</summary>
        public int PendingBlankLine { get; set; }

        public int PendingBlankLines { get; set; }

        /// <summary>True when the file was already being read when this read of it began: a read inside itself.</summary>
        public bool IsReentry { get; init; }

        /// <summary>For the first read inside itself on the stack: what to undo if the recursion never ends.</summary>
        public Checkpoint? Checkpoint { get; init; }
    }

    /// <summary>The output and state as they were when a file was first read inside itself, and where that #include is.</summary>
    private sealed record Checkpoint(
        int TextLength,
        int Lines,
        string? MappedPath,
        long NextMappedLine,
        int Passthroughs,
        int MacroEvents,
        int Diagnostics,
        int IncludedForJournal,
        SourceLocation Site,
        string Chain,
        int FirstLine,
        int LastLine);

    /// <summary>An open #if, #ifdef or #ifndef.</summary>
    private struct Conditional
    {
        public string Directive;
        public SourceLocation Location;

        /// <summary>The targets for which the enclosing region is active.</summary>
        public RpcgenTarget ParentActive;

        /// <summary>The targets for which the current branch is active.</summary>
        public RpcgenTarget Active;

        /// <summary>The targets for which some branch so far was taken.</summary>
        public RpcgenTarget Taken;

        public SourceLocation? ElseLocation;
    }
}
