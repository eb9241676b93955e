using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NetRpc.Fuzz.Engine;

/// <summary>
/// Mutations for .x text (UTF-8 bytes), at the level of its tokens: delete, duplicate and swap tokens; insert
/// keywords, brackets and boundary numbers; nest very deep; make names and numbers huge; leave comments and strings
/// open; and add preprocessor lines: includes (of the input itself, of a missing file, of the small file the target
/// provides), macro chains that expand exponentially, unbalanced conditionals, odd #line and #pragma. Up to four
/// mutations are stacked per input.
/// </summary>
internal sealed partial class TextMutator(int maxLength) : IMutator
{
    private static readonly string[] s_keywords =
    [
        "struct", "union", "enum", "typedef", "const", "program", "version", "switch", "case", "default",
        "void", "opaque", "string", "unsigned", "int", "hyper", "long", "short", "char", "float", "double",
        "quadruple", "bool", "TRUE", "FALSE",
    ];

    private static readonly string[] s_punctuation = ["{", "}", "(", ")", "[", "]", "<", ">", ";", ",", "=", "*", ":", "<>", "-"];

    private static readonly string[] s_numbers =
    [
        "0", "1", "-1", "0x0", "0x7FFFFFFF", "0x80000000", "0xFFFFFFFF", "4294967295", "4294967296", "2147483647",
        "-2147483648", "-2147483649", "0xFFFFFFFFFFFFFFFF", "18446744073709551616", "99999999999999999999999999999",
        "0777", "08", "0x", "1e9", "00000000000000000000001", "-0",
    ];

    /// <summary>Lines a preprocessor sees; "inc.x" and "main.x" exist in the target's sources, "missing.x" does not.</summary>
    private static readonly string[] s_directives =
    [
        "#include \"inc.x\"", "#include \"main.x\"", "#include \"missing.x\"", "#include <inc.x>", "#include", "#include \"",
        "#define X", "#define X 1", "#define int struct", "#define FOO(a) a", "#undef X", "#undef", "#ifdef X", "#ifndef X",
        "#if 1", "#if 0", "#if X", "#if 1/0", "#if (1 << 63) > 0", "#if defined(X) && !defined Y", "#if", "#elif 1",
        "#else", "#endif", "#line 4294967295 \"x\"", "#line -1", "#pragma once", "#error stop", "#warning hm", "#", "# 12 \"f.x\"",
        "%#include <rpc/rpc.h>", "% passthrough", "%", "#ident \"x\"", "#define RPC_HDR", "#ifdef RPC_CSHARP", "#ifdef RPC_XDR",
    ];

    // Inputs are always made from seeds, so each seed is tokenized once.
    private readonly Dictionary<byte[], string[]> _tokenized = new(ReferenceEqualityComparer.Instance);

    public byte[] Mutate(Random random, byte[] input, IReadOnlyList<byte[]> seeds)
    {
        var tokens = new List<string>(TokensOf(input));
        int count = 1 + (random.Next(8) switch { < 4 => 0, < 6 => 1, 6 => 2, _ => 3 });
        for (int i = 0; i < count; i++)
        {
            MutateOnce(random, tokens, seeds);
        }

        var text = new StringBuilder();
        foreach (string token in tokens)
        {
            text.Append(token);
            if (text.Length > maxLength)
            {
                text.Length = maxLength;
                break;
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private string[] TokensOf(byte[] input)
    {
        if (!_tokenized.TryGetValue(input, out string[]? tokens))
        {
            tokens = [.. Token().Matches(Encoding.UTF8.GetString(input)).Select(m => m.Value)];
            _tokenized[input] = tokens;
        }

        return tokens;
    }

    private void MutateOnce(Random random, List<string> tokens, IReadOnlyList<byte[]> seeds)
    {
        switch (random.Next(16))
        {
            case 0:
                if (tokens.Count > 0)
                {
                    int at = random.Next(tokens.Count);
                    tokens.RemoveRange(at, Math.Min(tokens.Count - at, random.Next(1, 9)));
                }

                break;
            case 1:
                if (tokens.Count > 0)
                {
                    int at = random.Next(tokens.Count);
                    List<string> range = tokens.GetRange(at, Math.Min(tokens.Count - at, random.Next(1, 33)));
                    int times = random.Next(8) == 0 ? random.Next(16, 513) : random.Next(1, 4);
                    for (int i = 0; i < times; i++)
                    {
                        tokens.InsertRange(at, range);
                    }
                }

                break;
            case 2:
                if (tokens.Count > 1)
                {
                    int a = random.Next(tokens.Count);
                    int b = random.Next(tokens.Count);
                    (tokens[a], tokens[b]) = (tokens[b], tokens[a]);
                }

                break;
            case 3:
                InsertAt(random, tokens, " " + s_keywords[random.Next(s_keywords.Length)] + " ");
                break;
            case 4:
                InsertAt(random, tokens, s_punctuation[random.Next(s_punctuation.Length)]);
                break;
            case 5:
                ReplaceWhere(random, tokens, t => char.IsAsciiDigit(t[0]), s_numbers[random.Next(s_numbers.Length)]);
                break;
            case 6:
                ReplaceIdentifier(random, tokens);
                break;
            case 7:
                InsertAt(random, tokens, " " + Huge(random) + " ");
                break;
            case 8:
                Nest(random, tokens);
                break;
            case 9:
                InsertAt(random, tokens, random.Next(4) switch { 0 => "/*", 1 => "\"", 2 => "'", _ => "*/" });
                break;
            case 10:
            case 11:
                InsertLine(random, tokens, s_directives[random.Next(s_directives.Length)]);
                break;
            case 12:
                InsertLine(random, tokens, MacroChain(random));
                break;
            case 13:
                Splice(random, tokens, TokensOf(seeds[random.Next(seeds.Count)]));
                break;
            case 14:
                InsertAt(random, tokens, random.Next(8) switch
                {
                    0 => "\0",
                    1 => "\r",
                    2 => "\f\v\t",
                    3 => "\uFEFF",
                    4 => "é",
                    5 => "\\\n",
                    6 => "\uD800",
                    _ => ((char)random.Next(0x20, 0x7F)).ToString(),
                });
                break;
            default:
                ReplaceWhere(random, tokens, t => char.IsAsciiLetter(t[0]), string.Empty, upper: true);
                break;
        }
    }

    private static void InsertAt(Random random, List<string> tokens, string text) => tokens.Insert(random.Next(tokens.Count + 1), text);

    /// <summary>Inserts a whole line after a newline token (or at the start), where a directive counts as one.</summary>
    private static void InsertLine(Random random, List<string> tokens, string line)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Contains('\n', StringComparison.Ordinal))
            {
                starts.Add(i + 1);
            }
        }

        tokens.Insert(starts[random.Next(starts.Count)], line + "\n");
    }

    private static void ReplaceWhere(Random random, List<string> tokens, Func<string, bool> match, string replacement, bool upper = false)
    {
        for (int attempt = 0; attempt < 8 && tokens.Count > 0; attempt++)
        {
            int at = random.Next(tokens.Count);
            if (tokens[at].Length > 0 && match(tokens[at]))
            {
                tokens[at] = upper ? ChangeCase(tokens[at]) : replacement;
                return;
            }
        }
    }

    private static string ChangeCase(string name) =>
        name.Any(char.IsAsciiLetterLower) ? name.ToUpperInvariant() : name.ToLowerInvariant();

    /// <summary>An identifier replaced by another of the input: references to the wrong thing, duplicate definitions.</summary>
    private static void ReplaceIdentifier(Random random, List<string> tokens)
    {
        List<int> names = [.. Enumerable.Range(0, tokens.Count).Where(i => tokens[i].Length > 0 && (char.IsAsciiLetter(tokens[i][0]) || tokens[i][0] == '_'))];
        if (names.Count > 1)
        {
            tokens[names[random.Next(names.Count)]] = tokens[names[random.Next(names.Count)]];
        }
    }

    private static string Huge(Random random)
    {
        int length = random.Next(4) == 0 ? random.Next(10_000, 100_001) : random.Next(64, 2049);
        return random.Next(2) == 0 ? "n" + new string('a', length) : new string('9', length);
    }

    /// <summary>Brackets, anonymous structs or conditionals nested from a few levels to far past any limit.</summary>
    private static void Nest(Random random, List<string> tokens)
    {
        int depth = random.Next(3) switch { 0 => random.Next(2, 20), 1 => random.Next(200, 300), _ => random.Next(1000, 5001) };
        (string open, string close) = random.Next(5) switch
        {
            0 => ("(", ")"),
            1 => ("{", "}"),
            2 => ("struct { ", " } f;"),
            3 => ("#if 1\n", "#endif\n"),
            _ => ("[", "]"),
        };
        int at = random.Next(tokens.Count + 1);
        int end = random.Next(at, tokens.Count + 1);
        if (random.Next(4) != 0)
        {
            tokens.Insert(end, string.Concat(Enumerable.Repeat(close, depth)));
        }

        tokens.Insert(at, string.Concat(Enumerable.Repeat(open, depth)));
    }

    /// <summary>
    /// #define L1 L0 L0, L2 L1 L1, ...: each level doubles what one use of the last expands to. One chain in four is
    /// deep enough to reach the compiler's expansion limits; those inputs cost tens of milliseconds each, so the
    /// rest stay short, and the run spends its time on everything else too.
    /// </summary>
    private static string MacroChain(Random random)
    {
        int levels = random.Next(4) == 0 ? random.Next(10, 40) : random.Next(1, 6);
        var chain = new StringBuilder("#define L0 int\n");
        for (int i = 1; i <= levels; i++)
        {
            chain.Append(CultureInfo.InvariantCulture, $"#define L{i} L{i - 1} L{i - 1}\n");
        }

        int uses = random.Next(1, 9);
        chain.Append("typedef");
        for (int i = 0; i < uses; i++)
        {
            chain.Append(CultureInfo.InvariantCulture, $" L{levels}");
        }

        return chain.Append(" t;").ToString();
    }

    private static void Splice(Random random, List<string> tokens, string[] theirs)
    {
        if (theirs.Length == 0)
        {
            return;
        }

        int from = random.Next(theirs.Length);
        tokens.InsertRange(random.Next(tokens.Count + 1), theirs.AsSpan(from, Math.Min(theirs.Length - from, random.Next(1, 200))).ToArray());
    }

    /// <summary>Comments, strings, names, numbers, runs of white space, and any other single character.</summary>
    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*|""[^""\n]*""|[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9A-Fa-f]+|[0-9]+|\s+|.", RegexOptions.Singleline)]
    private static partial Regex Token();
}
