namespace NetRpc.RpcGen.Diagnostics;

// RPCG4001-RPCG4099: the C# generator.
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG4001: a declaration that XDR allows and C# cannot represent faithfully.</summary>
    public static DiagnosticDescriptor NoCSharpForm { get; } = new("RPCG4001", DiagnosticSeverity.Error, "No C# form");
}
