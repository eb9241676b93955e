using System.Diagnostics.Metrics;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Client;

/// <summary>How an <see cref="RpcClient"/> calls.</summary>
public sealed record RpcClientOptions
{
    /// <summary>The credential sent with every call. Default AUTH_NONE.</summary>
    public RpcCredential Credential { get; init; } = RpcCredential.None;

    /// <summary>How long a call may take before it fails with <see cref="RpcTimeoutException"/>. Default 25 seconds, as rpcgen's stubs.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Most calls in flight at once; further calls wait for one to finish (backpressure). Over TCP the calls
    /// share the connection, matched by XID. Default 128.
    /// </summary>
    public int MaxInFlight { get; init; } = 128;

    /// <summary>
    /// Largest reply record accepted over TCP; a longer one closes the connection. The buffer grows with the bytes that
    /// arrive, not with what a record mark announces. Default 2 MiB: a 1 MiB NFS READ (Linux's largest rsize) with its headers.
    /// </summary>
    public int MaxRecordSize { get; init; } = 2 << 20;

    /// <summary>
    /// Whether calls leave from a reserved port (below 1024), as libtirpc's clnt_create binds one (bindresvport) when
    /// the process may: servers that trust only privileged callers (Linux knfsd's default "secure" exports, NFS-Ganesha
    /// with PrivilegedPort) refuse others with AUTH_TOOWEAK. Default <see cref="ReservedPortUse.IfPossible"/>.
    /// </summary>
    public ReservedPortUse ReservedPort { get; init; } = ReservedPortUse.IfPossible;

    /// <summary>How long connecting may take. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest UDP datagram sent (libtirpc's UDPMSGSIZE, 8800, by default); larger calls need TCP. At most what UDP
    /// carries: 65,507 bytes over IPv4, 65,527 over IPv6; a client made with more is refused.
    /// </summary>
    public int MaxDatagramSize { get; init; } = 8800;

    /// <summary>
    /// The UDP socket's receive buffer (SO_RCVBUF), where replies wait to be read: replies that find it full are lost and
    /// their calls retransmitted. Default 4 MiB, room for 128 replies of 32 KiB. The kernel caps it at
    /// net.core.rmem_max unless the process may raise it (CAP_NET_ADMIN); null leaves the system's default.
    /// </summary>
    public int? UdpReceiveBufferSize { get; init; } = 4 << 20;

    /// <summary>The UDP socket's send buffer (SO_SNDBUF). Default null: the system's (net.core.wmem_default).</summary>
    public int? UdpSendBufferSize { get; init; }

    /// <summary>First wait before a UDP call is sent again with the same XID. Default 500 ms (libtirpc waits 15 s).</summary>
    public TimeSpan RetransmitInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between retransmissions; the wait doubles up to it. Default 4 seconds.</summary>
    public TimeSpan MaxRetransmitInterval { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Ride out a server's restart. TCP: when the connection breaks, keep the calls in flight and send them again, with the same XIDs, on a new
    /// connection, connecting again with the retransmission back-off (<see cref="RetransmitInterval"/> doubling up
    /// to <see cref="MaxRetransmitInterval"/>) until each call's timeout, as the Linux kernel's RPC client does; a call
    /// made while the server is unreachable waits for it the same way instead of failing at once. A resent call may
    /// run twice unless the server keeps a TCP duplicate request cache (NetRpc's
    /// <c>RpcServerOptions.TcpDuplicateRequestCache</c>, with a journal to survive a restart; libtirpc's servers keep
    /// none), so leave this off for procedures that must not run twice on such servers. Each call's message is kept
    /// until its reply comes. UDP: an ICMP port unreachable (nothing listens, for now) does not fail the calls in
    /// flight; they go on being retransmitted until their timeout. Default false: calls fail with
    /// <see cref="RpcConnectionException"/>, as libtirpc's do.
    /// </summary>
    public bool RetryOnConnectionLoss { get; init; }

    /// <summary>
    /// RPC-with-TLS (RFC 9289) on TCP: each connection first sends the AUTH_TLS probe, and once the server answers
    /// STARTTLS, makes a TLS 1.3 handshake (ALPN "sunrpc") with these settings before any call goes on it. The server's
    /// certificate is checked against <see cref="SslClientAuthenticationOptions.TargetHost"/> (default: the address
    /// connected to) and the system's trusted roots, unless <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>
    /// decides; a client certificate (<see cref="SslClientAuthenticationOptions.ClientCertificates"/> or
    /// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/>) gives mutual TLS. A server that does not
    /// answer STARTTLS, or a handshake that fails, fails the connection with <see cref="RpcConnectionException"/>:
    /// never a silent fall back to plain text. UDP has no TLS (DTLS is optional in RFC 9289 and not offered): a UDP
    /// client refuses these settings. Default null: plain TCP.
    /// </summary>
    public SslClientAuthenticationOptions? Tls
    {
        get => _tls;
        init
        {
            _tls = value;
            TlsEngine = value is null ? null : SslStreamTls.Instance;
        }
    }

    /// <summary>What makes the handshakes: set with <see cref="Tls"/> alone, so that a program without TLS never makes one (see <see cref="Transports.TlsEngine"/>).</summary>
    internal TlsEngine? TlsEngine { get; private init; }

    private readonly SslClientAuthenticationOptions? _tls;

    /// <summary>
    /// Run the code after <c>await CallAsync(...)</c> on the thread that received the reply, instead of the thread
    /// pool. That saves a hand-off between threads per call (the fastest setting for request and reply), but the
    /// continuation then holds up every other reply of the client, and must never block waiting for another
    /// call of the same client (it would wait for itself). Default false.
    /// </summary>
    public bool InlineCompletions { get; init; }

    /// <summary>
    /// How long a thread waiting for a reply polls for it, yielding the CPU between polls, before it sleeps in the
    /// kernel. Waking a sleeping thread costs the sender a wake-up, which on virtual machines costs more than
    /// the spin; a spin that finds the reply saves it. Only while calls are in flight. Default 20 microseconds; <see cref="TimeSpan.Zero"/> sleeps at once.
    /// </summary>
    public TimeSpan SpinBeforeSleep { get; init; } = TimeSpan.FromMicroseconds(20);

    /// <summary>
    /// What runs around every call made with <c>CallAsync</c>, in order: the first is the outermost (see
    /// <see cref="RpcClientInterceptor"/>). Read once, when the client is made. Default none.
    /// </summary>
    public IReadOnlyList<RpcClientInterceptor> Interceptors { get; init; } = [];

    /// <summary>Where logs go; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where metrics are created (the <c>NetRpc.Client</c> meter); a process-wide meter by default.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>
    /// The program's name in its .x file (e.g. <c>NFS_PROGRAM</c>), for telemetry: spans and metrics carry it as
    /// <c>rpc.service</c> and <c>onc_rpc.program.name</c>. A client knows only numbers unless told; without it
    /// <c>rpc.service</c> is the program number in decimal and <c>onc_rpc.program.name</c> is left out.
    /// </summary>
    public string? ProgramName { get; init; }

    /// <summary>
    /// The procedures' names by number (e.g. 6 = <c>NFSPROC3_READ</c>), for telemetry: <c>rpc.method</c> and
    /// <c>onc_rpc.procedure.name</c>. A procedure not named here is reported by its number in decimal.
    /// </summary>
    public IReadOnlyDictionary<uint, string>? ProcedureNames { get; init; }
}

/// <summary>Whether a client's calls leave from a reserved port (below 1024), which only a privileged process may bind.</summary>
public enum ReservedPortUse
{
    /// <summary>From a port the system chooses (above 1023).</summary>
    Never,

    /// <summary>From a reserved port when the process may bind one (root, or CAP_NET_BIND_SERVICE) and one is free; otherwise as <see cref="Never"/>. libtirpc's behaviour.</summary>
    IfPossible,

    /// <summary>From a reserved port, or not at all: making the connection or socket fails with <see cref="RpcReservedPortException"/>.</summary>
    Required,
}
