namespace NetRpc.Runtime.Diagnostics;

/// <summary>
/// The names of OpenTelemetry's RPC semantic conventions NetRpc's spans and metrics carry
/// (https://opentelemetry.io/docs/specs/semconv/rpc/ and the ONC RPC attribute registry), in one place.
/// The <c>onc_rpc.*</c> attributes are in OpenTelemetry's "development" stability.
/// </summary>
public static class RpcSemanticConventions
{
    /// <summary><c>rpc.system</c>: always <see cref="OncRpcSystem"/>.</summary>
    public const string RpcSystem = "rpc.system";

    /// <summary>The value of <c>rpc.system</c> for ONC RPC.</summary>
    public const string OncRpcSystem = "onc_rpc";

    /// <summary><c>rpc.service</c>: the program's name (the number, in decimal, when a client is not told the name).</summary>
    public const string RpcService = "rpc.service";

    /// <summary><c>rpc.method</c>: the procedure's name (the number, in decimal, when a client is not told the name).</summary>
    public const string RpcMethod = "rpc.method";

    /// <summary><c>onc_rpc.program.name</c>: the program's name in its .x file, e.g. NFS_PROGRAM.</summary>
    public const string ProgramName = "onc_rpc.program.name";

    /// <summary><c>onc_rpc.version</c>: the program version (int).</summary>
    public const string Version = "onc_rpc.version";

    /// <summary><c>onc_rpc.procedure.name</c>: the procedure's name in its .x file, e.g. NFSPROC3_READ.</summary>
    public const string ProcedureName = "onc_rpc.procedure.name";

    /// <summary><c>onc_rpc.procedure.number</c>: the procedure number (int).</summary>
    public const string ProcedureNumber = "onc_rpc.procedure.number";

    /// <summary><c>network.transport</c>: <c>tcp</c>, <c>udp</c>, or <c>unix</c> (a local stream).</summary>
    public const string NetworkTransport = "network.transport";

    /// <summary><c>server.address</c>: the server a client calls (client spans).</summary>
    public const string ServerAddress = "server.address";

    /// <summary><c>server.port</c>: the server's port (client spans).</summary>
    public const string ServerPort = "server.port";

    /// <summary><c>network.peer.address</c>: the other end's IP address (both sides, where known).</summary>
    public const string NetworkPeerAddress = "network.peer.address";

    /// <summary><c>network.peer.port</c>: the other end's port (both sides, where known).</summary>
    public const string NetworkPeerPort = "network.peer.port";

    /// <summary><c>client.address</c>: the caller's address (server spans).</summary>
    public const string ClientAddress = "client.address";

    /// <summary><c>client.port</c>: the caller's port (server spans).</summary>
    public const string ClientPort = "client.port";

    /// <summary>The client's call duration histogram, in seconds.</summary>
    public const string ClientCallDuration = "rpc.client.call.duration";

    /// <summary>The server's call duration histogram, in seconds.</summary>
    public const string ServerCallDuration = "rpc.server.call.duration";

    // NetRpc's own names, which the conventions do not cover; kept as they were.

    /// <summary>NetRpc's: the version, as before the conventions (kept for existing dashboards).</summary>
    public const string LegacyServiceVersion = "rpc.service.version";

    /// <summary>NetRpc's: the reply status or the client's outcome (SUCCESS, PROC_UNAVAIL, TIMEOUT...).</summary>
    public const string Status = "rpc.onc_rpc.status";

    /// <summary>NetRpc's: the call's XID (spans only).</summary>
    public const string Xid = "rpc.onc_rpc.xid";
}
