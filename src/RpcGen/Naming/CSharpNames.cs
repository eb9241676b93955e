using System.Text;

namespace NetRpc.RpcGen.Naming;

/// <summary>The mapping from .x names to C# names, in one place for the checker and the code generator.</summary>
public static class CSharpNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>The C# identifier for a .x name in the given style, escaped with <c>@</c> where it is a keyword.</summary>
    /// <param name="name">The name as written in the .x file.</param>
    /// <param name="style">The style.</param>
    /// <returns>A valid C# identifier.</returns>
    public static string Of(string name, NameStyle style)
    {
        string mapped = style == NameStyle.Pascal ? ToPascalCase(name) : name;
        return Keywords.Contains(mapped) ? "@" + mapped : mapped;
    }

    /// <summary>PascalCase as <see cref="NameStyle.Pascal"/> describes.</summary>
    /// <param name="name">A .x identifier.</param>
    /// <returns>The PascalCase form; a name with no letters or digits at all keeps its underscores.</returns>
    public static string ToPascalCase(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (string part in name.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            bool shouting = !part.Any(char.IsLower);
            result.Append(char.ToUpperInvariant(part[0]));
            for (int i = 1; i < part.Length; i++)
            {
                char c = part[i];
                // In a mixed part, a run of capitals is an acronym or a shouted word: lower it after its first
                // letter, but keep the capital that starts the lower-case word after it (ACCESS4args, XMLParser).
                bool inRun = char.IsUpper(c) && char.IsUpper(part[i - 1]);
                bool startsWord = i + 1 < part.Length && char.IsLower(part[i + 1]);
                result.Append(shouting || (inRun && !startsWord) ? char.ToLowerInvariant(c) : c);
            }
        }

        if (result.Length == 0)
        {
            return name;
        }

        // A C# identifier cannot start with a digit ("_3d" would otherwise become "3d").
        return char.IsDigit(result[0]) ? "_" + result : result.ToString();
    }
}
