using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Parsing;

/// <summary>
/// The object-like macros in force at a point of the preprocessed text, per rpcgen target, replayed from the
/// preprocessor's <see cref="MacroEvent"/>s as the lexer moves forward.
/// </summary>
internal sealed class MacroTable
{
    private const int TargetCount = TargetMacros.TargetCount;

    private readonly IReadOnlyList<MacroEvent> _events;
    private readonly Dictionary<string, string?[]> _definitions = new(StringComparer.Ordinal);
    private int _next;

    public MacroTable(IReadOnlyList<MacroEvent> events) => _events = events;

    /// <summary>How many macro events there are at all; none means no identifier needs looking up.</summary>
    public int Count => _events.Count;

    /// <summary>Applies every event that stands before <paramref name="outputLine"/>.</summary>
    public void AdvanceTo(int outputLine)
    {
        while (_next < _events.Count && _events[_next].OutputLine < outputLine)
        {
            MacroEvent e = _events[_next++];
            if (!_definitions.TryGetValue(e.Name, out string?[]? perTarget))
            {
                _definitions[e.Name] = perTarget = new string?[TargetCount];
            }

            for (int target = 0; target < TargetCount; target++)
            {
                if (((int)e.Targets & (1 << target)) != 0)
                {
                    perTarget[target] = e.Replacement;
                }
            }
        }
    }

    /// <summary>
    /// The replacement of <paramref name="name"/> for a line seen by <paramref name="targets"/>. When the
    /// targets disagree (defined for some, different for others) the first definition wins and
    /// <paramref name="differs"/> says so.
    /// </summary>
    public bool TryGet(string name, RpcgenTarget targets, out string replacement, out bool differs)
    {
        replacement = string.Empty;
        differs = false;
        if (!_definitions.TryGetValue(name, out string?[]? perTarget))
        {
            return false;
        }

        string? chosen = null;
        bool sawUndefined = false;
        for (int target = 0; target < TargetCount; target++)
        {
            if (((int)targets & (1 << target)) == 0)
            {
                continue;
            }

            string? value = perTarget[target];
            if (value is null)
            {
                sawUndefined = true;
            }
            else if (chosen is null)
            {
                chosen = value;
            }
            else if (!string.Equals(chosen, value, StringComparison.Ordinal))
            {
                differs = true;
            }
        }

        if (chosen is null)
        {
            return false;
        }

        differs |= sawUndefined;
        replacement = chosen;
        return true;
    }
}
