using NetRpc.Xdr;

namespace NetRpc.Runtime.Messages;

/// <summary>
/// The header of a reply message (RFC 5531 section 9). An accepted reply carries a verifier and an
/// <see cref="AcceptStatus"/> (with the supported version range for PROG_MISMATCH); a denied one carries a
/// <see cref="RejectStatus"/> with the RPC version range or an <see cref="AuthStatus"/>. The results of a
/// successful call follow the header.
/// </summary>
/// <param name="Xid">The XID of the call answered.</param>
/// <param name="Status">Accepted or denied.</param>
/// <param name="Verifier">The server's verifier (accepted replies only).</param>
/// <param name="Accept">The accept status (accepted replies only).</param>
/// <param name="Reject">The reject status (denied replies only).</param>
/// <param name="Auth">The auth status (AUTH_ERROR only).</param>
/// <param name="Low">The lowest supported version (PROG_MISMATCH and RPC_MISMATCH).</param>
/// <param name="High">The highest supported version (PROG_MISMATCH and RPC_MISMATCH).</param>
public readonly record struct ReplyHeader(
    uint Xid, ReplyStatus Status, OpaqueAuth Verifier, AcceptStatus Accept, RejectStatus Reject, AuthStatus Auth, uint Low, uint High)
{
    /// <summary>An accepted reply.</summary>
    /// <param name="xid">The call's XID.</param>
    /// <param name="status">The accept status.</param>
    /// <param name="low">For PROG_MISMATCH, the lowest version served.</param>
    /// <param name="high">For PROG_MISMATCH, the highest version served.</param>
    /// <returns>The header.</returns>
    public static ReplyHeader Accepted(uint xid, AcceptStatus status, uint low = 0, uint high = 0) =>
        new(xid, ReplyStatus.Accepted, OpaqueAuth.None, status, default, default, low, high);

    /// <summary>A denied reply: RPC_MISMATCH with the supported range.</summary>
    /// <param name="xid">The call's XID.</param>
    /// <returns>The header.</returns>
    public static ReplyHeader RpcMismatch(uint xid) =>
        new(xid, ReplyStatus.Denied, OpaqueAuth.None, default, RejectStatus.RpcMismatch, default, CallHeader.RpcVersion, CallHeader.RpcVersion);

    /// <summary>A denied reply: AUTH_ERROR with its reason.</summary>
    /// <param name="xid">The call's XID.</param>
    /// <param name="status">Why authentication failed.</param>
    /// <returns>The header.</returns>
    public static ReplyHeader AuthError(uint xid, AuthStatus status) =>
        new(xid, ReplyStatus.Denied, OpaqueAuth.None, default, RejectStatus.AuthError, status, 0, 0);

    /// <summary>Writes the header; a successful reply's results are written after it.</summary>
    /// <param name="writer">The writer.</param>
    public void Encode(ref XdrWriter writer)
    {
        writer.WriteUInt32(Xid);
        writer.WriteEnum((int)MessageType.Reply);
        writer.WriteEnum((int)Status);
        if (Status == ReplyStatus.Accepted)
        {
            Verifier.Encode(ref writer);
            writer.WriteEnum((int)Accept);
            if (Accept == AcceptStatus.ProgramMismatch)
            {
                writer.WriteUInt32(Low);
                writer.WriteUInt32(High);
            }
        }
        else if (Reject == RejectStatus.RpcMismatch)
        {
            writer.WriteEnum((int)Reject);
            writer.WriteUInt32(Low);
            writer.WriteUInt32(High);
        }
        else
        {
            writer.WriteEnum((int)Reject);
            writer.WriteEnum((int)Auth);
        }
    }

    /// <summary>Reads the XID and checks the message is a reply; the rest is read by <see cref="DecodeBody"/>.</summary>
    /// <param name="reader">The reader, at the start of the message.</param>
    /// <param name="xid">The XID.</param>
    /// <returns>True for a reply; false for a call or an unknown message type.</returns>
    /// <exception cref="XdrException">Fewer than 8 bytes.</exception>
    public static bool TryReadStart(ref XdrReader reader, out uint xid)
    {
        xid = reader.ReadUInt32();
        return reader.ReadEnum() == (int)MessageType.Reply;
    }

    /// <summary>Reads the rest of a reply header, after <see cref="TryReadStart"/>.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="xid">The XID already read.</param>
    /// <returns>The header; for SUCCESS the reader is left at the results.</returns>
    /// <exception cref="XdrException">Malformed, including unknown status values.</exception>
    public static ReplyHeader DecodeBody(ref XdrReader reader, uint xid)
    {
        int status = reader.ReadEnum();
        switch (status)
        {
            case (int)ReplyStatus.Accepted:
            {
                OpaqueAuth verifier = OpaqueAuth.Decode(ref reader);
                int accept = reader.ReadEnum();
                if (accept is < (int)AcceptStatus.Success or > (int)AcceptStatus.SystemError)
                {
                    throw reader.InvalidEnumValue("accept_stat", accept);
                }

                uint low = 0;
                uint high = 0;
                if (accept == (int)AcceptStatus.ProgramMismatch)
                {
                    low = reader.ReadUInt32();
                    high = reader.ReadUInt32();
                }

                return new ReplyHeader(xid, ReplyStatus.Accepted, verifier, (AcceptStatus)accept, default, default, low, high);
            }

            case (int)ReplyStatus.Denied:
            {
                int reject = reader.ReadEnum();
                switch (reject)
                {
                    case (int)RejectStatus.RpcMismatch:
                        uint low = reader.ReadUInt32();
                        uint high = reader.ReadUInt32();
                        return new ReplyHeader(xid, ReplyStatus.Denied, OpaqueAuth.None, default, RejectStatus.RpcMismatch, default, low, high);
                    case (int)RejectStatus.AuthError:
                        // Unknown auth_stat values are kept: flavors beyond RFC 5531 define their own.
                        return new ReplyHeader(xid, ReplyStatus.Denied, OpaqueAuth.None, default, RejectStatus.AuthError, (AuthStatus)reader.ReadEnum(), 0, 0);
                    default:
                        throw reader.InvalidEnumValue("reject_stat", reject);
                }
            }

            default:
                throw reader.InvalidEnumValue("reply_stat", status);
        }
    }
}
