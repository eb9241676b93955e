using NetRpc.Runtime.Auth;

namespace NetRpc.Runtime.Client;

/// <summary>
/// What one call does differently from its client's <see cref="RpcClientOptions"/>: its own deadline or timeout (as
/// libtirpc's clnt_call takes a timeout per call), its own credential (as a C program swaps cl_auth between calls).
/// </summary>
public sealed record RpcCallOptions
{
    /// <summary>How long the call may take, from when it is made; null means the client's <see cref="RpcClientOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>When the call must be over; an earlier <see cref="Timeout"/> wins. Null means none of its own.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The credential sent with this call; null means the client's <see cref="RpcClientOptions.Credential"/>.</summary>
    public RpcCredential? Credential { get; init; }

    /// <summary>The time the call may take, from now, for a client whose default is <paramref name="fallback"/>.</summary>
    internal TimeSpan TimeoutFrom(TimeSpan fallback)
    {
        TimeSpan timeout = Timeout ?? fallback;
        if (Deadline is { } deadline)
        {
            TimeSpan left = deadline - DateTimeOffset.UtcNow;
            timeout = left < timeout ? (left < TimeSpan.Zero ? TimeSpan.Zero : left) : timeout;
        }

        return timeout;
    }
}
