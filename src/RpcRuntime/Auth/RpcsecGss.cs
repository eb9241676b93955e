using System.Buffers.Binary;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Auth;

/// <summary>RPCSEC_GSS's control procedures (RFC 2203 section 5: <c>rpc_gss_proc_t</c>).</summary>
internal enum GssProcedure : uint
{
    /// <summary>RPCSEC_GSS_DATA: a call of the program.</summary>
    Data = 0,

    /// <summary>RPCSEC_GSS_INIT: the first token of a context.</summary>
    Init = 1,

    /// <summary>RPCSEC_GSS_CONTINUE_INIT: a further token of a context.</summary>
    ContinueInit = 2,

    /// <summary>RPCSEC_GSS_DESTROY: the end of a context.</summary>
    Destroy = 3,
}

/// <summary>How a context's calls are protected (RFC 2203 section 5: <c>rpc_gss_service_t</c>): krb5, krb5i, krb5p with Kerberos.</summary>
public enum RpcsecGssService : uint
{
    /// <summary>Authentication alone: the header's verifier.</summary>
    None = 1,

    /// <summary>Arguments and results checksummed (krb5i).</summary>
    Integrity = 2,

    /// <summary>Arguments and results encrypted (krb5p).</summary>
    Privacy = 3,
}

/// <summary>
/// The credential of RPCSEC_GSS version 1 (RFC 2203 section 5): <c>rpc_gss_cred_t</c>, a version and then
/// <c>rpc_gss_cred_vers_1_t</c> (control procedure, sequence number, service, context handle).
/// </summary>
internal readonly record struct GssCredential(GssProcedure Procedure, uint Sequence, RpcsecGssService Service, ReadOnlyMemory<byte> Handle)
{
    /// <summary>RPCSEC_GSS_VERS_1.</summary>
    public const uint Version1 = 1;

    /// <summary>MAXSEQ: a sequence number at or past it is a context problem (RFC 2203 section 5.3.3.1).</summary>
    public const uint MaxSequence = 0x8000_0000;

    /// <summary>The largest context handle taken: handles are a server's own short tokens (Linux and libtirpc use 4 to 16 bytes).</summary>
    public const int MaxHandleLength = 64;

    /// <summary>
    /// Reads a credential's body. Strict: version 1, a known procedure and service, a handle of at most
    /// <see cref="MaxHandleLength"/> bytes, and nothing after it. False for anything else (the server's AUTH_BADCRED).
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> body, out GssCredential credential)
    {
        credential = default;
        ReadOnlySpan<byte> span = body.Span;
        if (span.Length < 20 || BinaryPrimitives.ReadUInt32BigEndian(span) != Version1)
        {
            return false;
        }

        uint procedure = BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(span[8..]);
        uint service = BinaryPrimitives.ReadUInt32BigEndian(span[12..]);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(span[16..]);
        if (procedure > (uint)GssProcedure.Destroy || service is < (uint)RpcsecGssService.None or > (uint)RpcsecGssService.Privacy
            || length > MaxHandleLength || span.Length != 20 + ((length + 3) & ~3u))
        {
            return false;
        }

        for (int i = 20 + (int)length; i < span.Length; i++)
        {
            if (span[i] != 0)
            {
                return false; // XDR padding is zeros
            }
        }

        credential = new GssCredential((GssProcedure)procedure, sequence, (RpcsecGssService)service, body.Slice(20, (int)length));
        return true;
    }

    /// <summary>The credential as a call carries it (flavor RPCSEC_GSS).</summary>
    public OpaqueAuth ToOpaqueAuth()
    {
        int length = Handle.Length;
        byte[] body = new byte[20 + ((length + 3) & ~3)];
        BinaryPrimitives.WriteUInt32BigEndian(body, Version1);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), (uint)Procedure);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), (uint)Service);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), (uint)length);
        Handle.Span.CopyTo(body.AsSpan(20));
        return new OpaqueAuth(AuthFlavor.RpcsecGss, body);
    }
}

/// <summary>
/// A server's sequence window for one RPCSEC_GSS context (RFC 2203 section 5.3.3.1): it accepts each sequence number
/// once, as long as it is within <see cref="Size"/> of the highest seen. A number seen before (a replay, or a
/// retransmission the client should have numbered anew) or below the window is to be dropped without a reply.
/// Thread-safe.
/// </summary>
internal sealed class GssSequenceWindow
{
    private readonly object _lock = new();
    private readonly ulong[] _seen;
    private uint _highest;
    private bool _any;

    /// <param name="size">The window the server announces in its context creation reply (seq_window); a multiple of 64.</param>
    public GssSequenceWindow(uint size)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        if (size % 64 != 0 || size > 1 << 16)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a multiple of 64, at most 65536");
        }

        Size = size;
        _seen = new ulong[size / 64];
    }

    /// <summary>The window, in sequence numbers.</summary>
    public uint Size { get; }

    /// <summary>Takes <paramref name="sequence"/> if it is new and within the window.</summary>
    /// <returns>False for a number seen before or below the window: the call is dropped.</returns>
    public bool TryAccept(uint sequence)
    {
        lock (_lock)
        {
            if (!_any || sequence > _highest)
            {
                // Forward: the numbers the window moves past are forgotten; a jump past the whole window forgets all.
                uint advance = _any ? sequence - _highest : Size;
                if (advance >= Size)
                {
                    Array.Clear(_seen);
                }
                else
                {
                    for (uint s = _highest + 1; s != sequence; s++)
                    {
                        Clear(s);
                    }
                }

                _highest = sequence;
                _any = true;
                Mark(sequence);
                return true;
            }

            if (_highest - sequence >= Size || IsMarked(sequence))
            {
                return false;
            }

            Mark(sequence);
            return true;
        }
    }

    private void Mark(uint sequence) => _seen[(sequence % Size) / 64] |= 1UL << (int)(sequence % 64);

    private void Clear(uint sequence) => _seen[(sequence % Size) / 64] &= ~(1UL << (int)(sequence % 64));

    private bool IsMarked(uint sequence) => (_seen[(sequence % Size) / 64] & (1UL << (int)(sequence % 64))) != 0;
}
