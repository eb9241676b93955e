namespace NetRpc.RpcGen.Diagnostics;

// RPCG1001-RPCG1049: the preprocessor.
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG1001: a directive name the preprocessor does not know (outside skipped regions).</summary>
    public static DiagnosticDescriptor UnknownDirective { get; } = new("RPCG1001", DiagnosticSeverity.Error, "Unknown preprocessor directive");

    /// <summary>RPCG1002: an #elif, #else or #endif with no open #if in the same file.</summary>
    public static DiagnosticDescriptor ConditionalWithoutIf { get; } = new("RPCG1002", DiagnosticSeverity.Error, "#elif, #else or #endif without #if");

    /// <summary>RPCG1003: an #elif or a second #else after the #else of the same conditional.</summary>
    public static DiagnosticDescriptor ConditionalAfterElse { get; } = new("RPCG1003", DiagnosticSeverity.Error, "#elif or #else after #else");

    /// <summary>RPCG1004: an #if, #ifdef or #ifndef still open at the end of the file that opened it.</summary>
    public static DiagnosticDescriptor UnterminatedConditional { get; } = new("RPCG1004", DiagnosticSeverity.Error, "Conditional directive without #endif");

    /// <summary>RPCG1005: conditional directives nested deeper than any real file needs.</summary>
    public static DiagnosticDescriptor ConditionalNestingTooDeep { get; } = new("RPCG1005", DiagnosticSeverity.Error, "Conditional directives nested too deeply");

    /// <summary>RPCG1006: a #define, #undef, #ifdef, #ifndef or -D without a valid macro name.</summary>
    public static DiagnosticDescriptor InvalidMacroName { get; } = new("RPCG1006", DiagnosticSeverity.Error, "Missing or invalid macro name");

    /// <summary>RPCG1007: a macro with parameters; only object-like macros are supported.</summary>
    public static DiagnosticDescriptor FunctionLikeMacro { get; } = new("RPCG1007", DiagnosticSeverity.Error, "Function-like macros are not supported");

    /// <summary>RPCG1008: a macro defined again with a different replacement; the new one is used.</summary>
    public static DiagnosticDescriptor MacroRedefined { get; } = new("RPCG1008", DiagnosticSeverity.Warning, "Macro redefined with a different replacement");

    /// <summary>RPCG1009: an #if or #elif expression that is empty, malformed or uses a token C does not allow there.</summary>
    public static DiagnosticDescriptor InvalidExpression { get; } = new("RPCG1009", DiagnosticSeverity.Error, "Invalid #if expression");

    /// <summary>RPCG1010: a division or remainder by zero in an evaluated part of an #if expression.</summary>
    public static DiagnosticDescriptor DivisionByZero { get; } = new("RPCG1010", DiagnosticSeverity.Error, "Division by zero in #if expression");

    /// <summary>RPCG1011: an #if expression nested deeper than the evaluator allows.</summary>
    public static DiagnosticDescriptor ExpressionTooDeep { get; } = new("RPCG1011", DiagnosticSeverity.Error, "#if expression nested too deeply");

    /// <summary>RPCG1012: macros that expand to more tokens than allowed, in an #if expression or in a definition.</summary>
    public static DiagnosticDescriptor MacroExpansionTooLarge { get; } = new("RPCG1012", DiagnosticSeverity.Error, "Macro expansion too large");

    /// <summary>RPCG1013: an #include whose operand is not <c>"name"</c> or <c>&lt;name&gt;</c>.</summary>
    public static DiagnosticDescriptor InvalidInclude { get; } = new("RPCG1013", DiagnosticSeverity.Error, "#include expects \"name\" or <name>");

    /// <summary>RPCG1014: an included file that is in none of the places searched.</summary>
    public static DiagnosticDescriptor IncludeNotFound { get; } = new("RPCG1014", DiagnosticSeverity.Error, "Include file not found");

    /// <summary>
    /// RPCG1015: a file that includes itself, directly or through others, with nothing (such as an include guard) to
    /// end the recursion: found at the include depth bound, or when the repeated reads output too much. The reads
    /// inside the recursion are undone and the #include that began it is skipped.
    /// </summary>
    public static DiagnosticDescriptor IncludeCycle { get; } = new("RPCG1015", DiagnosticSeverity.Error, "Include cycle");

    /// <summary>RPCG1016: includes nested deeper than any real file needs.</summary>
    public static DiagnosticDescriptor IncludeTooDeep { get; } = new("RPCG1016", DiagnosticSeverity.Error, "Includes nested too deeply");

    /// <summary>RPCG1017: an #error directive in an active region.</summary>
    public static DiagnosticDescriptor ErrorDirective { get; } = new("RPCG1017", DiagnosticSeverity.Error, "#error directive");

    /// <summary>RPCG1018: a #warning directive in an active region.</summary>
    public static DiagnosticDescriptor WarningDirective { get; } = new("RPCG1018", DiagnosticSeverity.Warning, "#warning directive");

    /// <summary>RPCG1019: a #pragma, which NetRpc ignores (rpcgen fails on it with "preprocessor error").</summary>
    public static DiagnosticDescriptor PragmaIgnored { get; } = new("RPCG1019", DiagnosticSeverity.Warning, "#pragma ignored");

    /// <summary>RPCG1020: a #line directive or line marker without a valid line number or file name.</summary>
    public static DiagnosticDescriptor InvalidLineDirective { get; } = new("RPCG1020", DiagnosticSeverity.Error, "Invalid #line directive");

    /// <summary>RPCG1021: text after the operand of #ifdef, #ifndef, #undef, #include or #line, which cpp ignores too.</summary>
    public static DiagnosticDescriptor ExtraTokensInDirective { get; } = new("RPCG1021", DiagnosticSeverity.Warning, "Extra text at the end of a directive ignored");
}
