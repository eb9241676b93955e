using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Client;

/// <summary>
/// A call failed. The derived type says how (<see cref="RpcTimeoutException"/>, <see cref="RpcProgramMismatchException"/>,
/// ...) and carries what the reply said; catch this base type to handle them all.
/// </summary>
public abstract class RpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="inner">The underlying cause, if any.</param>
    protected RpcException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>No reply came before the call's deadline (libtirpc's RPC_TIMEDOUT). The call may or may not have run.</summary>
public sealed class RpcTimeoutException(TimeSpan timeout)
    : RpcException($"RPC: Timed out after {timeout.TotalSeconds:0.###} s")
{
    /// <summary>The deadline that passed, measured from the call's start.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The connection broke, or could not be made (libtirpc's RPC_CANTSEND, RPC_CANTRECV). Calls in flight on
/// a broken connection may or may not have run; the next call connects again.
/// </summary>
public sealed class RpcConnectionException(string message, Exception? inner = null) : RpcException(message, inner);

/// <summary>
/// A datagram could not be sent, for a reason that sending it again would not mend (libtirpc's RPC_CANTSEND, "Unable to
/// send; errno = ..."): no route to the host or network, a message too long for the path, an address that may not be
/// sent to. The call fails at once rather than be retransmitted until its deadline; it did not reach the server.
/// </summary>
/// <param name="message">What happened, naming the cause.</param>
/// <param name="error">The socket error the system reported.</param>
/// <param name="inner">The socket exception.</param>
public sealed class RpcSendFailedException(string message, System.Net.Sockets.SocketError error, Exception? inner = null) : RpcException(message, inner)
{
    /// <summary>The socket error the system reported (<see cref="System.Net.Sockets.SocketError.MessageSize"/>, <see cref="System.Net.Sockets.SocketError.HostUnreachable"/>, ...).</summary>
    public System.Net.Sockets.SocketError Error { get; } = error;
}

/// <summary>
/// <see cref="ReservedPortUse.Required"/> was asked for, and no reserved port (600 to 1023) could be bound: the process
/// may not (it needs root or CAP_NET_BIND_SERVICE), or every one is taken. Nothing was sent.
/// </summary>
/// <param name="message">What happened, naming the cause.</param>
/// <param name="error">Why the bind failed: <see cref="System.Net.Sockets.SocketError.AccessDenied"/> or <see cref="System.Net.Sockets.SocketError.AddressAlreadyInUse"/>.</param>
public sealed class RpcReservedPortException(string message, System.Net.Sockets.SocketError error) : RpcException(message)
{
    /// <summary>Why no reserved port could be bound.</summary>
    public System.Net.Sockets.SocketError Error { get; } = error;
}

/// <summary>rpcbind has no address for the program version (RPC_PROGNOTREGISTERED): no server registered it.</summary>
/// <param name="program">The program.</param>
/// <param name="version">The version.</param>
public sealed class RpcProgramNotRegisteredException(uint program, uint version)
    : RpcException($"RPC: Program not registered (program {program}, version {version})")
{
    /// <summary>The program.</summary>
    public uint Program { get; } = program;

    /// <summary>The version.</summary>
    public uint Version { get; } = version;
}

/// <summary>PROG_UNAVAIL: the server does not serve the program (RPC_PROGUNAVAIL).</summary>
public sealed class RpcProgramUnavailableException(uint program)
    : RpcException($"RPC: Program unavailable: {program}")
{
    /// <summary>The program asked for.</summary>
    public uint Program { get; } = program;
}

/// <summary>PROG_MISMATCH: the server serves the program but not this version (RPC_PROGVERSMISMATCH).</summary>
public sealed class RpcProgramMismatchException(uint program, uint version, uint low, uint high)
    : RpcException($"RPC: Program/version mismatch: program {program} version {version}; the server serves versions {low} to {high}")
{
    /// <summary>The program asked for.</summary>
    public uint Program { get; } = program;

    /// <summary>The version asked for.</summary>
    public uint Version { get; } = version;

    /// <summary>The lowest version the server serves.</summary>
    public uint Low { get; } = low;

    /// <summary>The highest version the server serves.</summary>
    public uint High { get; } = high;
}

/// <summary>PROC_UNAVAIL: the program version has no such procedure (RPC_PROCUNAVAIL).</summary>
public sealed class RpcProcedureUnavailableException(uint procedure)
    : RpcException($"RPC: Procedure unavailable: {procedure}")
{
    /// <summary>The procedure asked for.</summary>
    public uint Procedure { get; } = procedure;
}

/// <summary>GARBAGE_ARGS: the server could not decode the arguments (RPC_CANTDECODEARGS).</summary>
public sealed class RpcGarbageArgumentsException() : RpcException("RPC: Server can't decode arguments");

/// <summary>SYSTEM_ERR: the server failed while running the call (RPC_SYSTEMERROR).</summary>
public sealed class RpcSystemErrorException() : RpcException("RPC: Remote system error");

/// <summary>AUTH_ERROR: the server refused the credentials, or the reply's verifier is bad (RPC_AUTHERROR).</summary>
public sealed class RpcAuthenticationException : RpcException
{
    /// <summary>An authentication error for <paramref name="status"/>.</summary>
    /// <param name="status">Why.</param>
    public RpcAuthenticationException(AuthStatus status)
        : base($"RPC: Authentication error; why = {Describe(status)}") => Status = status;

    /// <summary>An authentication error for <paramref name="status"/>, with what the client found out.</summary>
    /// <param name="status">Why.</param>
    /// <param name="detail">What happened, for people.</param>
    public RpcAuthenticationException(AuthStatus status, string detail)
        : base($"RPC: Authentication error; why = {Describe(status)}: {detail}") => Status = status;

    /// <summary>Why authentication failed.</summary>
    public AuthStatus Status { get; }

    private static string Describe(AuthStatus status) => status switch
    {
        AuthStatus.BadCredential => "Invalid client credential",
        AuthStatus.RejectedCredential => "Server rejected credential",
        AuthStatus.BadVerifier => "Invalid client verifier",
        AuthStatus.RejectedVerifier => "Server rejected verifier",
        AuthStatus.TooWeak => "Client credential too weak",
        AuthStatus.InvalidResponse => "Invalid server verifier",
        AuthStatus.Failed => "Failed (unspecified error)",
        AuthStatus.RpcsecGssCredentialProblem => "RPCSEC_GSS credential problem (no such context, or a bad MIC)",
        AuthStatus.RpcsecGssContextProblem => "RPCSEC_GSS context problem (expired or used up)",
        _ => status.ToString(),
    };
}

/// <summary>RPC_MISMATCH: the server does not speak RPC version 2 (RPC_VERSMISMATCH).</summary>
public sealed class RpcVersionMismatchException(uint low, uint high)
    : RpcException($"RPC: Incompatible versions of RPC; the server supports {low} to {high}")
{
    /// <summary>The lowest RPC version the server supports.</summary>
    public uint Low { get; } = low;

    /// <summary>The highest RPC version the server supports.</summary>
    public uint High { get; } = high;
}

/// <summary>The reply could not be decoded: malformed, or results that are not what the procedure returns (RPC_CANTDECODERES).</summary>
public sealed class RpcProtocolException(string message, Exception? inner = null) : RpcException(message, inner);
