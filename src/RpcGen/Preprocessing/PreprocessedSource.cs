using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>A line whose first column is <c>%</c>: rpcgen copies it, without the <c>%</c>, into its outputs.</summary>
/// <param name="Text">The line without its leading <c>%</c>.</param>
/// <param name="Location">Where the <c>%</c> is.</param>
/// <param name="Targets">The outputs that see the line (for example only <see cref="RpcgenTarget.Header"/> inside <c>#ifdef RPC_HDR</c>).</param>
public sealed record PassthroughLine(string Text, SourceLocation Location, RpcgenTarget Targets);

/// <summary>A <c>#define</c> or <c>#undef</c> (or a -D), in output order.</summary>
/// <param name="OutputLine">The 1-based line of <see cref="PreprocessedSource.Text"/> where the directive stood (0 for -D); it takes effect from the next line.</param>
/// <param name="Name">The macro's name.</param>
/// <param name="Replacement">The replacement text with surrounding white space trimmed, or <see langword="null"/> for <c>#undef</c>.</param>
/// <param name="Targets">The outputs for which the directive is active.</param>
/// <param name="Location">Where the directive is.</param>
public sealed record MacroEvent(int OutputLine, string Name, string? Replacement, RpcgenTarget Targets, SourceLocation Location);

/// <summary>
/// The result of preprocessing: one text for the lexer with every line traceable to its file and line, the
/// passthrough lines, and the macro definitions the lexer must apply to the text.
/// </summary>
/// <remarks>
/// <see cref="Text"/> holds the lines of the input and of the files it includes, in the order cpp would
/// produce them, each unchanged (comments kept, so that they can become documentation), except that
/// directive lines, lines in inactive conditional regions and <c>%</c> lines are replaced by empty lines.
/// Macros are not expanded in <see cref="Text"/>; <see cref="MacroEvents"/> says what to expand where,
/// so that every token keeps its exact column.
/// </remarks>
public sealed class PreprocessedSource
{
    private readonly SourceMap _map;
    private readonly RpcgenTarget[] _lineTargets;

    /// <summary>Creates the result; <paramref name="lineTargets"/> has one entry per output line, index 0 for line 1.</summary>
    /// <param name="text">The text for the lexer, lines separated by <c>\n</c>.</param>
    /// <param name="map">Output line to source line.</param>
    /// <param name="lineTargets">The targets that see each output line.</param>
    /// <param name="passthroughs">The <c>%</c> lines, in output order.</param>
    /// <param name="macroEvents">The macro definitions, in output order.</param>
    public PreprocessedSource(string text, SourceMap map, RpcgenTarget[] lineTargets, IReadOnlyList<PassthroughLine> passthroughs, IReadOnlyList<MacroEvent> macroEvents)
    {
        Text = text;
        _map = map;
        _lineTargets = lineTargets;
        Passthroughs = passthroughs;
        MacroEvents = macroEvents;
    }

    /// <summary>The text for the lexer.</summary>
    public string Text { get; }

    /// <summary>The <c>%</c> lines, in output order.</summary>
    public IReadOnlyList<PassthroughLine> Passthroughs { get; }

    /// <summary>The macro definitions and removals, in output order; those from -D come first, at line 0.</summary>
    public IReadOnlyList<MacroEvent> MacroEvents { get; }

    /// <summary>The number of lines in <see cref="Text"/>.</summary>
    public int LineCount => _lineTargets.Length;

    /// <summary>The source location of a position in <see cref="Text"/>.</summary>
    /// <param name="outputLine">1-based line in <see cref="Text"/>.</param>
    /// <param name="column">1-based column.</param>
    /// <returns>The file, line and column it came from.</returns>
    public SourceLocation Locate(int outputLine, int column) => _map.Locate(outputLine, column);

    /// <summary>The outputs that see a line of <see cref="Text"/> (<see cref="RpcgenTarget.None"/> for a blanked line).</summary>
    /// <param name="outputLine">1-based line in <see cref="Text"/>.</param>
    /// <returns>The targets.</returns>
    public RpcgenTarget TargetsOf(int outputLine) =>
        outputLine >= 1 && outputLine <= _lineTargets.Length ? _lineTargets[outputLine - 1] : RpcgenTarget.None;
}
