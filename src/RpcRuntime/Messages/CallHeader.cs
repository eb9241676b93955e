using NetRpc.Xdr;

namespace NetRpc.Runtime.Messages;

/// <summary>
/// The header of a call message (RFC 5531 section 9): <c>xid, CALL, rpcvers, prog, vers, proc, cred, verf</c>;
/// the procedure's arguments follow it.
/// </summary>
/// <param name="Xid">The transaction id: matches the reply and marks retransmissions.</param>
/// <param name="Program">The program number.</param>
/// <param name="Version">The program version.</param>
/// <param name="Procedure">The procedure number.</param>
/// <param name="Credential">The caller's credential.</param>
/// <param name="Verifier">The caller's verifier.</param>
public readonly record struct CallHeader(uint Xid, uint Program, uint Version, uint Procedure, OpaqueAuth Credential, OpaqueAuth Verifier)
{
    /// <summary>The only RPC protocol version (RFC 5531 section 8).</summary>
    public const uint RpcVersion = 2;

    /// <summary>Writes the header; the arguments are written after it.</summary>
    /// <param name="writer">The writer.</param>
    public void Encode(ref XdrWriter writer)
    {
        writer.WriteUInt32(Xid);
        writer.WriteEnum((int)MessageType.Call);
        writer.WriteUInt32(RpcVersion);
        writer.WriteUInt32(Program);
        writer.WriteUInt32(Version);
        writer.WriteUInt32(Procedure);
        Credential.Encode(ref writer);
        Verifier.Encode(ref writer);
    }

    /// <summary>
    /// Reads a call header as a server must: it fails softly, saying how far it got, so that the server can
    /// answer whenever it has an XID (RPC_MISMATCH for another RPC version, AUTH_ERROR for a bad credential)
    /// rather than drop the call.
    /// </summary>
    /// <param name="reader">The reader, positioned at the start of the message.</param>
    /// <param name="header">The header, as far as it was read (<see cref="Xid"/> is valid unless the result is <see cref="CallDecodeResult.Malformed"/>).</param>
    /// <returns>What the server should do with the message.</returns>
    public static CallDecodeResult TryDecode(ref XdrReader reader, out CallHeader header)
    {
        header = default;
        if (reader.Remaining < 8)
        {
            return CallDecodeResult.Malformed;
        }

        uint xid = reader.ReadUInt32();
        header = header with { Xid = xid };
        try
        {
            if (reader.ReadEnum() != (int)MessageType.Call)
            {
                return CallDecodeResult.NotACall;
            }

            if (reader.ReadUInt32() != RpcVersion)
            {
                return CallDecodeResult.WrongRpcVersion;
            }

            header = header with { Program = reader.ReadUInt32(), Version = reader.ReadUInt32(), Procedure = reader.ReadUInt32() };
        }
        catch (XdrException)
        {
            return CallDecodeResult.Malformed;
        }

        try
        {
            OpaqueAuth credential = OpaqueAuth.Decode(ref reader);
            OpaqueAuth verifier = OpaqueAuth.Decode(ref reader);
            header = header with { Credential = credential, Verifier = verifier };
            return CallDecodeResult.Ok;
        }
        catch (XdrException)
        {
            // A credential or verifier over 400 bytes, or cut short: the caller is told BADCRED.
            return CallDecodeResult.BadCredential;
        }
    }
}

/// <summary>How far a call header could be read (see <see cref="CallHeader.TryDecode"/>).</summary>
public enum CallDecodeResult
{
    /// <summary>The header is complete; the arguments follow.</summary>
    Ok,

    /// <summary>Too short even for an XID and a message type: nothing can be answered.</summary>
    Malformed,

    /// <summary>A reply, or an unknown message type, where a call was expected.</summary>
    NotACall,

    /// <summary>An RPC version other than 2: answer RPC_MISMATCH (2, 2).</summary>
    WrongRpcVersion,

    /// <summary>The program, version and procedure were read but the credential or verifier is invalid: answer AUTH_ERROR (BADCRED).</summary>
    BadCredential,
}
