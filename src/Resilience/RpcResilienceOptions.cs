using NetRpc.Runtime.Client;

namespace NetRpc.Resilience;

/// <summary>
/// Which of a client's procedures may be retried: those that do the same whether they run once or twice. NULL
/// (procedure 0) always may; any other only when listed here or picked by <see cref="IsIdempotent"/>. A retry is a new
/// call with a new XID, which a server's duplicate request cache does not recognize as the first one again: a
/// procedure that creates, appends, removes or counts would run twice. Read once, when the interceptor is made.
/// </summary>
public sealed class RpcResilienceOptions
{
    /// <summary>Procedure numbers that may be retried, of the program the client calls (e.g. NFSv3's GETATTR, 1, and READ, 6).</summary>
    public ISet<uint> IdempotentProcedures { get; } = new HashSet<uint>();

    /// <summary>
    /// Procedure names that may be retried, matched against <see cref="RpcClientCallContext.ProcedureName"/> (so the client's
    /// <see cref="RpcClientOptions.ProcedureNames"/> must name them), case-sensitively.
    /// </summary>
    public ISet<string> IdempotentProcedureNames { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Decides for the calls the lists do not name, seeing the whole call (program, version, credential), for an
    /// interceptor shared between clients of different programs. Null: no others.
    /// </summary>
    public Func<RpcClientCallContext, bool>? IsIdempotent { get; set; }
}
