namespace NetRpc.RpcGen.Diagnostics;

/// <summary>
/// Every diagnostic NetRpc's .x compiler reports, with its stable code. The catalog is split by stage:
/// input and syntax here (RPCG0xxx), the preprocessor (RPCG1xxx), meaning (RPCG2xxx), names taken on
/// trust (RPCG3xxx), the C# generator (RPCG4xxx), and the compatibility checker's comparison of two versions of a
/// file (RPCG5xxx). docs/diagnostics.md lists them all; a test keeps the two in step.
/// </summary>
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG0001: the error limit was reached.</summary>
    public static DiagnosticDescriptor TooManyErrors { get; } = new("RPCG0001", DiagnosticSeverity.Error, "Too many errors; the compiler stopped");

    /// <summary>RPCG0002: a character that no token of the .x language starts with.</summary>
    public static DiagnosticDescriptor IllegalCharacter { get; } = new("RPCG0002", DiagnosticSeverity.Error, "Illegal character");

    /// <summary>RPCG0003: a /* comment with no */.</summary>
    public static DiagnosticDescriptor UnterminatedComment { get; } = new("RPCG0003", DiagnosticSeverity.Error, "Unterminated comment");

    /// <summary>RPCG0004: a string or character constant with no closing quote on its line.</summary>
    public static DiagnosticDescriptor UnterminatedString { get; } = new("RPCG0004", DiagnosticSeverity.Error, "Unterminated string or character constant");

    /// <summary>RPCG0005: the tokens do not follow the grammar.</summary>
    public static DiagnosticDescriptor SyntaxError { get; } = new("RPCG0005", DiagnosticSeverity.Error, "Syntax error");

    /// <summary>RPCG0006: braces, brackets or parentheses nested beyond what any real file needs.</summary>
    public static DiagnosticDescriptor NestingTooDeep { get; } = new("RPCG0006", DiagnosticSeverity.Error, "Nesting too deep");

    /// <summary>RPCG0007: a numeric constant that is malformed or too large.</summary>
    public static DiagnosticDescriptor InvalidNumber { get; } = new("RPCG0007", DiagnosticSeverity.Error, "Invalid number");

    /// <summary>RPCG0008: the input file cannot be read.</summary>
    public static DiagnosticDescriptor InputNotFound { get; } = new("RPCG0008", DiagnosticSeverity.Error, "Input file not found");
}
