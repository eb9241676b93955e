using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// RPCSEC_GSS version 1 (RFC 2203) with Kerberos v5, as a client credential: krb5 (<see cref="RpcsecGssService.None"/>),
/// krb5i (<see cref="RpcsecGssService.Integrity"/>) and krb5p (<see cref="RpcsecGssService.Privacy"/>). Before its first
/// call through a client it makes a security context with the server (RPCSEC_GSS_INIT and CONTINUE_INIT, NULL calls of the
/// client's program), with the caller's Kerberos tickets (the credential cache KRB5CCNAME names) through .NET's
/// <see cref="NegotiateAuthentication"/>, that is GSSAPI on Linux; then every call carries a new sequence number, a MIC of
/// its header, and its arguments and results checksummed or encrypted as the service says. A retransmission is sealed
/// again with a new sequence number (RFC 2203 section 5.3.3.1), and a reply is taken when its verifier matches any of them.
/// </summary>
/// <remarks>
/// One credential serves any number of clients; each client (each server) gets its own context, made on first use and
/// made again when the server says it is gone (RPCSEC_GSS_CREDPROBLEM or CTXPROBLEM fails that call). Over TCP and UDP,
/// one-way and batched calls included; streamed replies and broadcasts are not sealed, and refuse this credential.
/// </remarks>
public sealed class RpcsecGssCredential : RpcCredential
{
    private const int MaxInitRounds = 8;
    private readonly ConditionalWeakTable<RpcClient, SessionSlot> _sessions = [];
    private readonly NetworkCredential _credential;

    /// <summary>Makes a credential for calls to the service <paramref name="targetName"/>.</summary>
    /// <param name="targetName">The server's service principal, as GSSAPI names a host-based service: <c>nfs@server.example.com</c> or <c>nfs/server.example.com</c>.</param>
    /// <param name="service">How calls are protected; krb5i by default.</param>
    /// <param name="credential">Whose tickets; null means the process's default credential cache.</param>
    /// <exception cref="ArgumentException"><paramref name="targetName"/> is empty, or <paramref name="service"/> is not a service.</exception>
    public RpcsecGssCredential(string targetName, RpcsecGssService service = RpcsecGssService.Integrity, NetworkCredential? credential = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetName);
        if (service is < RpcsecGssService.None or > RpcsecGssService.Privacy)
        {
            throw new ArgumentOutOfRangeException(nameof(service), service, "None, Integrity or Privacy");
        }

        // NegotiateAuthentication takes the Windows form, service/host, and gives GSSAPI service@host.
        TargetName = targetName.Replace('@', '/');
        Service = service;
        _credential = credential ?? CredentialCache.DefaultNetworkCredentials;
    }

    /// <summary>The server's service principal, as given to GSSAPI (service/host).</summary>
    public string TargetName { get; }

    /// <summary>How calls are protected.</summary>
    public RpcsecGssService Service { get; }

    /// <summary>Not used: an RPCSEC_GSS credential differs from call to call (a new sequence number each).</summary>
    /// <exception cref="NotSupportedException">Always: a path that sends one fixed credential cannot carry RPCSEC_GSS.</exception>
    public override OpaqueAuth Credential =>
        throw new NotSupportedException("RPCSEC_GSS seals each call on its own; this kind of call (a streamed reply, a broadcast) cannot carry it.");

    /// <summary>The context with the server of <paramref name="client"/>, if it is made and still good.</summary>
    internal GssClientSession? SessionFor(RpcClient client) =>
        _sessions.TryGetValue(client, out SessionSlot? slot) ? slot.Session : null;

    /// <summary>Makes the context with the server of <paramref name="client"/> (once, whoever asks at the same time).</summary>
    internal async ValueTask<GssClientSession> EstablishAsync(RpcClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        SessionSlot slot = _sessions.GetValue(client, static _ => new SessionSlot());
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Session is { } current)
            {
                return current;
            }

            GssClientSession session = await CreateAsync(client, timeout, cancellationToken).ConfigureAwait(false);
            slot.Session = session;
            return session;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="session"/> (the server no longer knows it): the next call makes a new one.</summary>
    internal void Forget(RpcClient client, GssClientSession session)
    {
        if (_sessions.TryGetValue(client, out SessionSlot? slot))
        {
            Interlocked.CompareExchange(ref slot.Session, null, session);
        }

        session.Dispose();
    }

    private async Task<GssClientSession> CreateAsync(RpcClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var context = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
        {
            Package = "Kerberos",
            TargetName = TargetName,
            Credential = _credential,
            RequireMutualAuthentication = true,
            RequiredProtectionLevel = Service == RpcsecGssService.Privacy ? ProtectionLevel.EncryptAndSign : ProtectionLevel.Sign,
        });
        try
        {
            byte[]? token = context.GetOutgoingBlob(ReadOnlySpan<byte>.Empty, out NegotiateAuthenticationStatusCode status);
            ThrowUnlessProgressing(status, "could not start a Kerberos context");
            byte[] handle = [];
            GssProcedure procedure = GssProcedure.Init;
            for (int round = 0; round < MaxInitRounds; round++)
            {
                // RFC 2203 section 5.2.2: a NULL call of the program, the token as its argument, the handle once the server gave one.
                var control = new GssControlCredential(new GssCredential(procedure, 0, Service, handle).ToOpaqueAuth());
                GssInitResult result = await client.CallAsync<GssInitArgument, GssInitResult>(
                    0, new GssInitArgument(token ?? []), new RpcCallOptions { Credential = control, Timeout = timeout }, cancellationToken).ConfigureAwait(false);
                if (result.Major is not (GssInitResult.Complete or GssInitResult.ContinueNeeded))
                {
                    throw new RpcAuthenticationException(AuthStatus.RpcsecGssCredentialProblem,
                        $"the server refused the context: GSS major status 0x{result.Major:x8}, minor {result.Minor}");
                }

                handle = result.Handle;
                if (result.Token.Length > 0 && !context.IsAuthenticated)
                {
                    token = context.GetOutgoingBlob(result.Token, out status);
                    ThrowUnlessProgressing(status, "the server's token was refused");
                }

                if (result.Major == GssInitResult.Complete)
                {
                    if (!context.IsAuthenticated || handle.Length is 0 or > GssCredential.MaxHandleLength || result.Window == 0)
                    {
                        throw new RpcAuthenticationException(AuthStatus.InvalidResponse, "the server completed a context the client did not, or without a handle or window");
                    }

                    // The reply's verifier is the MIC of the window: it proves the server holds the context (section 5.2.3.1).
                    Span<byte> window = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(window, result.Window);
                    if (control.ReplyVerifier is not { Flavor: AuthFlavor.RpcsecGss } verifier || !context.VerifyIntegrityCheck(window, verifier.Body.Span))
                    {
                        throw new RpcAuthenticationException(AuthStatus.InvalidResponse, "the context's window came without a valid MIC");
                    }

                    var session = new GssClientSession(this, context, handle);

                    // RFC 2203 section 5.4: the context ends with the client. libtirpc's servers need it too: they keep one
                    // context per transport, and a new one on a transport whose old one was never destroyed is refused.
                    client.OnClosing(() => session.DestroyAsync(client));
                    return session;
                }

                procedure = GssProcedure.ContinueInit;
            }

            throw new RpcAuthenticationException(AuthStatus.RpcsecGssCredentialProblem, $"no context after {MaxInitRounds} rounds");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static void ThrowUnlessProgressing(NegotiateAuthenticationStatusCode status, string what)
    {
        if (status is not (NegotiateAuthenticationStatusCode.Completed or NegotiateAuthenticationStatusCode.ContinueNeeded))
        {
            // Most often: no ticket (kinit), or none for this service.
            throw new RpcAuthenticationException(AuthStatus.Failed, $"RPCSEC_GSS: {what} ({status})");
        }
    }

    private sealed class SessionSlot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public GssClientSession? Session;
    }

    /// <summary>A context-creation call's credential: fixed, and it keeps the reply's verifier for the caller to check.</summary>
    private sealed class GssControlCredential(OpaqueAuth credential) : RpcCredential
    {
        public OpaqueAuth? ReplyVerifier { get; private set; }

        public override OpaqueAuth Credential { get; } = credential;

        public override bool ValidateReplyVerifier(in OpaqueAuth verifier)
        {
            ReplyVerifier = verifier;
            return true;
        }
    }
}

/// <summary>One client's context with one server: the GSSAPI context, the server's handle, the next sequence number.</summary>
internal sealed class GssClientSession : IDisposable
{
    private readonly NegotiateAuthentication _context;
    private readonly object _lock = new(); // a GSSAPI context is not to be used by two threads at once

    // The first call goes out as 1, as libtirpc's client numbers them: libtirpc's server keeps one context per transport
    // (one for all of UDP) and checks even a new client's INIT, sent as 0, against the last context's window.
    private int _nextSequence;
    private int _destroyed;
    private bool _disposed; // under _lock

    public GssClientSession(RpcsecGssCredential owner, NegotiateAuthentication context, byte[] handle)
    {
        Owner = owner;
        _context = context;
        Handle = handle;
    }

    public RpcsecGssCredential Owner { get; }

    public byte[] Handle { get; }

    public RpcsecGssService Service => Owner.Service;

    /// <summary>
    /// Writes a call's header with a new sequence number and its MIC into <paramref name="output"/>, and for krb5i and krb5p
    /// the start of the sealed body (its length and the sequence number); the caller then writes the arguments and calls
    /// <see cref="EndCall"/>, which seals them where they are. <paramref name="control"/> is DATA, or DESTROY.
    /// </summary>
    /// <returns>The sequence number, and where the body begins (for <see cref="EndCall"/>).</returns>
    public (uint Sequence, int Body) BeginCall(PooledBufferWriter output, GssProcedure control, uint xid, uint program, uint version, uint procedure) =>
        Begin(output, control, xid, program, version, procedure);

    /// <summary>Seals the arguments written since <paramref name="body"/> (where BeginCall left it): a checksum after them (krb5i), or encrypted (krb5p).</summary>
    public void EndCall(PooledBufferWriter output, int body, uint sequence) => Seal(output, body, sequence);

    /// <summary>A whole call, for a retransmission: the header, the arguments, sealed.</summary>
    public uint WriteCall(PooledBufferWriter output, GssProcedure control, uint xid, uint program, uint version, uint procedure, ReadOnlySpan<byte> arguments)
    {
        (uint sequence, int body) = Begin(output, control, xid, program, version, procedure);
        arguments.CopyTo(output.GetSpan(arguments.Length));
        output.Advance(arguments.Length);
        EndCall(output, body, sequence);
        return sequence;
    }

    /// <summary>
    /// RPCSEC_GSS_DESTROY for this context (RFC 2203 section 5.4): a NULL call whose reply is awaited, as libtirpc's
    /// auth_destroy awaits it (a message sent without waiting could be lost in the closing of the connection), then
    /// the context goes. A server that does not answer costs the caller's disposal the client's bound on it.
    /// </summary>
    public async Task DestroyAsync(RpcClient client)
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0)
        {
            return;
        }

        try
        {
            await client.CallAsync<XdrVoid, XdrVoid>(0, default, new RpcCallOptions { Credential = new GssDestroyCredential(this), Timeout = TimeSpan.FromSeconds(2) }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or ObjectDisposedException)
        {
            // Gone, or refused: the context goes from here anyway.
        }
        finally
        {
            Owner.Forget(client, this);
        }
    }

    private (uint Sequence, int Body) Begin(PooledBufferWriter output, GssProcedure control, uint xid, uint program, uint version, uint procedure)
    {
        uint sequence = (uint)Interlocked.Increment(ref _nextSequence);
        if (sequence >= GssCredential.MaxSequence)
        {
            // RFC 2203 section 5.3.3.1: the context is used up; the server would answer CTXPROBLEM.
            throw new RpcAuthenticationException(AuthStatus.RpcsecGssContextProblem, "the context's sequence numbers are used up");
        }

        // The header up to the credential, then its MIC as the verifier (section 5.3.1), written in place.
        int headerStart = output.WrittenCount;
        var writer = new XdrWriter(output);
        writer.WriteUInt32(xid);
        writer.WriteUInt32(0); // CALL
        writer.WriteUInt32(CallHeader.RpcVersion);
        writer.WriteUInt32(program);
        writer.WriteUInt32(version);
        writer.WriteUInt32(procedure);
        new GssCredential(control, sequence, Service, Handle).Write(ref writer);
        writer.Flush();
        lock (_lock)
        {
            ThrowIfDropped();
            GssTokens.Verifier(output, _context, headerStart);
        }

        int body = output.WrittenCount;
        if (Service != RpcsecGssService.None)
        {
            // rpc_gss_integ_data's databody_integ, or what rpc_gss_priv_data encrypts: its length, filled in by Seal, and the
            // sequence number, before the arguments (section 5.3.2.2, 5.3.2.3).
            Span<byte> start = output.GetSpan(8);
            BinaryPrimitives.WriteUInt32BigEndian(start[4..], sequence);
            output.Advance(8);
        }

        return (sequence, body);
    }

    private void Seal(PooledBufferWriter output, int body, uint sequence)
    {
        if (Service == RpcsecGssService.None)
        {
            return;
        }

        lock (_lock)
        {
            ThrowIfDropped();
            if (!GssTokens.Seal(output, _context, body, Service))
            {
                throw new RpcAuthenticationException(AuthStatus.Failed, "RPCSEC_GSS: could not encrypt the call");
            }
        }
    }

    /// <summary>Whether a reply's verifier is the MIC of <paramref name="sequence"/> (section 5.3.3.2).</summary>
    public bool VerifyReply(in OpaqueAuth verifier, uint sequence)
    {
        if (verifier.Flavor != AuthFlavor.RpcsecGss)
        {
            return false;
        }

        Span<byte> signed = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(signed, sequence);
        lock (_lock)
        {
            return !_disposed && GssTokens.Verify(_context, signed, verifier.Body.Span);
        }
    }

    /// <summary>
    /// Opens sealed results (<paramref name="sealedResults"/>: the reply after its accept status): checks their checksum in
    /// place (krb5i) or decrypts them (krb5p), and their sequence number. The results, or null when they do not hold.
    /// </summary>
    public ReadOnlyMemory<byte>? OpenResults(ReadOnlyMemory<byte> sealedResults, uint sequence)
    {
        lock (_lock)
        {
            return _disposed ? null : GssTokens.Open(_context, sealedResults, Service, sequence);
        }
    }

    /// <summary>Lets the GSSAPI context go; a call still using this session then fails its check rather than touching it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                _context.Dispose();
            }
        }
    }

    private void ThrowIfDropped()
    {
        if (_disposed)
        {
            throw new RpcAuthenticationException(AuthStatus.RpcsecGssCredentialProblem, "the context was dropped before the call went out");
        }
    }
}

/// <summary>The credential of an RPCSEC_GSS_DESTROY call: sealed like the context's calls, under the DESTROY control procedure.</summary>
internal sealed class GssDestroyCredential(GssClientSession session) : RpcCredential
{
    public GssClientSession Session { get; } = session;

    public override OpaqueAuth Credential => throw new NotSupportedException("sealed per call");
}

/// <summary>
/// A call sealed with RPCSEC_GSS: what its reply is checked against, and what sealing it again needs (the plain
/// arguments, kept only where the transport may send the call again; null otherwise).
/// </summary>
internal sealed class GssCallState(GssClientSession session, uint xid, uint program, uint version, uint procedure, byte[]? arguments, uint sequence)
{
    private readonly object _lock = new();
    private uint[] _sequences = [sequence];

    public GssClientSession Session { get; } = session;

    /// <summary>The message again, under a new sequence number, for a retransmission; <paramref name="recordMark"/> puts a TCP record mark before it.</summary>
    public byte[] Reseal(bool recordMark)
    {
        using var message = new PooledBufferWriter((arguments?.Length ?? 0) + 256);
        if (recordMark)
        {
            message.GetSpan(4);
            message.Advance(4);
        }

        uint sequence = Session.WriteCall(message, GssProcedure.Data, xid, program, version, procedure, arguments ?? throw new InvalidOperationException("the call's arguments were not kept"));
        lock (_lock)
        {
            // A reply may answer any of the transmissions; a few are remembered (a call sent more often times out first).
            _sequences = _sequences.Length < 16 ? [.. _sequences, sequence] : [.. _sequences[1..], sequence];
        }

        byte[] bytes = message.WrittenSpan.ToArray();
        if (recordMark)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x8000_0000u | (uint)(bytes.Length - 4));
        }

        return bytes;
    }

    /// <summary>
    /// What a reply says of the context: a refusal because the server lost it (RPCSEC_GSS_CREDPROBLEM, CTXPROBLEM) drops it,
    /// so that the next call makes a new one; an accepted reply must carry the MIC of one of the call's sequence numbers.
    /// </summary>
    /// <returns>The failure to report (the verifier does not hold), or null.</returns>
    public Exception? Check(in ReplyHeader header, RpcClient client, out uint? sequence)
    {
        sequence = null;
        if (header.Status == ReplyStatus.Denied)
        {
            if (header.Reject == RejectStatus.AuthError && header.Auth is AuthStatus.RpcsecGssCredentialProblem or AuthStatus.RpcsecGssContextProblem)
            {
                Session.Owner.Forget(client, Session);
            }

            return null;
        }

        sequence = Answered(header.Verifier);
        return sequence is null ? new RpcAuthenticationException(AuthStatus.InvalidResponse, "the reply's verifier is not the MIC of the call's sequence number") : null;
    }

    /// <summary>The sequence number of the transmission the reply's verifier signs, or null when it signs none of them.</summary>
    public uint? Answered(in OpaqueAuth verifier)
    {
        uint[] sequences;
        lock (_lock)
        {
            sequences = _sequences;
        }

        for (int i = sequences.Length - 1; i >= 0; i--)
        {
            if (Session.VerifyReply(verifier, sequences[i]))
            {
                return sequences[i];
            }
        }

        return null;
    }
}

/// <summary>rpc_gss_init_arg (RFC 2203 section 5.2.2): the GSS token.</summary>
internal readonly record struct GssInitArgument(byte[] Token) : IXdrCodec<GssInitArgument>
{
    /// <summary>The largest token taken: Kerberos AP-REQs with a PAC run to a few kilobytes.</summary>
    public const int MaxTokenLength = 64 * 1024;

    public static GssInitArgument Decode(ref XdrReader reader) => new(reader.ReadOpaque(MaxTokenLength));

    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Token, MaxTokenLength);
}

/// <summary>rpc_gss_init_res (RFC 2203 section 5.2.3.1): the handle, GSS status, window and the server's token.</summary>
internal readonly record struct GssInitResult(byte[] Handle, uint Major, uint Minor, uint Window, byte[] Token) : IXdrCodec<GssInitResult>
{
    public const uint Complete = 0;
    public const uint ContinueNeeded = 1;

    public static GssInitResult Decode(ref XdrReader reader) =>
        new(reader.ReadOpaque(GssCredential.MaxHandleLength), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadOpaque(GssInitArgument.MaxTokenLength));

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteOpaque(Handle, GssCredential.MaxHandleLength);
        writer.WriteUInt32(Major);
        writer.WriteUInt32(Minor);
        writer.WriteUInt32(Window);
        writer.WriteOpaque(Token, GssInitArgument.MaxTokenLength);
    }
}
