using System.Net;
using Microsoft.Extensions.Logging;

namespace NetRpc.Runtime.Diagnostics;

/// <summary>The server's log messages (event ids 1-99).</summary>
internal static partial class RpcServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Serving RPC on {Transport} {EndPoint}")]
    public static partial void Listening(ILogger logger, string transport, EndPoint endPoint);

    [LoggerMessage(2, LogLevel.Error, "Procedure {Program}/{Version}/{Procedure} (xid {Xid}) failed; replied SYSTEM_ERR")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string program, uint version, string procedure, uint xid);

    [LoggerMessage(3, LogLevel.Warning, "Results of {Program}/{Version}/{Procedure} (xid {Xid}) could not be encoded; replied SYSTEM_ERR")]
    public static partial void ResultsInvalid(ILogger logger, Exception exception, string program, uint version, string procedure, uint xid);

    [LoggerMessage(4, LogLevel.Debug, "Dropped a message from {Remote}: {Reason}")]
    public static partial void Dropped(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Closed the connection from {Remote}: a record of at least {Size} bytes exceeds the limit of {Limit}")]
    public static partial void RecordTooLarge(ILogger logger, EndPoint? remote, long size, int limit);

    [LoggerMessage(6, LogLevel.Warning, "Refused a connection from {Remote}: {Limit} connections are open")]
    public static partial void TooManyConnections(ILogger logger, EndPoint? remote, int limit);

    [LoggerMessage(7, LogLevel.Debug, "Closed the connection from {Remote}: idle for {Idle}")]
    public static partial void IdleClosed(ILogger logger, EndPoint? remote, TimeSpan idle);

    [LoggerMessage(8, LogLevel.Debug, "Connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(9, LogLevel.Warning, "A reply of {Size} bytes to {Remote} exceeds the datagram limit of {Limit}; replied SYSTEM_ERR")]
    public static partial void DatagramTooLarge(ILogger logger, EndPoint? remote, int size, int limit);

    [LoggerMessage(10, LogLevel.Warning, "Server stopped with {Count} call(s) still running after the shutdown timeout")]
    public static partial void ShutdownAbandoned(ILogger logger, int count);

    [LoggerMessage(11, LogLevel.Information, "No rpcbind answered on this host: started NetRpc's embedded rpcbind on port {Port}")]
    public static partial void StartedRpcbind(ILogger logger, int port);

    [LoggerMessage(12, LogLevel.Warning, "Could not remove the rpcbind registration of program {Program} version {Version}: {Reason}")]
    public static partial void UnregisterFailed(ILogger logger, uint program, uint version, string reason);

    [LoggerMessage(13, LogLevel.Information, "Read the duplicate request journal {Path}: {Count} call(s) remembered, {Interrupted} of them possibly run (running when the last server stopped, or named by damaged records): answered SYSTEM_ERR if they come again")]
    public static partial void JournalRead(ILogger logger, string path, int count, int interrupted);

    [LoggerMessage(14, LogLevel.Warning, "The duplicate request journal {Path} has {Bytes} damaged byte(s) between intact records; {Records} record(s) were lost there, and the {Calls} call(s) they named that no intact record accounts for are answered SYSTEM_ERR rather than run")]
    public static partial void JournalDamaged(ILogger logger, string path, long bytes, long records, int calls);

    [LoggerMessage(15, LogLevel.Error, "Could not write the duplicate request journal {Path} ({What}); a call not written down is answered SYSTEM_ERR rather than run")]
    public static partial void JournalFailed(ILogger logger, Exception exception, string path, string what);

    [LoggerMessage(16, LogLevel.Warning, "Call {Program}/{Version}/{Procedure} (xid {Xid}) from {Remote} was running when the last server stopped; replied SYSTEM_ERR rather than run it again")]
    public static partial void CallInterrupted(ILogger logger, string program, uint version, string procedure, uint xid, EndPoint? remote);

    [LoggerMessage(17, LogLevel.Warning, "Refused a connection from {Remote}: {Limit} connections from {Peer} are open")]
    public static partial void TooManyConnectionsFromPeer(ILogger logger, EndPoint? remote, int limit, string peer);

    [LoggerMessage(18, LogLevel.Information, "Closed the connection from {Remote}: a record begun {Timeout} ago is still incomplete")]
    public static partial void RecordTimedOut(ILogger logger, EndPoint? remote, TimeSpan timeout);

    [LoggerMessage(19, LogLevel.Information, "Closed the connection from {Remote}: the peer took none of its {Bytes} queued reply bytes for {Timeout}")]
    public static partial void WriteTimedOut(ILogger logger, EndPoint? remote, long bytes, TimeSpan timeout);

    [LoggerMessage(20, LogLevel.Debug, "Dropped a datagram from {Remote}: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(21, LogLevel.Information, "Closed the connection from {Remote}, the longest idle, to admit a new one ({Limit} connections are open)")]
    public static partial void Evicted(ILogger logger, EndPoint? remote, int limit);

    [LoggerMessage(22, LogLevel.Warning, "The streamed reply of {Program}/{Version}/{Procedure} (xid {Xid}) broke off after its first fragment was sent; the connection is closed")]
    public static partial void StreamBroken(ILogger logger, Exception exception, string program, uint version, string procedure, uint xid);

    [LoggerMessage(23, LogLevel.Debug, "Refused the AUTH_TLS probe from {Remote}: {Status}")]
    public static partial void TlsProbeRefused(ILogger logger, EndPoint? remote, Messages.AuthStatus status);

    [LoggerMessage(24, LogLevel.Information, "Closed the connection from {Remote}: the TLS handshake failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(25, LogLevel.Information, "Closed the connection from {Remote}: {Reason}")]
    public static partial void TlsProtocolViolation(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(26, LogLevel.Information, "RPCSEC_GSS context made for {Principal}")]
    public static partial void GssContextMade(ILogger logger, string principal);

    [LoggerMessage(27, LogLevel.Warning, "RPCSEC_GSS context refused: {Status} (no key for the service in the keytab, a ticket for another service, or clocks too far apart)")]
    public static partial void GssContextRefused(ILogger logger, System.Net.Security.NegotiateAuthenticationStatusCode status);

    [LoggerMessage(28, LogLevel.Error, "The duplicate request store could not be asked about {Program}/{Version}/{Procedure} (xid {Xid}); {Action}")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string program, uint version, string procedure, uint xid, string action);

    [LoggerMessage(29, LogLevel.Error, "The duplicate request store threw while taking the outcome of xid {Xid}; a retransmission may find the call still running")]
    public static partial void StoreWriteFailed(ILogger logger, Exception exception, uint xid);
}
