namespace NetRpc.RpcGen.Diagnostics;

/// <summary>How bad a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The input means something NetRpc takes on trust or does differently from rpcgen; output is still produced.</summary>
    Warning,

    /// <summary>The input is wrong; no output is produced.</summary>
    Error,
}

/// <summary>One finding about the input, in the form compilers, MSBuild and IDEs understand.</summary>
/// <param name="Descriptor">The kind of finding: its stable code and severity.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Message">What is wrong, for people.</param>
public sealed record Diagnostic(DiagnosticDescriptor Descriptor, SourceLocation Location, string Message)
{
    /// <summary>The stable code, such as <c>RPCG2001</c>.</summary>
    public string Code => Descriptor.Code;

    /// <summary>The severity.</summary>
    public DiagnosticSeverity Severity => Descriptor.Severity;

    /// <summary>The canonical MSBuild form: <c>path(line,col): error RPCGnnnn: message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"{Location}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Message}";
}
