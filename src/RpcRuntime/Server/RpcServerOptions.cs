using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Server;

/// <summary>Limits and services of an <see cref="RpcServer"/>.</summary>
public sealed record RpcServerOptions
{
    /// <summary>
    /// Most TCP connections open at once. When a new one arrives at the limit, the connection idle longest (no call
    /// running, no reply waiting) is closed to admit it; when every one is busy, the new one is closed as soon as it is
    /// accepted. Default 4096.
    /// </summary>
    public int MaxConnections { get; init; } = 4096;

    /// <summary>
    /// Most TCP connections open at once from one IP address (a local caller: from one user id); further ones are
    /// closed as soon as they are accepted, so that no single address can take every connection the server allows.
    /// Default (null): a quarter of <see cref="MaxConnections"/>, 1024 with its default.
    /// </summary>
    public int? MaxConnectionsPerAddress { get; init; }

    /// <summary>Largest record (one call) accepted on TCP; a longer one closes its connection. Default 1 MiB.</summary>
    public int MaxRecordSize { get; init; } = 1 << 20;

    /// <summary>
    /// A TCP connection with nothing in flight that sends nothing for this long is closed. Default
    /// <see cref="Timeout.InfiniteTimeSpan"/>: idle connections stay open, as libtirpc keeps them (VXI-11 instrument
    /// sessions and NFSv4.0 clients rely on it), and the longest idle makes room when <see cref="MaxConnections"/> is reached.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// How long a TCP record (one call) may take to arrive once its first byte has: a connection whose record is
    /// still incomplete after this long is closed, so that a peer trickling a byte at a time cannot hold it forever.
    /// Default 30 seconds.
    /// </summary>
    public TimeSpan RecordTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long replies may wait for a TCP peer that does not read them: a connection that takes none of its
    /// queued reply bytes for this long is closed. Default 30 seconds.
    /// </summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reply bytes one TCP connection may have waiting for its peer to read them. Past it the server reads no further
    /// calls from that connection until the peer has taken them (TCP flow control then slows the peer), so a client
    /// that sends calls and never reads replies costs the server this much, not more. The reply being written when
    /// the bound is reached is kept whole, as are those of calls already running. Default 4 MiB.
    /// </summary>
    public int MaxQueuedReplyBytesPerConnection { get; init; } = 4 << 20;

    /// <summary>
    /// Reply bytes all TCP connections together may have waiting; past it, every connection with replies waiting
    /// reads no further calls until its peer has taken them. Default 64 MiB.
    /// </summary>
    public long MaxQueuedReplyBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Largest UDP datagram received or sent (libtirpc's UDPMSGSIZE, 8800, by default). A reply that does not fit is
    /// replaced by SYSTEM_ERR. At most 65,507 bytes, what UDP carries over IPv4; a server made with more is refused.
    /// </summary>
    public int MaxDatagramSize { get; init; } = 8800;

    /// <summary>
    /// Each UDP socket's receive buffer (SO_RCVBUF), where calls wait for a receive thread: calls that find it full are
    /// lost and retransmitted by their clients. Default 4 MiB, room for 128 calls of 32 KiB. The kernel caps it at
    /// net.core.rmem_max unless the process may raise it (CAP_NET_ADMIN); null leaves the system's default.
    /// </summary>
    public int? UdpReceiveBufferSize { get; init; } = 4 << 20;

    /// <summary>Each UDP socket's send buffer (SO_SNDBUF). Default null: the system's (net.core.wmem_default).</summary>
    public int? UdpSendBufferSize { get; init; }

    /// <summary>
    /// UDP calls whose handlers are still running asynchronously, across every UDP endpoint; further datagrams are
    /// dropped unread, as a full socket buffer would drop them (the caller retransmits), and counted in the
    /// <c>rpc.server.datagrams.dropped</c> metric. Default 1024.
    /// </summary>
    public int MaxUdpCallsInFlight { get; init; } = 1024;

    /// <summary>
    /// As <see cref="MaxUdpCallsInFlight"/>, for the calls of one source IP address, so that one source cannot take
    /// every slot. Default 256.
    /// </summary>
    public int MaxUdpCallsInFlightPerAddress { get; init; } = 256;

    /// <summary>Threads receiving UDP datagrams for each UDP endpoint. Default: one per processor.</summary>
    public int UdpReceiveThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Calls of one TCP connection whose handlers are still running asynchronously; past it, the connection's further calls wait. Default 128.</summary>
    public int MaxPendingCallsPerConnection { get; init; } = 128;

    /// <summary>How long <see cref="RpcServer.StopAsync"/> waits for calls in flight before closing connections. Default 10 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The duplicate request cache for UDP calls (at-most-once execution). On by default, as clients retransmit over UDP.</summary>
    public DuplicateRequestCacheOptions? UdpDuplicateRequestCache { get; init; } = new();

    /// <summary>The duplicate request cache for TCP calls (libtirpc has none). Off by default: TCP does not lose calls, but a client that reconnects and resends does duplicate them.</summary>
    public DuplicateRequestCacheOptions? TcpDuplicateRequestCache { get; init; }

    /// <summary>
    /// A duplicate request cache shared with the other servers of a fleet (NetRpc.DuplicateRequests.Redis): a call
    /// retransmitted to another server after a failover is not run again there. When set, it serves TCP and UDP alike, in
    /// place of <see cref="UdpDuplicateRequestCache"/> and <see cref="TcpDuplicateRequestCache"/>, and a call is known by
    /// its client's address without the port and its credential, whatever connection and server it comes to (see
    /// <see cref="DuplicateRequests.DuplicateRequestCall"/>). Each call that reaches a handler costs one round trip to the
    /// store before it runs; when the store cannot answer, the program's
    /// <see cref="RpcProgram.DuplicateRequestStoreFailure"/> decides. The server does not own it. Default null.
    /// </summary>
    public DuplicateRequests.DuplicateRequestStore? DuplicateRequestStore { get; init; }

    /// <summary>Credential checks per flavor; AUTH_NONE and AUTH_SYS by default. A call of another flavor is refused with AUTH_ERROR (REJECTEDCRED). Read once, when the server is made.</summary>
    public IReadOnlyList<RpcAuthenticator> Authenticators { get; init; } = [RpcAuthenticator.None, RpcAuthenticator.Sys];

    /// <summary>
    /// RPC-with-TLS (RFC 9289) on the server's TCP and local stream endpoints: a client's AUTH_TLS probe, as the first
    /// call of a connection, is answered STARTTLS and the connection continues in TLS 1.3. Programs decide whether
    /// they may also be called in plain text (<see cref="RpcProgram.RequireTls"/>). Default null: no TLS; the probe
    /// is refused as an unknown flavor (AUTH_ERROR, REJECTEDCRED), as a server without RPC-with-TLS refuses it.
    /// </summary>
    public RpcTlsServerOptions? Tls { get; init; }

    /// <summary>
    /// RPCSEC_GSS with Kerberos v5 (RFC 2203): clients make contexts with the service's keys and call with krb5, krb5i or
    /// krb5p; handlers see a <see cref="Auth.RpcsecGssPrincipal"/>. Default null: the flavor is refused (AUTH_ERROR,
    /// REJECTEDCRED), as a server without it refuses it.
    /// </summary>
    public Auth.RpcsecGssServerOptions? RpcsecGss { get; init; }

    /// <summary>
    /// How long a thread waiting for the next call polls for it, yielding the CPU between polls, before it sleeps in the
    /// kernel. Waking a sleeping thread costs the sender a wake-up, which on virtual machines costs more than
    /// the spin; a spin that finds the next call saves it. Only right after serving calls, and not while spins find
    /// nothing (after four empty spins in a row, only every eighth wait spins, until one finds a call). Default 20
    /// microseconds; <see cref="TimeSpan.Zero"/> sleeps at once.
    /// </summary>
    public TimeSpan SpinBeforeSleep { get; init; } = TimeSpan.FromMicroseconds(20);

    /// <summary>
    /// What runs around every call that reaches a procedure, in order: the first is the outermost (see
    /// <see cref="RpcServerInterceptor"/>). Read once, when the server is made. Default none.
    /// </summary>
    public IReadOnlyList<RpcServerInterceptor> Interceptors { get; init; } = [];

    /// <summary>Where logs go; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where metrics are created (the <c>NetRpc.Server</c> meter); a process-wide meter by default.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>
    /// Serve each TCP connection on a thread of its own, as on systems without epoll (tests run both designs). The
    /// default is false unless the environment variable <c>NETRPC_SERVER_DESIGN</c> is <c>threads</c> when the runtime
    /// first reads it: a testing switch that puts every server of the process on the design Windows and macOS take.
    /// </summary>
    internal bool ThreadPerConnection { get; init; } = ThreadsByDefault;

    /// <summary>Whether <c>NETRPC_SERVER_DESIGN=threads</c> was set when the runtime first looked (read once per process).</summary>
    internal static bool ThreadsByDefault { get; } =
        string.Equals(Environment.GetEnvironmentVariable("NETRPC_SERVER_DESIGN"), "threads", StringComparison.OrdinalIgnoreCase);

    /// <summary>The per-address connection cap in force.</summary>
    internal int ConnectionsPerAddress => Math.Max(1, MaxConnectionsPerAddress ?? MaxConnections / 4);
}

/// <summary>
/// A server's RPC-with-TLS settings (RFC 9289). UDP has none: RFC 9289 leaves DTLS optional and NetRpc does not offer
/// it, so a program that requires TLS refuses its UDP callers (AUTH_ERROR, AUTH_TOOWEAK).
/// </summary>
public sealed record RpcTlsServerOptions
{
    /// <summary>
    /// The TLS settings: the server's certificate (<see cref="SslServerAuthenticationOptions.ServerCertificate"/> or
    /// <see cref="SslServerAuthenticationOptions.ServerCertificateContext"/>), and for mutual TLS
    /// <see cref="SslServerAuthenticationOptions.ClientCertificateRequired"/> with how client certificates are checked
    /// (<see cref="SslServerAuthenticationOptions.CertificateChainPolicy"/> or
    /// <see cref="SslServerAuthenticationOptions.RemoteCertificateValidationCallback"/>). TLS 1.3 and the ALPN identifier
    /// "sunrpc" are used where these leave them unset.
    /// </summary>
    public required SslServerAuthenticationOptions Authentication { get; init; }

    /// <summary>
    /// Who a client certificate stands for: a uid, gid and gids that handlers then see as the caller's
    /// (<see cref="RpcCallContext.AuthSys"/> and <see cref="RpcCallContext.Principal"/>) for every AUTH_NONE and AUTH_SYS
    /// call on the connection, whatever uid the AUTH_SYS credential claims, as FreeBSD's server maps a certificate to a
    /// user. Null (the default), or a null result, leaves the calls' own credentials in force.
    /// </summary>
    public Func<X509Certificate2, AuthSysParameters?>? MapClientCertificate { get; init; }

    /// <summary>How long the TLS handshake may take after STARTTLS is answered; a connection that takes longer is closed. Default 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What makes the handshakes: made with these settings alone, so that a server without TLS never makes one (see <see cref="Transports.TlsEngine"/>).</summary>
    internal Transports.TlsEngine Engine { get; } = Transports.SslStreamTls.Instance;
}

/// <summary>
/// Bounds of a duplicate request cache. It keeps the replies of finished calls that reached a handler (never NULL's, nor
/// refusals), keyed by XID, program, version, procedure, a checksum of the arguments and the caller: its address (UDP:
/// with the port; TCP: without, since a reconnecting client comes from a new one) and its credential (AUTH_SYS: machine
/// name, uid, gid and gids), so that a reply is only ever served to the caller it answered. Entries of calls still running
/// are never evicted; past a bound, the source (address and credential) holding the most loses its least recently used
/// entry, so one source cannot push out another's.
/// </summary>
public sealed record DuplicateRequestCacheOptions
{
    /// <summary>Most calls remembered. Default 16384.</summary>
    public int MaxEntries { get; init; } = 16384;

    /// <summary>Most bytes of replies held. Default 32 MiB.</summary>
    public long MaxBytes { get; init; } = 32L << 20;

    /// <summary>
    /// A file that keeps the cache across restarts: every call is written down before it runs and every reply
    /// before it is sent, so a server started again after a crash (even SIGKILL) answers retransmissions with
    /// the replies it sent, and answers SYSTEM_ERR to a call that was running when it died rather than run it
    /// twice. Created when absent; locked while the server runs; rewritten when it grows past twice the cache.
    /// Written to the kernel, not flushed to disk: it survives the process, not the machine. Costs two
    /// write(2) calls per call. It fails closed: records are checksummed and each names the calls of the eight before
    /// it, so damage between intact records costs no call (those it destroyed are answered SYSTEM_ERR), and a file
    /// that is empty, foreign, cut short or damaged beyond what the records name makes the server refuse to start with
    /// <see cref="DuplicateRequestJournalException"/>, as does a path that cannot be opened for writing. Default none
    /// (the cache dies with the process, as libtirpc's and knfsd's do).
    /// </summary>
    public string? JournalPath { get; init; }
}
