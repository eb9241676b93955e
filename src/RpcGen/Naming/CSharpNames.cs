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
            int start = 0;
            for (int i = 1; i <= part.Length; i++)
            {
                if (i == part.Length || StartsWord(part, i))
                {
                    result.Append(char.ToUpperInvariant(part[start])).Append(part[(start + 1)..i].ToLowerInvariant());
                    start = i;
                }
            }
        }

        if (result.Length == 0)
        {
            return name;
        }

        // A C# identifier cannot start with a digit ("_3d" would otherwise become "3D").
        return char.IsAsciiDigit(result[0]) ? "_" + result : result.ToString();
    }

    /// <summary>
    /// Whether a new word starts at <paramref name="i"/> of a name part that has no underscores: a letter after a
    /// digit (<c>utf8|string</c>, <c>NFS3|ERR</c>: the digits stay with the word before them), a capital after a
    /// lower-case letter (<c>camel|Case</c>), and a lower-case letter after two capitals or more (<c>TEST|args</c>).
    /// </summary>
    /// <remarks>
    /// The last is rpcgen's convention, not camel case's: .x files glue a lower-case suffix to a name in capitals
    /// (NLM4_TESTargs, READ3args, MOUNT3MNTargs, CANCres), so the capitals run to the first lower-case letter.
    /// Camel case would take the last capital as the start of the next word (XMLParser: XML|Parser) and split
    /// TESTargs as TES|Targs, CANCres as CAN|Cres; both readings cannot be had, and .x files write the first.
    /// </remarks>
    private static bool StartsWord(string part, int i)
    {
        char previous = part[i - 1];
        char current = part[i];
        return (char.IsAsciiLetter(current) && char.IsAsciiDigit(previous))
            || (char.IsAsciiLetterUpper(current) && char.IsAsciiLetterLower(previous))
            || (char.IsAsciiLetterLower(current) && char.IsAsciiLetterUpper(previous) && i >= 2 && char.IsAsciiLetterUpper(part[i - 2]));
    }
}
