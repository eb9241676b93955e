using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.DuplicateRequests;

/// <summary>
/// Who calls, as every server of a fleet sees it (<see cref="DuplicateRequestCall.Caller"/>): the client's IP address
/// without the port, then its credential. An IPv4 address seen as IPv4-mapped IPv6 (a dual-stack socket) is written as
/// IPv4, so a client is the same over either. The credential is the flavor and body without AUTH_SYS's stamp (as the
/// local cache takes it), except RPCSEC_GSS, whose context handle is the server's own (a client that fails over makes a
/// new context): there it is the principal the server authenticated.
/// </summary>
internal static class FleetCaller
{
    /// <summary>The most bytes: an address with its length, a flavor, and a credential body or principal.</summary>
    public const int MaxSize = 1 + 16 + 4 + OpaqueAuth.MaxBodyLength;

    /// <summary>Writes the caller.</summary>
    /// <param name="source">The client's IP address bytes (4 or 16; anything else is taken as it is, up to 16 bytes).</param>
    /// <param name="credential">The call's credential.</param>
    /// <param name="principal">For RPCSEC_GSS, the authenticated principal; null otherwise.</param>
    /// <param name="destination">At least <see cref="MaxSize"/> bytes.</param>
    /// <returns>How many bytes were written.</returns>
    public static int Write(ReadOnlySpan<byte> source, in OpaqueAuth credential, string? principal, Span<byte> destination)
    {
        if (source.Length == 16 && source[..10].IndexOfAnyExcept((byte)0) < 0 && source[10] == 0xFF && source[11] == 0xFF)
        {
            source = source[12..];
        }

        source = source[..Math.Min(source.Length, 16)];
        destination[0] = (byte)source.Length;
        source.CopyTo(destination[1..]);
        int written = 1 + source.Length;
        if (principal is null)
        {
            return written + DuplicateRequestCache.WriteCredential(credential, destination[written..]);
        }

        BinaryPrimitives.WriteInt32BigEndian(destination[written..], (int)AuthFlavor.RpcsecGss);
        written += 4;
        Span<byte> name = destination.Slice(written, OpaqueAuth.MaxBodyLength);
        if (Encoding.UTF8.GetByteCount(principal) <= name.Length)
        {
            return written + Encoding.UTF8.GetBytes(principal, name);
        }

        // A principal too long to hold (no Kerberos name is): its SHA-256, which no client can make collide with another's.
        return written + SHA256.HashData(Encoding.UTF8.GetBytes(principal), name);
    }
}
