using System.Text;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// Indented text for generated C#: four spaces a level, <c>\n</c> line ends whatever the platform (the same input
/// gives the same bytes everywhere), blocks opened and closed in pairs.
/// </summary>
internal sealed class SourceWriter
{
    private static readonly string[] s_continuations = ["}", ")", "else", "case ", "default:", "catch", "finally", "."];

    private readonly StringBuilder _text = new();
    private int _indent;
    private bool _afterBlock;

    /// <summary>
    /// Writes a line at the current indentation (an empty line has no indentation). A statement that follows a
    /// closed block gets a blank line before it, as hand-written code would.
    /// </summary>
    public void Line(string text = "")
    {
        if (_afterBlock && text.Length != 0 && !s_continuations.Any(c => text.StartsWith(c, StringComparison.Ordinal)))
        {
            _text.Append('\n');
        }

        _afterBlock = false;
        if (text.Length != 0)
        {
            _text.Append(' ', _indent * 4).Append(text);
        }

        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    /// <summary>Outdents and writes a closing brace, followed by <paramref name="suffix"/>.</summary>
    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        _afterBlock = suffix.Length == 0;
    }

    /// <summary>Writes an XML documentation summary (escaped), one <c>///</c> line per line of text.</summary>
    public void Summary(string text) => Doc("summary", text);

    /// <summary>Writes an XML documentation element whose content is already XML.</summary>
    public void DocXml(string element, string xml, string? attributes = null)
    {
        string open = attributes is null ? element : $"{element} {attributes}";
        string[] lines = xml.Split('\n');
        if (lines.Length == 1)
        {
            Line($"/// <{open}>{lines[0]}</{element}>");
            return;
        }

        Line($"/// <{open}>");
        foreach (string line in lines)
        {
            Line(line.Length == 0 ? "///" : "/// " + line);
        }

        Line($"/// </{element}>");
    }

    /// <summary>Writes an XML documentation element around escaped text.</summary>
    public void Doc(string element, string text, string? attributes = null) => DocXml(element, Xml(text), attributes);

    /// <summary>Text made safe for XML documentation.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public override string ToString() => _text.ToString();
}
