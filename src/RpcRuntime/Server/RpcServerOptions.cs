using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Server;

/// <summary>Limits and services of an <see cref="RpcServer"/>.</summary>
public sealed record RpcServerOptions
{
    /// <summary>Most TCP connections open at once; further ones are closed as soon as they are accepted. Default 4096.</summary>
    public int MaxConnections { get; init; } = 4096;

    /// <summary>Largest record (one call) accepted on TCP; a longer one closes its connection. Default 1 MiB.</summary>
    public int MaxRecordSize { get; init; } = 1 << 20;

    /// <summary>A TCP connection with nothing in flight that sends nothing for this long is closed. Default 2 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest UDP datagram received or sent (libtirpc's UDPMSGSIZE, 8800, by default). A reply that does not fit is replaced by SYSTEM_ERR.</summary>
    public int MaxDatagramSize { get; init; } = 8800;

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

    /// <summary>Credential checks per flavor; AUTH_NONE and AUTH_SYS by default. A call of another flavor is refused with AUTH_ERROR (REJECTEDCRED).</summary>
    public IReadOnlyList<RpcAuthenticator> Authenticators { get; init; } = [RpcAuthenticator.None, RpcAuthenticator.Sys];

    /// <summary>
    /// How long a thread waiting for the next call polls for it, yielding the CPU between polls, before it sleeps in the
    /// kernel. Waking a sleeping thread costs the sender a wake-up, which on virtual machines costs more than
    /// the spin; a spin that finds the next call saves it. Only right after serving calls. Default 20 microseconds; <see cref="TimeSpan.Zero"/> sleeps at once.
    /// </summary>
    public TimeSpan SpinBeforeSleep { get; init; } = TimeSpan.FromMicroseconds(20);

    /// <summary>Where logs go; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where metrics are created (the <c>NetRpc.Server</c> meter); a process-wide meter by default.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Serve each TCP connection on a thread of its own, as on systems without epoll (tests run both designs).</summary>
    internal bool ThreadPerConnection { get; init; }

    internal RpcAuthenticator? FindAuthenticator(AuthFlavor flavor)
    {
        foreach (RpcAuthenticator authenticator in Authenticators)
        {
            if (authenticator.Flavor == flavor)
            {
                return authenticator;
            }
        }

        return null;
    }
}

/// <summary>
/// Bounds of a duplicate request cache. It keeps replies of finished calls, keyed by XID, caller address,
/// program, version, procedure and a checksum of the arguments, and evicts the least recently used first.
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
    /// write(2) calls per call. Default none (the cache dies with the process, as libtirpc's and knfsd's do).
    /// </summary>
    public string? JournalPath { get; init; }
}
