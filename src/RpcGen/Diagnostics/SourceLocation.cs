namespace NetRpc.RpcGen.Diagnostics;

/// <summary>A place in a source file: 1-based line and column, columns counting characters (a tab is one).</summary>
/// <param name="Path">The file's path as given on the command line or in an #include.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column.</param>
public readonly record struct SourceLocation(string Path, int Line, int Column)
{
    /// <summary>The location in the canonical MSBuild form, <c>path(line,col)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Path}({Line},{Column})";
}
