using System.Runtime.InteropServices;
using System.Text;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

internal sealed partial class PreprocessorEngine
{
    private static readonly SourceLocation s_commandLine = new("<command line>", 1, 1);

    private void DefineCommandLineMacros()
    {
        foreach (KeyValuePair<string, string> define in _options.Defines)
        {
            string name = define.Key ?? string.Empty;
            int end = name.Length > 0 && LineScanner.IsIdentifierStart(name[0]) ? LineScanner.IdentifierEnd(name, 0) : 0;
            if (end > 0 && end < name.Length && name[end] == '(')
            {
                _diagnostics.Add(DiagnosticDescriptors.FunctionLikeMacro, s_commandLine, $"-D {name}: function-like macros are not supported, only -D NAME or -D NAME=VALUE");
                continue;
            }

            if (end == 0 || end != name.Length || name == "defined")
            {
                _diagnostics.Add(DiagnosticDescriptors.InvalidMacroName, s_commandLine, $"-D '{name}': a macro name must be an identifier");
                continue;
            }

            // cpp defines a macro given without a value as 1.
            string replacement = TargetMacros.Canonical(define.Value ?? "1");
            DefineMacro(new Macro(name, replacement, s_commandLine), RpcgenTarget.All, outputLine: 0, s_commandLine);
        }
    }

    /// <summary>Handles a directive that starts at <paramref name="hash"/> of <paramref name="line"/>; true when an #include suspended the file.</summary>
    private bool Directive(SourceFile file, ReadOnlySpan<char> line, int number, int hash)
    {
        int last = ReadDirective(file, line, number);
        string text = _directive.ToString();
        RpcgenTarget active = ActiveTargets(file);
        int outputLine = _lineTargets.Count + 1;
        int start = LineScanner.SkipBlanks(text, hash + 1);
        int nameEnd = start < text.Length && LineScanner.IsIdentifierStart(text[start]) ? LineScanner.IdentifierEnd(text, start) : start;
        ReadOnlySpan<char> name = text.AsSpan(start, nameEnd - start);

        if (name is "include" && active != RpcgenTarget.None)
        {
            return Include(new DirectiveSite(file, text, _directive, hash, nameEnd), number, last, active);
        }

        EmitBlankLines(file, number, last);
        var directive = new DirectiveSite(file, text, _directive, hash, nameEnd);
        switch (name)
        {
            case "if":
                OpenConditional(directive, "#if", active, static (engine, site, targets) => engine.EvaluateCondition(site, "#if", targets));
                return false;
            case "ifdef":
                OpenConditional(directive, "#ifdef", active, static (engine, site, targets) => engine.DefinedTargets(site, "#ifdef", targets, negate: false));
                return false;
            case "ifndef":
                OpenConditional(directive, "#ifndef", active, static (engine, site, targets) => engine.DefinedTargets(site, "#ifndef", targets, negate: true));
                return false;
            case "elif":
                Elif(directive);
                return false;
            case "else":
                Else(directive);
                return false;
            case "endif":
                Endif(directive);
                return false;
        }

        // Everything else means nothing in a region no target sees, even junk.
        if (active == RpcgenTarget.None)
        {
            return false;
        }

        if (name.IsEmpty)
        {
            if (start >= text.Length)
            {
                return false; // the null directive
            }

            if (char.IsAsciiDigit(text[start]))
            {
                LineDirective(directive, start, last, isLineMarker: true);
                return false;
            }

            string junk = char.IsControl(text[start]) ? $"\\u{(int)text[start]:x4}" : text[start].ToString();
            _diagnostics.Add(DiagnosticDescriptors.UnknownDirective, directive.At(start), $"invalid preprocessor directive '#{junk}'");
            return false;
        }

        switch (name)
        {
            case "define":
                Define(directive, outputLine, active);
                break;
            case "undef":
                Undefine(directive, outputLine, active);
                break;
            case "line":
                LineDirective(directive, nameEnd, last, isLineMarker: false);
                break;
            case "error":
                _diagnostics.Add(DiagnosticDescriptors.ErrorDirective, directive.At(hash), $"#error {text.AsSpan(nameEnd).Trim()}".TrimEnd());
                break;
            case "warning":
                _diagnostics.Add(DiagnosticDescriptors.WarningDirective, directive.At(hash), $"#warning {text.AsSpan(nameEnd).Trim()}".TrimEnd());
                break;
            case "pragma":
                _diagnostics.Add(DiagnosticDescriptors.PragmaIgnored, directive.At(hash),
                    $"'#pragma {text.AsSpan(nameEnd).Trim()}' is ignored (rpcgen itself fails on #pragma with \"preprocessor error\")");
                break;
            default:
                _diagnostics.Add(DiagnosticDescriptors.UnknownDirective, directive.At(start), $"unknown preprocessor directive '#{name}'");
                break;
        }

        return false;
    }

    /// <summary>
    /// Reads the rest of a directive into <see cref="_directive"/>: a backslash at the end of a line continues
    /// it, and so does a comment still open at the end of a line (cpp reads a comment as one space). Returns
    /// the number of the directive's last physical line.
    /// </summary>
    private int ReadDirective(SourceFile file, ReadOnlySpan<char> line, int number)
    {
        _directive.Clear();
        LexState state = LexState.Code;
        while (true)
        {
            bool continued = LineScanner.EndsWithContinuation(line, out int backslash);
            state = _directive.Append(continued ? line[..backslash] : line, number, state);
            state = LineScanner.AtLineEnd(state, continued);
            if ((!continued && state != LexState.BlockComment) || file.Position >= file.Text.Length)
            {
                break;
            }

            line = ReadLine(file, out number);
        }

        file.CppState = file.RpcgenState = state == LexState.BlockComment ? LexState.BlockComment : LexState.Code;
        file.Continued = false;
        return number;
    }

    private void OpenConditional(DirectiveSite directive, string kind, RpcgenTarget active, Func<PreprocessorEngine, DirectiveSite, RpcgenTarget, RpcgenTarget> condition)
    {
        var opened = new Conditional { Directive = kind, Location = directive.At(directive.Hash), ParentActive = active };
        if (_conditionals.Count >= MaxConditionalDepth)
        {
            if (_conditionals.Count == MaxConditionalDepth)
            {
                _diagnostics.Add(DiagnosticDescriptors.ConditionalNestingTooDeep, opened.Location,
                    $"conditional directives nested more than {MaxConditionalDepth} deep; the region is skipped");
            }

            opened.ParentActive = RpcgenTarget.None;
        }

        // A skipped region's conditionals only count nesting: cpp does not read their conditions.
        if (opened.ParentActive != RpcgenTarget.None)
        {
            opened.Active = opened.Taken = condition(this, directive, opened.ParentActive);
        }

        _conditionals.Add(opened);
    }

    private void Elif(DirectiveSite directive)
    {
        if (!HasOpenConditional(directive, "#elif"))
        {
            return;
        }

        Conditional current = _conditionals[^1];
        if (current.ElseLocation is { } elseAt)
        {
            _diagnostics.Add(DiagnosticDescriptors.ConditionalAfterElse, directive.At(directive.Hash), $"#elif after #else (the #else is at line {elseAt.Line})");
        }

        // Targets that took an earlier branch do not evaluate the condition, as in cpp.
        RpcgenTarget candidates = current.ParentActive & ~current.Taken;
        current.Active = candidates == RpcgenTarget.None ? RpcgenTarget.None : EvaluateCondition(directive, "#elif", candidates);
        current.Taken |= current.Active;
        _conditionals[^1] = current;
    }

    private void Else(DirectiveSite directive)
    {
        if (!HasOpenConditional(directive, "#else"))
        {
            return;
        }

        ref Conditional current = ref CollectionsMarshal.AsSpan(_conditionals)[^1];
        if (current.ElseLocation is { } elseAt)
        {
            _diagnostics.Add(DiagnosticDescriptors.ConditionalAfterElse, directive.At(directive.Hash), $"#else after #else (the first #else is at line {elseAt.Line})");
        }

        current.Active = current.ParentActive & ~current.Taken;
        current.Taken = current.ParentActive;
        current.ElseLocation = directive.At(directive.Hash);
    }

    private void Endif(DirectiveSite directive)
    {
        if (HasOpenConditional(directive, "#endif"))
        {
            _conditionals.RemoveAt(_conditionals.Count - 1);
        }
    }

    private bool HasOpenConditional(DirectiveSite directive, string kind)
    {
        if (_conditionals.Count > directive.File.ConditionalBase)
        {
            return true;
        }

        _diagnostics.Add(DiagnosticDescriptors.ConditionalWithoutIf, directive.At(directive.Hash), $"{kind} without #if");
        return false;
    }

    private RpcgenTarget DefinedTargets(DirectiveSite directive, string kind, RpcgenTarget candidates, bool negate)
    {
        string? name = ReadMacroName(directive, kind, out int after);
        if (name is null)
        {
            return RpcgenTarget.None;
        }

        WarnExtraText(directive, after, $"{kind} {name}");
        RpcgenTarget result = RpcgenTarget.None;
        for (int target = 0; target < TargetMacros.TargetCount; target++)
        {
            if (TargetMacros.Includes(candidates, target) && (_macros.Lookup(target, name) is not null) != negate)
            {
                result |= TargetMacros.Single(target);
            }
        }

        return result;
    }

    /// <summary>The targets among <paramref name="candidates"/> for which the #if or #elif expression is true.</summary>
    private RpcgenTarget EvaluateCondition(DirectiveSite directive, string kind, RpcgenTarget candidates)
    {
        List<ExpressionToken> tokens = ExpressionLexer.Tokenize(directive.Text, directive.ArgumentsStart, includeEnd: true);
        if (tokens.Count == 1)
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidExpression, directive.At(directive.Hash), $"{kind} with no expression");
            return RpcgenTarget.None;
        }

        bool dependsOnMacros = false;
        foreach (ExpressionToken token in tokens)
        {
            dependsOnMacros |= token.Kind == ExpressionTokenKind.Identifier;
        }

        if (!dependsOnMacros)
        {
            bool value = _evaluator.Evaluate(tokens, target: 0, expandMacros: false, out ExpressionError? error);
            ReportExpressionError(directive, error, reported: null);
            return value ? candidates : RpcgenTarget.None;
        }

        // The same mistake usually shows for every target: report each distinct one once.
        List<ExpressionError>? reported = null;
        RpcgenTarget result = RpcgenTarget.None;
        for (int target = 0; target < TargetMacros.TargetCount; target++)
        {
            if (!TargetMacros.Includes(candidates, target))
            {
                continue;
            }

            if (_evaluator.Evaluate(tokens, target, expandMacros: true, out ExpressionError? error))
            {
                result |= TargetMacros.Single(target);
            }

            reported = ReportExpressionError(directive, error, reported);
        }

        return result;
    }

    private List<ExpressionError>? ReportExpressionError(DirectiveSite directive, ExpressionError? error, List<ExpressionError>? reported)
    {
        if (error is not { } e || (reported is not null && reported.Contains(e)))
        {
            return reported;
        }

        _diagnostics.Add(e.Descriptor, directive.At(e.Position), e.Message);
        reported ??= [];
        reported.Add(e);
        return reported;
    }

    private void Define(DirectiveSite directive, int outputLine, RpcgenTarget active)
    {
        string? name = ReadMacroName(directive, "#define", out int after);
        if (name is null)
        {
            return;
        }

        if (after < directive.Text.Length && directive.Text[after] == '(')
        {
            _diagnostics.Add(DiagnosticDescriptors.FunctionLikeMacro, directive.At(after),
                $"function-like macro '{name}' is not supported: only object-like macros (#define NAME value); the definition is ignored");
            return;
        }

        string replacement = TargetMacros.Canonical(directive.Text.AsSpan(after));
        DefineMacro(new Macro(name, replacement, directive.At(directive.Hash)), active, outputLine, directive.At(after - name.Length));
    }

    private void DefineMacro(Macro macro, RpcgenTarget targets, int outputLine, SourceLocation nameLocation)
    {
        Macro? previous = _macros.Define(targets, macro);
        if (previous is not null)
        {
            _diagnostics.Add(DiagnosticDescriptors.MacroRedefined, nameLocation,
                $"'{macro.Name}' redefined as '{macro.Replacement}'; it was '{previous.Replacement}', defined at {previous.Location}");
        }

        _macroEvents.Add(new MacroEvent(outputLine, macro.Name, macro.Replacement, targets, macro.Location));
    }

    private void Undefine(DirectiveSite directive, int outputLine, RpcgenTarget active)
    {
        string? name = ReadMacroName(directive, "#undef", out int after);
        if (name is null)
        {
            return;
        }

        WarnExtraText(directive, after, $"#undef {name}");
        _macros.Undefine(active, name);
        _macroEvents.Add(new MacroEvent(outputLine, name, null, active, directive.At(directive.Hash)));
    }

    /// <summary>The macro name after the directive name, or null (reported) when there is none.</summary>
    private string? ReadMacroName(DirectiveSite directive, string kind, out int after)
    {
        string text = directive.Text;
        int start = LineScanner.SkipBlanks(text, directive.ArgumentsStart);
        after = start;
        if (start >= text.Length)
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidMacroName, directive.At(start), $"no macro name given in {kind}");
            return null;
        }

        if (!LineScanner.IsIdentifierStart(text[start]))
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidMacroName, directive.At(start), $"macro names must be identifiers (found '{text[start]}' after {kind})");
            return null;
        }

        after = LineScanner.IdentifierEnd(text, start);
        string name = text[start..after];
        if (name == "defined")
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidMacroName, directive.At(start), $"'defined' cannot be used as a macro name in {kind}");
            return null;
        }

        return name;
    }

    private void WarnExtraText(DirectiveSite directive, int after, string what)
    {
        int extra = LineScanner.SkipBlanks(directive.Text, after);
        if (extra < directive.Text.Length)
        {
            _diagnostics.Add(DiagnosticDescriptors.ExtraTokensInDirective, directive.At(extra), $"extra text after '{what}' is ignored");
        }
    }

    /// <summary>#line N ["file"], or a cpp line marker # N "file" flags: the next line is line N (of file).</summary>
    private void LineDirective(DirectiveSite directive, int argumentsStart, int lastLine, bool isLineMarker)
    {
        string text = directive.Text;
        int start = LineScanner.SkipBlanks(text, argumentsStart);
        int end = start;
        long number = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            number = Math.Min((number * 10) + (text[end] - '0'), long.MaxValue / 100);
            end++;
        }

        if (end == start || (end < text.Length && !LineScanner.IsBlank(text[end])))
        {
            int tokenEnd = end;
            while (tokenEnd < text.Length && !LineScanner.IsBlank(text[tokenEnd]))
            {
                tokenEnd++;
            }

            _diagnostics.Add(DiagnosticDescriptors.InvalidLineDirective, directive.At(start),
                start >= text.Length ? "#line without a line number" : $"'{text[start..tokenEnd]}' after #line is not a line number");
            return;
        }

        if (number > int.MaxValue)
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidLineDirective, directive.At(start), $"line number {text[start..end]} is out of range");
            return;
        }

        string? path = null;
        int pos = LineScanner.SkipBlanks(text, end);
        if (pos < text.Length)
        {
            path = text[pos] == '"' ? ReadStringLiteral(text, pos, out end) : null;
            if (path is null)
            {
                _diagnostics.Add(DiagnosticDescriptors.InvalidLineDirective, directive.At(pos), "invalid file name after the line number (expected \"file\")");
                return;
            }

            // A line marker's flags (1 = entering an include, 2 = returning, ...) need no action.
            if (!isLineMarker)
            {
                WarnExtraText(directive, end, "#line");
            }
        }

        SourceFile file = directive.File;
        file.LineDelta = number - (lastLine + 1L);
        if (path is not null)
        {
            file.MapPath = path;
        }
    }

    /// <summary>A C string literal starting at <paramref name="start"/>, simple escapes undone; null when it is not closed.</summary>
    private static string? ReadStringLiteral(string text, int start, out int end)
    {
        var value = new StringBuilder();
        int i = start + 1;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            value.Append(text[i++]);
        }

        end = i + 1;
        return i < text.Length ? value.ToString() : null;
    }

    /// <summary>An active #include: true when the included file now suspends the including one; otherwise the directive's lines are output empty.</summary>
    private bool Include(DirectiveSite directive, int first, int last, RpcgenTarget active)
    {
        string? name = ReadIncludeName(directive, out bool quoted, out int nameStart);
        if (name is null || !TryInclude(directive, name, quoted, nameStart, first, last, active))
        {
            EmitBlankLines(directive.File, first, last);
            return false;
        }

        return true;
    }

    private string? ReadIncludeName(DirectiveSite directive, out bool quoted, out int nameStart)
    {
        string text = directive.Text;
        int start = LineScanner.SkipBlanks(text, directive.ArgumentsStart);
        nameStart = start;
        quoted = start < text.Length && text[start] == '"';
        if (start >= text.Length || text[start] is not ('"' or '<'))
        {
            string message = start < text.Length && LineScanner.IsIdentifierStart(text[start])
                ? "#include of a macro is not supported: write #include \"file\" or #include <file>"
                : "#include expects \"file\" or <file>";
            _diagnostics.Add(DiagnosticDescriptors.InvalidInclude, directive.At(start), message);
            return null;
        }

        char close = quoted ? '"' : '>';
        int end = text.IndexOf(close, start + 1);
        if (end < 0)
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidInclude, directive.At(start), $"missing terminating {close} in #include");
            return null;
        }

        string name = text[(start + 1)..end];
        if (name.Length == 0 || name.Contains('\0'))
        {
            _diagnostics.Add(DiagnosticDescriptors.InvalidInclude, directive.At(start),
                name.Length == 0 ? "empty file name in #include" : "file name in #include contains a NUL character");
            return null;
        }

        WarnExtraText(directive, end + 1, $"#include {text[start..(end + 1)]}");
        return name;
    }

    /// <summary>Finds and opens the included file; false (reported, unless include-once skips it) when it is not read.</summary>
    private bool TryInclude(DirectiveSite directive, string name, bool quoted, int nameStart, int first, int last, RpcgenTarget active)
    {
        SourceFile file = directive.File;
        var searched = new List<string>();
        if (quoted)
        {
            searched.Add(Path.GetDirectoryName(file.Path) ?? string.Empty);
        }

        searched.AddRange(_options.IncludeDirectories);
        string? foundPath = null;
        string? foundText = null;
        foreach (string directory in searched)
        {
            string candidate = Path.Combine(directory, name);
            foundText = _sources.ReadFile(candidate);
            if (foundText is not null)
            {
                foundPath = candidate;
                break;
            }
        }

        SourceLocation at = directive.At(nameStart);
        if (foundPath is null || foundText is null)
        {
            string places = searched.Count == 0
                ? "no include directories are given, and <file> is not looked for beside the including file"
                : "looked in: " + string.Join(", ", searched.Select(d => d.Length == 0 ? "." : d));
            _diagnostics.Add(DiagnosticDescriptors.IncludeNotFound, at, $"cannot find include file '{name}' ({places})");
            return false;
        }

        string fullPath = FullPathOf(foundPath);
        int cycleStart = _files.FindIndex(f => string.Equals(f.FullPath, fullPath, StringComparison.Ordinal));
        if (_files.Count >= MaxIncludeDepth)
        {
            if (_reentries > 0)
            {
                // Reading files inside themselves went on until the bound: nothing (no include guard) stops it.
                _abandonRecursion = $"it nests {MaxIncludeDepth} deep";
                return true;
            }

            if (cycleStart >= 0)
            {
                _diagnostics.Add(DiagnosticDescriptors.IncludeCycle, at, $"include cycle: {Chain(cycleStart, foundPath)}; it nests {MaxIncludeDepth} deep; this #include is skipped");
            }
            else
            {
                _diagnostics.Add(DiagnosticDescriptors.IncludeTooDeep, at, $"#include nested more than {MaxIncludeDepth} deep; '{name}' is not read");
            }

            return false;
        }

        // Include-once: a file is read at most once for each target.
        RpcgenTarget targets = active & ~_includedFor.GetValueOrDefault(fullPath);
        if (targets == RpcgenTarget.None)
        {
            return false;
        }

        if (_countedSources.Add(fullPath))
        {
            _sourceChars += foundText.Length;
        }

        // A file already being read, read again inside itself: cpp reads it, and an include guard (#ifndef NAME,
        // #define NAME, ... #endif) makes that read blank, which is how mutually including files are written. Where
        // nothing stops the recursion, the reads from the first one on are undone (see AbandonRecursion).
        Checkpoint? checkpoint = cycleStart >= 0 && _reentries == 0
            ? new Checkpoint(_text.Length, _lineTargets.Count, _mappedPath, _nextMappedLine, _passthroughs.Count, _macroEvents.Count,
                _diagnostics.All.Count, _includedForJournal.Count, at, Chain(cycleStart, foundPath), first, last)
            : null;
        if (cycleStart >= 0)
        {
            _reentries++;
        }

        file.PendingBlankLine = first + 1;
        file.PendingBlankLines = last - first;
        _files.Add(new SourceFile(foundPath, fullPath, foundText, targets, _conditionals.Count) { IsReentry = cycleStart >= 0, Checkpoint = checkpoint });
        return true;
    }

    /// <summary>The include stack from its file at <paramref name="start"/> on, then <paramref name="path"/>: <c>a.x -> b.x -> a.x</c>.</summary>
    private string Chain(int start, string path) => string.Join(" -> ", _files.Skip(start).Select(f => f.Path).Append(path));

    /// <summary>A directive being handled: its file, its text (see <see cref="DirectiveText"/>) and where its parts start.</summary>
    private readonly record struct DirectiveSite(SourceFile File, string Text, DirectiveText Positions, int Hash, int ArgumentsStart)
    {
        /// <summary>The source location of the character at <paramref name="index"/> of <see cref="Text"/>.</summary>
        public SourceLocation At(int index)
        {
            (int line, int column) = Positions.PositionOf(index);
            return Location(File, line, column);
        }
    }
}
