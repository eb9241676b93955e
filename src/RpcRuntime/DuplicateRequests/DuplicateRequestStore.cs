using System.Buffers.Binary;
using System.IO.Hashing;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// A duplicate request cache that several servers share (<see cref="Server.RpcServerOptions.DuplicateRequestStore"/>), so a
/// call retransmitted to another server of a fleet (failover, a load balancer) is recognised there: it is not run again,
/// it gets the reply the first server stored, and a call still running on one server is not started on another.
/// NetRpc.DuplicateRequests.Redis implements it on the Redis protocol (Redis, Valkey, Garnet).
/// <para>
/// A server asks <see cref="BeginAsync"/> once for each call that reaches a handler (never for NULL or refusals), and then
/// tells the outcome with <see cref="Complete"/> or <see cref="Abandon"/>, without waiting for them: the reply goes out as
/// soon as it is handed over, so a store costs one round trip per call. When <see cref="BeginAsync"/> throws, the
/// program's <see cref="Server.RpcProgram.DuplicateRequestStoreFailure"/> decides: the call is refused SYSTEM_ERR (the
/// default), or runs without at-most-once.
/// </para>
/// Implementations must be thread-safe, must never answer one caller with another's reply (compare
/// <see cref="DuplicateRequestCall.Identity"/>, not only <see cref="DuplicateRequestCall.Id"/>), and must treat what they
/// read back as hostile: a record that cannot be read, or that belongs to another call, is reported
/// <see cref="DuplicateRequestStatus.Interrupted"/>, so that nothing runs twice and no reply is misdelivered.
/// </summary>
public abstract class DuplicateRequestStore
{
    /// <summary>
    /// Looks a call up and, when no server has recorded it, records it as running on this server, atomically: of two
    /// servers that begin the same call at once, one gets <see cref="DuplicateRequestStatus.New"/>.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Abandons the wait (the server stopping); the record may have been made.</param>
    /// <returns>What to do with the call.</returns>
    public abstract ValueTask<DuplicateRequestLookup> BeginAsync(DuplicateRequestCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the reply of a call that <see cref="BeginAsync"/> found new. Not awaited by the server: an implementation
    /// queues the write and reports its failure through its own log and metrics.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="reply">The reply, from its XID on (without a record mark); only valid during the call.</param>
    public abstract void Complete(DuplicateRequestCall call, ReadOnlySpan<byte> reply);

    /// <summary>
    /// Forgets a call that <see cref="BeginAsync"/> found new and that produced no reply to keep (no reply at all, or a
    /// streamed one), so that a retransmission runs it. Not awaited by the server.
    /// </summary>
    /// <param name="call">The call.</param>
    public abstract void Abandon(DuplicateRequestCall call);
}

/// <summary>What <see cref="DuplicateRequestStore.BeginAsync"/> found.</summary>
public enum DuplicateRequestStatus
{
    /// <summary>No server had recorded it; it is now recorded as running here: run it.</summary>
    New,

    /// <summary>It is running on a server that is alive (this one or another): drop it; its reply is coming, and the client retries.</summary>
    Running,

    /// <summary>It was answered: send the stored reply again.</summary>
    Done,

    /// <summary>
    /// It may have run and its outcome is unknown (the server running it died; the record was damaged or belongs to another
    /// call): answer SYSTEM_ERR rather than run it again. The server then stores that answer with <see cref="DuplicateRequestStore.Complete"/>.
    /// (A call whose <see cref="DuplicateRequestCall.RunAgainIfInterrupted"/> is set, found running on a dead server, is taken
    /// over instead: <see cref="New"/>.)
    /// </summary>
    Interrupted,
}

/// <summary>The answer of <see cref="DuplicateRequestStore.BeginAsync"/>.</summary>
/// <param name="Status">What to do with the call.</param>
/// <param name="Reply">The stored reply, from its XID on, when <paramref name="Status"/> is <see cref="DuplicateRequestStatus.Done"/>.</param>
public readonly record struct DuplicateRequestLookup(DuplicateRequestStatus Status, ReadOnlyMemory<byte> Reply = default)
{
    /// <summary>Not seen before: run it.</summary>
    public static DuplicateRequestLookup New => new(DuplicateRequestStatus.New);

    /// <summary>Running on a live server: drop it.</summary>
    public static DuplicateRequestLookup Running => new(DuplicateRequestStatus.Running);

    /// <summary>Of unknown fate: answer SYSTEM_ERR.</summary>
    public static DuplicateRequestLookup Interrupted => new(DuplicateRequestStatus.Interrupted);

    /// <summary>Answered before: send this reply.</summary>
    /// <param name="reply">The stored reply, from its XID on.</param>
    /// <returns>The lookup.</returns>
    public static DuplicateRequestLookup Done(ReadOnlyMemory<byte> reply) => new(DuplicateRequestStatus.Done, reply);
}

/// <summary>
/// A call as every server of a fleet knows it, whichever transport, connection and server it arrives on: its XID,
/// program, version and procedure, a checksum of its arguments (as Linux knfsd keys its cache), and its caller: the
/// client's IP address without the port (a client that reconnects, or fails over, comes from a new port) and its
/// credential (AUTH_SYS: machine name, uid, gid and gids, not the stamp; RPCSEC_GSS: the authenticated principal, not
/// the context, which is each server's own). See docs/runtime.md, "Fleets", for what an attacker could forge.
/// </summary>
public sealed class DuplicateRequestCall
{
    /// <summary>Bytes of <see cref="Identity"/> before the caller: XID, program, version, procedure, argument length and checksum.</summary>
    public const int HeaderSize = 4 * 5 + 8;

    private readonly byte[] _identity;

    /// <summary>Describes a call.</summary>
    /// <param name="xid">Its transaction id.</param>
    /// <param name="program">Its program number.</param>
    /// <param name="version">Its program version.</param>
    /// <param name="procedure">Its procedure number.</param>
    /// <param name="arguments">Its arguments' bytes (opened, for RPCSEC_GSS integrity and privacy).</param>
    /// <param name="caller">Who calls: the client's address without the port, then its credential's identity.</param>
    public DuplicateRequestCall(uint xid, uint program, uint version, uint procedure, ReadOnlySpan<byte> arguments, ReadOnlySpan<byte> caller)
    {
        _identity = new byte[HeaderSize + caller.Length];
        Span<byte> header = _identity;
        BinaryPrimitives.WriteUInt32BigEndian(header, xid);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], program);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], version);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], procedure);
        BinaryPrimitives.WriteInt32BigEndian(header[16..], arguments.Length);
        BinaryPrimitives.WriteUInt64BigEndian(header[20..], XxHash64.HashToUInt64(arguments));
        caller.CopyTo(header[HeaderSize..]);
        Xid = xid;
        Program = program;
        Version = version;
        Procedure = procedure;
        Id = XxHash128.HashToUInt128(_identity);
    }

    /// <summary>The transaction id.</summary>
    public uint Xid { get; }

    /// <summary>The program number.</summary>
    public uint Program { get; }

    /// <summary>The program version.</summary>
    public uint Version { get; }

    /// <summary>The procedure number.</summary>
    public uint Procedure { get; }

    /// <summary>
    /// Everything that makes the call this call, as bytes: XID, program, version, procedure, argument length and checksum
    /// (big-endian), then the caller. A store keeps it with its record and compares it on lookup.
    /// </summary>
    public ReadOnlySpan<byte> Identity => _identity;

    /// <summary>A 128-bit hash of <see cref="Identity"/>: the record's name in a store. Not a secret, and not proof: compare <see cref="Identity"/>.</summary>
    public UInt128 Id { get; }

    /// <summary>
    /// When the call is found running on a server that died: false (the default), <see cref="DuplicateRequestStore.BeginAsync"/>
    /// says <see cref="DuplicateRequestStatus.Interrupted"/>; true, it records the call as running here instead (of servers
    /// that try at once, one) and says <see cref="DuplicateRequestStatus.New"/>. Set from the program's
    /// <see cref="Server.RpcProgram.InterruptedCalls"/>.
    /// </summary>
    public bool RunAgainIfInterrupted { get; init; }

    /// <summary>The caller part of <see cref="Identity"/>.</summary>
    public ReadOnlySpan<byte> Caller => _identity.AsSpan(HeaderSize);
}
