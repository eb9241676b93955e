using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Server;

/// <summary>What a procedure's handler knows about the call it is serving.</summary>
public sealed class RpcCallContext
{
    private readonly SocketAddress? _address;
    private IPEndPoint? _remote;

    internal RpcCallContext(in CallHeader header, RpcTransport transport, SocketAddress? address, IPEndPoint? remote, LocalPeer? local, object? principal, CancellationToken aborted, RpcConnection? connection, string programName = "", string procedureName = "", RpcServerInterceptor[]? interceptors = null)
    {
        ProgramName = programName;
        ProcedureName = procedureName;
        Interceptors = interceptors;
        Connection = connection;
        Local = local;
        Header = header;
        Transport = transport;
        _address = address;
        _remote = remote;
        Principal = principal;
        CallAborted = aborted;
    }

    /// <summary>
    /// The call as the server's shared duplicate request store knows it (<see cref="RpcServerOptions.DuplicateRequestStore"/>):
    /// its <see cref="DuplicateRequests.DuplicateRequestCall.Id"/> is the same on every server of the fleet and for every
    /// retransmission, so a handler can key its own effects on it (an idempotency key) and make them happen once even when
    /// the call runs again (<see cref="RpcProgram.InterruptedCalls"/>). Null without a shared store, and for NULL.
    /// </summary>
    public DuplicateRequests.DuplicateRequestCall? DuplicateRequest { get; internal init; }

    /// <summary>The call's header: XID, program, version, procedure, credential and verifier.</summary>
    public CallHeader Header { get; }

    /// <summary>The program's name as the server knows it (<see cref="RpcProgram.Name"/>: the .x file's name in generated code).</summary>
    public string ProgramName { get; }

    /// <summary>The procedure's name as the server knows it (the name given to <see cref="RpcProgramBuilder.AddProcedure"/>; <c>NULL</c> for procedure 0 unless the program names it).</summary>
    public string ProcedureName { get; }

    /// <summary>The server's interceptors, or null when it has none (the handler is then called directly).</summary>
    internal RpcServerInterceptor[]? Interceptors { get; }

    /// <summary>The transport the call came on.</summary>
    public RpcTransport Transport { get; }

    /// <summary>The caller's address and port; null for a caller on a local (AF_UNIX) socket.</summary>
    public IPEndPoint? RemoteEndPoint => _remote ??= _address is null ? null : ToEndPoint(_address);

    internal static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);

    /// <summary>A caller on this host's local (AF_UNIX) socket, see <see cref="RpcServer.ListenLocal"/>: who the kernel says it is. Null for a network caller.</summary>
    public LocalPeer? Local { get; }

    /// <summary>What the flavor's authenticator made of the credential: <see cref="AuthSysParameters"/> for AUTH_SYS, null for AUTH_NONE.</summary>
    public object? Principal { get; }

    /// <summary>The AUTH_SYS credential, when the call has one.</summary>
    public AuthSysParameters? AuthSys => Principal as AuthSysParameters;

    /// <summary>Signalled when the caller's connection closes or the server stops: the reply will not be delivered.</summary>
    public CancellationToken CallAborted { get; }

    /// <summary>
    /// Whether the caller is privileged as RPC servers judge it (svc_getcaller's port below 1024, IPPORT_RESERVED): its
    /// port is reserved, which only root or CAP_NET_BIND_SERVICE may bind; for a local (AF_UNIX) caller, whether the
    /// kernel says it is root. A claim the network cannot forge from an unprivileged process, not a proof of identity.
    /// </summary>
    public bool FromReservedPort => Local is { } local ? local.UserId == 0 : RemoteEndPoint is { } remote && Transports.ReservedPorts.IsReserved(remote.Port);

    /// <summary>The connection the call came on, for state kept per connection; null over UDP.</summary>
    public RpcConnection? Connection { get; }
}
