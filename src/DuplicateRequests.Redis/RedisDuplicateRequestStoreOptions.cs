namespace NetRpc.DuplicateRequests.Redis;

/// <summary>How a fleet shares its duplicate request cache in Redis. Every server of one fleet must use the same <see cref="KeyPrefix"/>.</summary>
public sealed record RedisDuplicateRequestStoreOptions
{
    /// <summary>The configuration section <see cref="RedisDuplicateRequestStoreServiceCollectionExtensions.AddRedisDuplicateRequestStore"/> reads by default.</summary>
    public const string DefaultSectionName = "NetRpc:Server:DuplicateRequestStore:Redis";

    /// <summary>
    /// Where the store is, in StackExchange.Redis's configuration syntax (<c>"redis1:6379,redis2:6379,password=..."</c>,
    /// or a Unix socket path). Used when the store makes its own connection; ignored when it is given one.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>The start of every key the fleet writes: one fleet, one prefix. Default <c>"netrpc:drc:"</c>.</summary>
    public string KeyPrefix { get; set; } = "netrpc:drc:";

    /// <summary>
    /// How long an answered call's reply is kept for its retransmissions: longer than a client goes on retransmitting
    /// (a hard-mounted NFS client retries for minutes). Past it, a retransmission runs the call again. Default 15 minutes.
    /// </summary>
    public TimeSpan ReplyLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a record of a running call is kept when nobody settles it: longer than any handler runs. While it is
    /// kept, retransmissions are dropped (its server is alive) or refused (its server died); past it, they run the call again. Default 1 hour.
    /// </summary>
    public TimeSpan RunningLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a server counts as alive after it last said so (every third of this, and with every call it records).
    /// A call found running on a server silent for longer is taken for interrupted: refused SYSTEM_ERR, never run again.
    /// Shorter makes a crash known sooner; too short takes a server paused (by a garbage collection, say) for dead, whose
    /// calls' retransmissions are then refused although they run. Default 10 seconds.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest reply kept; a call with a larger one is forgotten, so a retransmission runs it again (as a server's own cache does past its byte bound). Default 1 MiB.</summary>
    public int MaxReplyBytes { get; set; } = 1 << 20;

    /// <summary>The Redis database number; -1 for the connection's default.</summary>
    public int Database { get; set; } = -1;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new ArgumentException("A key prefix names the fleet's keys; it cannot be empty.", nameof(KeyPrefix));
        }

        if (ReplyLifetime <= TimeSpan.Zero || RunningLifetime <= TimeSpan.Zero || LeaseTime < TimeSpan.FromMilliseconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseTime), "ReplyLifetime and RunningLifetime must be positive, and LeaseTime at least 30 ms.");
        }

        if (MaxReplyBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReplyBytes), MaxReplyBytes, "A size cannot be negative.");
        }
    }
}
