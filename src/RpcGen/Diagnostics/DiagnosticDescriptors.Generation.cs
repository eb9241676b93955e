namespace NetRpc.RpcGen.Diagnostics;

// RPCG4001-RPCG4099: the C# generator.
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG4001: a declaration that XDR allows and C# cannot represent faithfully.</summary>
    public static DiagnosticDescriptor NoCSharpForm { get; } = new("RPCG4001", DiagnosticSeverity.Error, "No C# form");

    /// <summary>RPCG4002: a procedure named to be streamed (rpcgen --stream, the StreamedProcedures metadata) that no version declares.</summary>
    public static DiagnosticDescriptor StreamedProcedureNotFound { get; } = new("RPCG4002", DiagnosticSeverity.Error, "Streamed procedure not found");

    /// <summary>RPCG4003: a procedure named to be streamed whose result is not a union on bool with an element for TRUE and void for FALSE.</summary>
    public static DiagnosticDescriptor ResultCannotBeStreamed { get; } = new("RPCG4003", DiagnosticSeverity.Error, "Result cannot be streamed");

    /// <summary>RPCG4004: a name given for pooled opaque data (rpcgen --pooled-opaque, the PooledOpaque metadata) that is no typedef, field or arm of variable-length opaque data.</summary>
    public static DiagnosticDescriptor NotVariableOpaque { get; } = new("RPCG4004", DiagnosticSeverity.Error, "Pooled opaque name is not variable-length opaque data");
}
