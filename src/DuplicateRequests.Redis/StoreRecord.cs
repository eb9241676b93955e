using System.Buffers.Binary;

namespace NetRpc.DuplicateRequests.Redis;

/// <summary>
/// A call's record as the store keeps it, one Redis string per call:
/// <code>
///   "NRDC"            4 bytes, so that a foreign value is known as such
///   state             1 byte: 1 running, 2 answered
///   owner             32 bytes: the hex id of the server (its run) that recorded it (the lease's name)
///   identity length   2 bytes, big-endian
///   identity          the call's DuplicateRequestCall.Identity, compared on every lookup
///   reply length      4 bytes, big-endian (answered only)
///   reply             the reply from its XID on (answered only)
/// </code>
/// The state and owner sit at fixed offsets, because the lookup script reads them in Redis. Whatever is read back is
/// checked whole: <see cref="TryRead"/> accepts a record only when every length agrees with the bytes there are.
/// </summary>
internal static class StoreRecord
{
    public const byte Running = 1;
    public const byte Answered = 2;

    /// <summary>Where the owner's id begins (0-based; the script's 1-based offsets are one more).</summary>
    public const int OwnerOffset = 5;

    public const int OwnerLength = 32;

    private const int IdentityOffset = OwnerOffset + OwnerLength + 2;

    private static ReadOnlySpan<byte> Magic => "NRDC"u8;

    /// <summary>The record of a call now running on <paramref name="owner"/>.</summary>
    public static byte[] ForRunning(ReadOnlySpan<byte> owner, ReadOnlySpan<byte> identity) => Write(Running, owner, identity, default);

    /// <summary>The record of an answered call.</summary>
    public static byte[] ForAnswered(ReadOnlySpan<byte> owner, ReadOnlySpan<byte> identity, ReadOnlySpan<byte> reply) => Write(Answered, owner, identity, reply);

    /// <summary>Reads a record; false for anything that is not a whole record of this format.</summary>
    /// <param name="record">The bytes read back.</param>
    /// <param name="state"><see cref="Running"/> or <see cref="Answered"/>.</param>
    /// <param name="owner">The server that recorded it.</param>
    /// <param name="identity">The call it belongs to.</param>
    /// <param name="reply">The reply (answered only).</param>
    /// <returns>Whether it is a record.</returns>
    public static bool TryRead(ReadOnlyMemory<byte> record, out byte state, out ReadOnlyMemory<byte> owner, out ReadOnlyMemory<byte> identity, out ReadOnlyMemory<byte> reply)
    {
        state = 0;
        owner = identity = reply = default;
        ReadOnlySpan<byte> bytes = record.Span;
        if (bytes.Length < IdentityOffset || !bytes[..4].SequenceEqual(Magic) || bytes[4] is not (Running or Answered))
        {
            return false;
        }

        int identityLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[(IdentityOffset - 2)..]);
        int afterIdentity = IdentityOffset + identityLength;
        if (bytes.Length < afterIdentity)
        {
            return false;
        }

        if (bytes[4] == Running)
        {
            if (bytes.Length != afterIdentity)
            {
                return false;
            }
        }
        else
        {
            if (bytes.Length < afterIdentity + 4 || BinaryPrimitives.ReadUInt32BigEndian(bytes[afterIdentity..]) != (uint)(bytes.Length - afterIdentity - 4))
            {
                return false;
            }

            reply = record[(afterIdentity + 4)..];
        }

        state = bytes[4];
        owner = record.Slice(OwnerOffset, OwnerLength);
        identity = record[IdentityOffset..afterIdentity];
        return true;
    }

    /// <summary>
    /// What a record read back under a call's key says of that call. Anything that is not a whole record of this format is
    /// <see cref="RecordVerdict.Damaged"/>, and a record of another call (a hash collision, or a forgery) is
    /// <see cref="RecordVerdict.Foreign"/>: the store answers both as interrupted, so a hostile value never runs a call
    /// twice nor delivers another call's reply.
    /// </summary>
    /// <param name="record">The bytes read back.</param>
    /// <param name="identity">The call's identity.</param>
    /// <param name="self">This server's owner id.</param>
    /// <param name="owner">The server that recorded it (running records).</param>
    /// <param name="reply">The reply (answered records).</param>
    /// <returns>The verdict.</returns>
    public static RecordVerdict Classify(ReadOnlyMemory<byte> record, ReadOnlySpan<byte> identity, ReadOnlySpan<byte> self, out ReadOnlyMemory<byte> owner, out ReadOnlyMemory<byte> reply)
    {
        if (!TryRead(record, out byte state, out owner, out ReadOnlyMemory<byte> recorded, out reply))
        {
            return RecordVerdict.Damaged;
        }

        if (!recorded.Span.SequenceEqual(identity))
        {
            return RecordVerdict.Foreign;
        }

        return state == Answered ? RecordVerdict.Answered : owner.Span.SequenceEqual(self) ? RecordVerdict.RunningHere : RecordVerdict.RunningElsewhere;
    }

    private static byte[] Write(byte state, ReadOnlySpan<byte> owner, ReadOnlySpan<byte> identity, ReadOnlySpan<byte> reply)
    {
        if (owner.Length != OwnerLength || identity.Length > ushort.MaxValue)
        {
            throw new ArgumentException("An owner id is 32 hex digits, and an identity at most 65535 bytes.");
        }

        int length = IdentityOffset + identity.Length + (state == Answered ? 4 + reply.Length : 0);
        byte[] record = new byte[length];
        Span<byte> span = record;
        Magic.CopyTo(span);
        span[4] = state;
        owner.CopyTo(span[OwnerOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(IdentityOffset - 2)..], (ushort)identity.Length);
        identity.CopyTo(span[IdentityOffset..]);
        if (state == Answered)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[(IdentityOffset + identity.Length)..], (uint)reply.Length);
            reply.CopyTo(span[(IdentityOffset + identity.Length + 4)..]);
        }

        return record;
    }
}

/// <summary>What <see cref="StoreRecord.Classify"/> found.</summary>
internal enum RecordVerdict
{
    /// <summary>The call was answered; the reply is there.</summary>
    Answered,

    /// <summary>The call runs on this server.</summary>
    RunningHere,

    /// <summary>The call runs, or ran, on another server: alive or dead, its lease says.</summary>
    RunningElsewhere,

    /// <summary>Not a whole record of this format.</summary>
    Damaged,

    /// <summary>A record of another call.</summary>
    Foreign,
}
