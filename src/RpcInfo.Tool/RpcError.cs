using System.Globalization;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool;

/// <summary>libtirpc's <c>enum clnt_stat</c>: the numbers rpcinfo's messages are made from.</summary>
internal enum ClntStat
{
    Success = 0,
    CantEncodeArgs = 1,
    CantDecodeResults = 2,
    CantSend = 3,
    CantReceive = 4,
    TimedOut = 5,
    VersionMismatch = 6,
    AuthError = 7,
    ProgramUnavailable = 8,
    ProgramVersionMismatch = 9,
    ProcedureUnavailable = 10,
    CantDecodeArgs = 11,
    SystemError = 12,
    UnknownHost = 13,
    PortmapperFailure = 14,
    ProgramNotRegistered = 15,
    Failed = 16,
    UnknownProtocol = 17,
    NameToAddressFailure = 22,
}

/// <summary>
/// Why a call failed, as libtirpc's <c>struct rpc_err</c> holds it, and the two ways rpcinfo prints it:
/// <c>clnt_perror</c> for a call that failed and <c>clnt_pcreateerror</c> for a client that could not be made.
/// </summary>
internal sealed record RpcError(ClntStat Status, string? Errno = null, uint Low = 0, uint High = 0, string? Why = null)
{
    /// <summary>A failed call: <c>clnt_sperror</c>'s "prefix: RPC: text[; detail]".</summary>
    public string Call(string prefix)
    {
        string text = $"{prefix}: {Text(Status)}";
        return Status switch
        {
            ClntStat.CantSend or ClntStat.CantReceive when Errno is not null => $"{text}; errno = {Errno}",
            ClntStat.VersionMismatch or ClntStat.ProgramVersionMismatch => string.Create(CultureInfo.InvariantCulture, $"{text}; low version = {Low}, high version = {High}"),
            ClntStat.AuthError => $"{text}; why = {Why}",
            _ => text,
        };
    }

    /// <summary>A client that could not be made: <c>clnt_spcreateerror</c>'s "prefix: RPC: text[ - errno]".</summary>
    public string Create(string prefix) =>
        Status == ClntStat.SystemError && Errno is not null ? $"{prefix}: {Text(Status)} - {Errno}" : $"{prefix}: {Text(Status)}";

    /// <summary><c>clnt_sperrno</c>.</summary>
    public static string Text(ClntStat status) => status switch
    {
        ClntStat.Success => "RPC: Success",
        ClntStat.CantEncodeArgs => "RPC: Can't encode arguments",
        ClntStat.CantDecodeResults => "RPC: Can't decode result",
        ClntStat.CantSend => "RPC: Unable to send",
        ClntStat.CantReceive => "RPC: Unable to receive",
        ClntStat.TimedOut => "RPC: Timed out",
        ClntStat.VersionMismatch => "RPC: Incompatible versions of RPC",
        ClntStat.AuthError => "RPC: Authentication error",
        ClntStat.ProgramUnavailable => "RPC: Program unavailable",
        ClntStat.ProgramVersionMismatch => "RPC: Program/version mismatch",
        ClntStat.ProcedureUnavailable => "RPC: Procedure unavailable",
        ClntStat.CantDecodeArgs => "RPC: Server can't decode arguments",
        ClntStat.SystemError => "RPC: Remote system error",
        ClntStat.UnknownHost => "RPC: Unknown host",
        ClntStat.PortmapperFailure => "RPC: Port mapper failure",
        ClntStat.ProgramNotRegistered => "RPC: Program not registered",
        ClntStat.Failed => "RPC: Failed (unspecified error)",
        ClntStat.UnknownProtocol => "RPC: Unknown protocol",
        _ => "RPC: (unknown error code)",
    };

    /// <summary>Whether the failure came before anything was asked: the connection could not be made (libtirpc fails the client's creation then).</summary>
    public bool IsConnectFailure { get; init; }

    /// <summary>What a runtime failure is in libtirpc's terms.</summary>
    public static RpcError From(Exception exception, RpcTransport transport) => exception switch
    {
        RpcTimeoutException => new(ClntStat.TimedOut),
        RpcProgramMismatchException m => new(ClntStat.ProgramVersionMismatch, Low: m.Low, High: m.High),
        RpcProgramUnavailableException => new(ClntStat.ProgramUnavailable),
        RpcProcedureUnavailableException => new(ClntStat.ProcedureUnavailable),
        RpcGarbageArgumentsException => new(ClntStat.CantDecodeArgs),
        RpcSystemErrorException => new(ClntStat.SystemError),
        RpcAuthenticationException a => new(ClntStat.AuthError, Why: WhyText(a.Status)),
        RpcVersionMismatchException v => new(ClntStat.VersionMismatch, Low: v.Low, High: v.High),
        RpcProgramNotRegisteredException => new(ClntStat.ProgramNotRegistered),
        RpcSendFailedException s => new(ClntStat.CantSend, ErrnoText(s.Error, s.InnerException)),
        RpcConnectionException c => Connection(c, transport),
        RpcProtocolException or XdrException => new(ClntStat.CantDecodeResults),
        SocketException s when transport == RpcTransport.Tcp => new(ClntStat.SystemError, ErrnoText(s.SocketErrorCode, s)) { IsConnectFailure = true },
        SocketException s => new(ClntStat.CantReceive, ErrnoText(s.SocketErrorCode, s)),
        _ => new(ClntStat.Failed),
    };

    /// <summary>
    /// A connection that could not be made is libtirpc's failed clnt_create (a "Remote system error" with the errno); one
    /// that broke, or an ICMP error on a datagram socket, is a failed receive.
    /// </summary>
    private static RpcError Connection(RpcConnectionException exception, RpcTransport transport)
    {
        SocketException? socket = exception.InnerException as SocketException;
        if (transport == RpcTransport.Tcp && (socket is null ? exception.Message.Contains("Timed out connecting", StringComparison.Ordinal) : socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable))
        {
            return new RpcError(ClntStat.SystemError, socket is null ? "Connection timed out" : ErrnoText(socket.SocketErrorCode, socket)) { IsConnectFailure = true };
        }

        return new RpcError(ClntStat.CantReceive, socket is null ? "Connection reset by peer" : ErrnoText(socket.SocketErrorCode, socket));
    }

    /// <summary>strerror's text for the errors a socket gives here (the system's own message for the rest).</summary>
    private static string ErrnoText(SocketError error, Exception? inner) => error switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.ConnectionReset => "Connection reset by peer",
        SocketError.TimedOut => "Connection timed out",
        SocketError.HostUnreachable => "No route to host",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        SocketError.MessageSize => "Message too long",
        SocketError.AccessDenied => "Permission denied",
        SocketError.AddressFamilyNotSupported => "Address family not supported by protocol",
        _ => inner?.Message ?? error.ToString(),
    };

    private static string WhyText(AuthStatus status) => status switch
    {
        AuthStatus.BadCredential => "Invalid client credential",
        AuthStatus.RejectedCredential => "Server rejected credential",
        AuthStatus.BadVerifier => "Invalid client verifier",
        AuthStatus.RejectedVerifier => "Server rejected verifier",
        AuthStatus.TooWeak => "Client credential too weak",
        AuthStatus.InvalidResponse => "Invalid server verifier",
        AuthStatus.Failed => "Failed (unspecified error)",
        _ => "(unknown authentication error - " + ((int)status).ToString(CultureInfo.InvariantCulture) + ")",
    };
}
