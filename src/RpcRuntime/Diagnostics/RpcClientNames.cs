using System.Globalization;
using NetRpc.Runtime.Client;

namespace NetRpc.Runtime.Diagnostics;

/// <summary>What a client's telemetry calls its program and procedures: the names it was given, else the numbers.</summary>
internal sealed class RpcClientNames(uint program, RpcClientOptions options)
{
    private readonly IReadOnlyDictionary<uint, string>? _procedures = options.ProcedureNames;

    /// <summary>The program's name, if the client was told it.</summary>
    public string? ProgramName { get; } = options.ProgramName;

    /// <summary><c>rpc.service</c>: the program's name, else its number in decimal.</summary>
    public string Service { get; } = options.ProgramName ?? program.ToString(CultureInfo.InvariantCulture);

    /// <summary>The procedure's name, if the client was told it.</summary>
    public string? ProcedureName(uint procedure) =>
        _procedures is not null && _procedures.TryGetValue(procedure, out string? name) ? name : null;

    /// <summary><c>rpc.method</c>: the procedure's name, else its number in decimal.</summary>
    public string Method(uint procedure) => ProcedureName(procedure) ?? procedure.ToString(CultureInfo.InvariantCulture);
}
