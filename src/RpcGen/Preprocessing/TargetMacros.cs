using System.Text;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Preprocessing;

/// <summary>An object-like macro: a name and its replacement text, in canonical form (see <see cref="TargetMacros.Canonical"/>).</summary>
internal sealed class Macro(string name, string replacement, SourceLocation location)
{
    private ExpressionToken[]? _tokens;

    public string Name { get; } = name;

    public string Replacement { get; } = replacement;

    public SourceLocation Location { get; } = location;

    /// <summary>The replacement as #if expression tokens, made on first use.</summary>
    public ExpressionToken[] Tokens => _tokens ??= ExpressionLexer.Tokenize(Replacement, 0, includeEnd: false).ToArray();
}

/// <summary>
/// The macros in force for each of rpcgen's seven targets and NetRpc's C# one. rpcgen runs cpp once per target with only that
/// target's symbol defined, so a #define inside <c>#ifdef RPC_HDR</c> exists for the header alone: each
/// target has its own table, and a directive updates the tables of the targets it is active for.
/// </summary>
internal sealed class TargetMacros
{
    public const int TargetCount = 8;

    private static readonly string[] s_targetSymbols = ["RPC_HDR", "RPC_XDR", "RPC_CLNT", "RPC_SVC", "RPC_TBL", "RPC_SERVER", "RPC_CLIENT", "RPC_CSHARP"];

    private readonly Dictionary<string, Macro>[] _tables = new Dictionary<string, Macro>[TargetCount];

    public TargetMacros()
    {
        var builtIn = new SourceLocation("<built-in>", 1, 1);
        for (int target = 0; target < TargetCount; target++)
        {
            _tables[target] = new Dictionary<string, Macro>(StringComparer.Ordinal)
            {
                [s_targetSymbols[target]] = new Macro(s_targetSymbols[target], "1", builtIn),
            };
        }
    }

    public static bool Includes(RpcgenTarget targets, int target) => ((int)targets & (1 << target)) != 0;

    public static RpcgenTarget Single(int target) => (RpcgenTarget)(1 << target);

    public Macro? Lookup(int target, string name) => _tables[target].GetValueOrDefault(name);

    /// <summary>Defines <paramref name="macro"/> for <paramref name="targets"/>; returns a previous, different definition it replaced, if any.</summary>
    public Macro? Define(RpcgenTarget targets, Macro macro)
    {
        Macro? conflict = null;
        for (int target = 0; target < TargetCount; target++)
        {
            if (!Includes(targets, target))
            {
                continue;
            }

            if (_tables[target].TryGetValue(macro.Name, out Macro? old) && conflict is null &&
                !string.Equals(old.Replacement, macro.Replacement, StringComparison.Ordinal))
            {
                conflict = old;
            }

            _tables[target][macro.Name] = macro;
        }

        return conflict;
    }

    public void Undefine(RpcgenTarget targets, string name)
    {
        for (int target = 0; target < TargetCount; target++)
        {
            if (Includes(targets, target))
            {
                _tables[target].Remove(name);
            }
        }
    }

    /// <summary>
    /// A replacement in the form cpp compares definitions in: comments become white space, each run of white
    /// space outside string and character literals becomes one space, and the ends are trimmed.
    /// </summary>
    public static string Canonical(ReadOnlySpan<char> text)
    {
        var result = new StringBuilder(text.Length);
        LexState state = LexState.Code;
        bool pendingSpace = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (state)
            {
                case LexState.BlockComment:
                    if (c == '*' && i + 1 < text.Length && text[i + 1] == '/')
                    {
                        state = LexState.Code;
                        i++;
                    }

                    continue;

                case LexState.LineComment:
                    if (c is '\n' or '\r')
                    {
                        state = LexState.Code;
                    }

                    continue;

                case LexState.String:
                case LexState.CharConstant:
                    result.Append(c);
                    if (c == '\\' && i + 1 < text.Length)
                    {
                        result.Append(text[++i]);
                    }
                    else if (c == (state == LexState.String ? '"' : '\''))
                    {
                        state = LexState.Code;
                    }

                    continue;
            }

            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (c == '/' && i + 1 < text.Length && text[i + 1] is '*' or '/')
            {
                state = text[i + 1] == '*' ? LexState.BlockComment : LexState.LineComment;
                pendingSpace = true;
                i++;
                continue;
            }

            if (pendingSpace && result.Length > 0)
            {
                result.Append(' ');
            }

            pendingSpace = false;
            result.Append(c);
            if (c is '"' or '\'')
            {
                state = c == '"' ? LexState.String : LexState.CharConstant;
            }
        }

        return result.ToString();
    }
}
