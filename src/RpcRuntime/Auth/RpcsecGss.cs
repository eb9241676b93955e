using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

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

    /// <summary>The body's length on the wire: 20 bytes and the handle, padded.</summary>
    private int BodyLength => 20 + ((Handle.Length + 3) & ~3);

    /// <summary>Writes the credential as a call carries it (an opaque_auth of flavor RPCSEC_GSS), allocating nothing.</summary>
    public void Write(ref XdrWriter writer)
    {
        writer.WriteUInt32((uint)AuthFlavor.RpcsecGss);
        writer.WriteUInt32((uint)BodyLength);
        WriteBody(ref writer);
    }

    /// <summary>The credential as a call carries it (flavor RPCSEC_GSS).</summary>
    public OpaqueAuth ToOpaqueAuth()
    {
        var body = new ArrayBufferWriter<byte>(BodyLength);
        var writer = new XdrWriter(body);
        WriteBody(ref writer);
        writer.Flush();
        return new OpaqueAuth(AuthFlavor.RpcsecGss, body.WrittenMemory);
    }

    /// <summary>rpc_gss_cred_t: the version, then rpc_gss_cred_vers_1_t.</summary>
    private void WriteBody(ref XdrWriter writer)
    {
        writer.WriteUInt32(Version1);
        writer.WriteUInt32((uint)Procedure);
        writer.WriteUInt32(Sequence);
        writer.WriteUInt32((uint)Service);
        writer.WriteOpaque(Handle.Span);
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

/// <summary>
/// The GSS tokens of RPCSEC_GSS (RFC 2203 section 5.3), made and checked in the message buffers themselves: a
/// header's MIC as its verifier, a body checksummed (rpc_gss_integ_data) or encrypted (rpc_gss_priv_data) where it was
/// written, and opened in the buffer it arrived in. Client and server share them. The caller holds the context's lock.
/// </summary>
internal static class GssTokens
{
    // MICs are a few dozen bytes: made in a buffer each thread keeps, then copied where they go.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>The MIC of <paramref name="data"/>.</summary>
    public static byte[] Mic(NegotiateAuthentication context, ReadOnlySpan<byte> data) => MicSpan(context, data).ToArray();

    /// <summary>Appends to <paramref name="output"/> the verifier of the header written from <paramref name="headerStart"/>: an opaque_auth of flavor RPCSEC_GSS holding its MIC.</summary>
    public static void Verifier(PooledBufferWriter output, NegotiateAuthentication context, int headerStart)
    {
        ReadOnlySpan<byte> mic = MicSpan(context, output.WrittenSpan[headerStart..]);
        var writer = new XdrWriter(output);
        writer.WriteUInt32((uint)AuthFlavor.RpcsecGss);
        writer.WriteOpaque(mic, OpaqueAuth.MaxBodyLength);
        writer.Flush();
    }

    /// <summary>Whether <paramref name="mic"/> is the MIC of <paramref name="data"/>; whatever GSSAPI makes of a peer's bytes, false when they do not verify.</summary>
    public static bool Verify(NegotiateAuthentication context, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mic)
    {
        try
        {
            return context.VerifyIntegrityCheck(data, mic);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>
    /// Seals a body in place. <paramref name="body"/> is where it starts in <paramref name="output"/>: 4 bytes for its
    /// length, then the sequence number and the arguments or results, written up to the end. krb5i: the length filled
    /// in, padding, then the checksum (a MIC); krb5p: the sequence number and data replaced by their encryption.
    /// </summary>
    /// <returns>False when GSSAPI would not encrypt.</returns>
    public static bool Seal(PooledBufferWriter output, NegotiateAuthentication context, int body, RpcsecGssService service)
    {
        int length = output.WrittenCount - body - 4;
        if (service == RpcsecGssService.Integrity)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.WrittenSpan[body..], (uint)length);
            Pad(output, length);
            ReadOnlySpan<byte> mic = MicSpan(context, output.WrittenSpan.Slice(body + 4, length));
            var writer = new XdrWriter(output);
            writer.WriteOpaque(mic);
            writer.Flush();
            return true;
        }

        // Encryption cannot write over what it reads: the plain text goes to a rented buffer first.
        byte[] plain = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            output.WrittenSpan.Slice(body + 4, length).CopyTo(plain);
            output.Truncate(body + 4);
            if (context.Wrap(plain.AsSpan(0, length), output, requestEncryption: true, out bool encrypted) != NegotiateAuthenticationStatusCode.Completed || !encrypted)
            {
                return false;
            }

            int sealedLength = output.WrittenCount - body - 4;
            BinaryPrimitives.WriteUInt32BigEndian(output.WrittenSpan[body..], (uint)sealedLength);
            Pad(output, sealedLength);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>
    /// Opens a sealed body where it lies: checks a krb5i checksum over the bytes themselves, or decrypts krb5p data, and
    /// the sequence number inside. The arguments or results (a slice of <paramref name="sealedBody"/> for krb5i, of the
    /// decrypted buffer for krb5p), or null when anything does not hold.
    /// </summary>
    public static ReadOnlyMemory<byte>? Open(NegotiateAuthentication context, ReadOnlyMemory<byte> sealedBody, RpcsecGssService service, uint sequence)
    {
        ReadOnlySpan<byte> span = sealedBody.Span;
        if (span.Length < 4)
        {
            return null;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(span);
        long padded = 4L + ((length + 3L) & ~3L);
        if (padded > span.Length)
        {
            return null;
        }

        ReadOnlyMemory<byte> data = sealedBody.Slice(4, (int)length);
        if (service == RpcsecGssService.Integrity)
        {
            if (padded + 4 > span.Length)
            {
                return null;
            }

            uint micLength = BinaryPrimitives.ReadUInt32BigEndian(span[(int)padded..]);
            if (padded + 4 + micLength > span.Length || !Verify(context, data.Span, span.Slice((int)padded + 4, (int)micLength)))
            {
                return null;
            }
        }
        else
        {
            var plain = new ArrayBufferWriter<byte>((int)length);
            try
            {
                if (context.Unwrap(data.Span, plain, out bool encrypted) != NegotiateAuthenticationStatusCode.Completed || !encrypted)
                {
                    return null;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return null;
            }

            data = plain.WrittenMemory;
        }

        return data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data.Span) == sequence ? data[4..] : null;
    }

    private static ReadOnlySpan<byte> MicSpan(NegotiateAuthentication context, ReadOnlySpan<byte> data)
    {
        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(128);
        scratch.ResetWrittenCount();
        context.ComputeIntegrityCheck(data, scratch);
        return scratch.WrittenSpan;
    }

    private static void Pad(PooledBufferWriter output, int length)
    {
        int padding = (4 - (length & 3)) & 3;
        output.GetSpan(padding)[..padding].Clear();
        output.Advance(padding);
    }
}
