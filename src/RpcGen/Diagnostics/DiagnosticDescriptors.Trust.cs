namespace NetRpc.RpcGen.Diagnostics;

// RPCG3001-RPCG3099: names real .x files take from C headers rather than define, which NetRpc accepts on trust.
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG3001: a C type name (uint32_t, u_int, uint64, ...) that is not XDR but that NetRpc maps to an XDR type, as libtirpc's xdr_ routines do.</summary>
    public static DiagnosticDescriptor PredefinedType { get; } = new("RPCG3001", DiagnosticSeverity.Warning, "C type name taken as an XDR type");

    /// <summary>RPCG3002: a constant the file uses without defining (AUTH_SYS, MAXNETNAMELEN, ...), which NetRpc takes from the C headers' and RFC 5531's values; TRUE and FALSE are XDR's own (RFC 4506 section 4.4) and draw none.</summary>
    public static DiagnosticDescriptor PredefinedConstant { get; } = new("RPCG3002", DiagnosticSeverity.Warning, "Constant taken from the C headers");

    /// <summary>RPCG3003: a constant defined only by a <c>%#define</c> line for rpcgen's C header, which NetRpc evaluates as the C compiler would.</summary>
    public static DiagnosticDescriptor PassthroughConstant { get; } = new("RPCG3003", DiagnosticSeverity.Warning, "Constant taken from a %#define line");
}
