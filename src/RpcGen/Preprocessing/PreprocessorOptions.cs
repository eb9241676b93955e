namespace NetRpc.RpcGen.Preprocessing;

/// <summary>The preprocessor's inputs besides the file: rpcgen's -I and -D.</summary>
public sealed record PreprocessorOptions
{
    /// <summary>Empty options.</summary>
    public static PreprocessorOptions Default { get; } = new();

    /// <summary>Directories searched, in order, for <c>#include "name"</c> (after the including file's own directory) and <c>#include &lt;name&gt;</c>.</summary>
    public IReadOnlyList<string> IncludeDirectories { get; init; } = [];

    /// <summary>Macros defined for every target, as by <c>-D NAME[=VALUE]</c>; a name given without a value is defined as <c>1</c>, as cpp does.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Defines { get; init; } = [];

    /// <summary>A macro definition as written after <c>-D</c>: <c>NAME</c> (defined as <c>1</c>) or <c>NAME=VALUE</c>.</summary>
    /// <param name="definition">The text.</param>
    /// <returns>The name and the value, for <see cref="Defines"/>.</returns>
    public static KeyValuePair<string, string> ParseDefine(string definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        int equals = definition.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? new(definition, "1") : new(definition[..equals], definition[(equals + 1)..]);
    }
}
