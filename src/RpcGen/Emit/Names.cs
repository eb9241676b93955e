using NetRpc.RpcGen.Naming;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// The C# names of one scope (a namespace, a class's members, a method's parameters). A name already taken
/// gets <c>_</c> appended until it is free: a .x field named like its struct, or like a member the generator
/// adds (<c>Encode</c>, <c>Decode</c>, ...), stays usable, and the same input always gives the same names.
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public NameScope(params IEnumerable<string> reserved)
    {
        foreach (string name in reserved)
        {
            _taken.Add(name);
        }
    }

    /// <summary>Takes <paramref name="wanted"/>, or the first free name made from it.</summary>
    public string Claim(string wanted)
    {
        string name = wanted;
        while (!_taken.Add(name))
        {
            name += "_";
        }

        return name;
    }

    /// <summary>Whether a name is taken.</summary>
    public bool IsTaken(string name) => _taken.Contains(name);
}

/// <summary>.x names to C# names in the chosen style, with the forms the generator derives from them.</summary>
internal static class Identifiers
{
    /// <summary>A type or member name (PascalCase by default), keyword-escaped.</summary>
    public static string Of(string xdrName, NameStyle style) => CSharpNames.Of(xdrName, style);

    /// <summary>A parameter or local name: camelCase of the PascalCase form (or the name as written), keyword-escaped.</summary>
    public static string Parameter(string xdrName, NameStyle style)
    {
        string name = style == NameStyle.Pascal ? CSharpNames.ToPascalCase(xdrName) : xdrName;
        if (style == NameStyle.Pascal && name.Length > 0 && char.IsUpper(name[0]))
        {
            name = char.ToLowerInvariant(name[0]) + name[1..];
        }

        return CSharpNames.Of(name, NameStyle.Keep);
    }

    /// <summary>The name without a keyword's <c>@</c>, for building other names from it.</summary>
    public static string Bare(string name) => name.StartsWith('@') ? name[1..] : name;

    /// <summary>A namespace made from a file name: its parts PascalCased, anything not a letter or digit a separator.</summary>
    public static string NamespaceFor(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (char c in stem)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            parts.Add(current.ToString());
        }

        string name = string.Concat(parts.Select(CSharpNames.ToPascalCase));
        if (name.Length == 0)
        {
            return "Generated";
        }

        return char.IsDigit(name[0]) ? "_" + name : name;
    }

    /// <summary>Whether <paramref name="name"/> is a dotted C# namespace name.</summary>
    public static bool IsNamespace(string name) =>
        name.Split('.').All(part => part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_'));
}
