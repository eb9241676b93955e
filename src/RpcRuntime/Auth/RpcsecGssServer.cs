using System.Buffers;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// RPCSEC_GSS (RFC 2203) with Kerberos v5 on a server (<see cref="Server.RpcServerOptions.RpcsecGss"/>): clients make
/// contexts with NULL calls (RPCSEC_GSS_INIT, CONTINUE_INIT) accepted with the service's keys (the keytab KRB5_KTNAME
/// names, through .NET's <see cref="NegotiateAuthentication"/>, GSSAPI on Linux), then call with krb5, krb5i or krb5p.
/// Each call's header MIC is checked and its sequence number taken once within the window; arguments are checked or
/// decrypted before they are decoded, results checksummed or encrypted after they are encoded; handlers see the
/// client's principal (<see cref="RpcsecGssPrincipal"/>).
/// </summary>
public sealed record RpcsecGssServerOptions
{
    /// <summary>The service's credential; null means the default acceptor (any key in the keytab KRB5_KTNAME names).</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>The sequence window announced to clients (RFC 2203 section 5.2.3.1): a multiple of 64, at most 65536. Default 128, as Linux's server.</summary>
    public uint SequenceWindow { get; init; } = 128;

    /// <summary>The most contexts kept at once; past it, the least recently used is dropped (its client makes a new one on CREDPROBLEM). Default 1024.</summary>
    public int MaxContexts { get; init; } = 1024;
}

/// <summary>Who called, for a call that came with RPCSEC_GSS (<see cref="Server.RpcCallContext.Principal"/>).</summary>
/// <param name="Name">The client's principal, as GSSAPI names it: <c>alice@EXAMPLE.COM</c>.</param>
/// <param name="Service">How this call was protected.</param>
public sealed record RpcsecGssPrincipal(string Name, RpcsecGssService Service);

/// <summary>What the server decided of an RPCSEC_GSS call.</summary>
internal enum GssVerdict
{
    /// <summary>A data call whose header holds: it goes on to its program.</summary>
    Data,

    /// <summary>A control call (context creation or destruction), answered in full.</summary>
    Answered,

    /// <summary>Refused with AUTH_ERROR (the status given).</summary>
    Refused,

    /// <summary>A replay, or below the window: dropped without a reply (RFC 2203 section 5.3.3.1).</summary>
    Dropped,
}

/// <summary>A data call that passed its header checks: the context, its sequence number and service.</summary>
internal sealed class GssDataCall
{
    public GssDataCall(GssServerContext context, uint sequence, RpcsecGssService service)
    {
        Context = context;
        Sequence = sequence;
        Service = service;

        // Made now, while the context is surely there: every accepted reply carries it, failures included.
        Span<byte> signed = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(signed, sequence);
        ReplyVerifier = new OpaqueAuth(AuthFlavor.RpcsecGss, context.Mic(signed));
    }

    public GssServerContext Context { get; }

    public uint Sequence { get; }

    public RpcsecGssService Service { get; }

    public RpcsecGssPrincipal Principal => new(Context.Name, Service);

    /// <summary>The verifier of every accepted reply to this call: the MIC of its sequence number (section 5.3.3.2).</summary>
    public OpaqueAuth ReplyVerifier { get; }

    /// <summary>
    /// The arguments inside rpc_gss_integ_data (a slice of <paramref name="body"/>: checked where they lie) or
    /// rpc_gss_priv_data (decrypted); null when the checksum, decryption or sequence number does not hold (GARBAGE_ARGS).
    /// </summary>
    public ReadOnlyMemory<byte>? OpenArguments(ReadOnlyMemory<byte> body) => Context.Open(body, Service, Sequence);

    /// <summary>
    /// Begins sealed results (krb5i, krb5p) at the writer's position: the body's length (filled in by
    /// <see cref="SealResults"/>) and the sequence number go first. Returns where the body begins.
    /// </summary>
    public int BeginResults(ref XdrWriter writer, PooledBufferWriter output)
    {
        writer.Flush();
        int start = output.WrittenCount;
        Span<byte> head = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32BigEndian(head, 0);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], Sequence);
        output.Advance(8);
        return start;
    }

    /// <summary>Seals the results written since <paramref name="start"/> (<see cref="BeginResults"/>) where they are.</summary>
    public void SealResults(PooledBufferWriter output, int start) => Context.Seal(output, start, Service);
}

/// <summary>
/// One client's context on the server: the GSSAPI context, its handle, window and client name. Its operations are
/// serialized (a GSSAPI context is not for two threads at once) and harmless once it is disposed (a DESTROY, or an
/// eviction, may come while another thread still holds it): checks fail, and what it would make is empty.
/// </summary>
internal sealed class GssServerContext(NegotiateAuthentication context, byte[] handle, uint window) : IDisposable
{
    private readonly object _lock = new();
    private bool _disposed;

    public NegotiateAuthentication Negotiation { get; } = context;

    public byte[] Handle { get; } = handle;

    public GssSequenceWindow Window { get; } = new(window);

    public bool Established { get; set; }

    public string Name { get; set; } = "";

    public long LastUsed { get; set; } = Environment.TickCount64;

    /// <summary>One step of the context's creation; GenericFailure once disposed.</summary>
    public byte[]? Accept(ReadOnlySpan<byte> token, out NegotiateAuthenticationStatusCode status)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                status = NegotiateAuthenticationStatusCode.GenericFailure;
                return null;
            }

            return Negotiation.GetOutgoingBlob(token, out status);
        }
    }

    public byte[] Mic(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            return _disposed ? [] : GssTokens.Mic(Negotiation, data);
        }
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mic)
    {
        lock (_lock)
        {
            return !_disposed && GssTokens.Verify(Negotiation, data, mic);
        }
    }

    public ReadOnlyMemory<byte>? Open(ReadOnlyMemory<byte> sealedBody, RpcsecGssService service, uint sequence)
    {
        lock (_lock)
        {
            return _disposed ? null : GssTokens.Open(Negotiation, sealedBody, service, sequence);
        }
    }

    public void Seal(PooledBufferWriter output, int start, RpcsecGssService service)
    {
        lock (_lock)
        {
            if (_disposed || !GssTokens.Seal(output, Negotiation, start, service))
            {
                throw new CryptographicException("RPCSEC_GSS: the results could not be sealed (the context is gone, or GSSAPI would not encrypt)");
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                Negotiation.Dispose();
            }
        }
    }
}

/// <summary>The server's side of RPCSEC_GSS: its contexts, and the checks and answers of RFC 2203 section 5.</summary>
internal sealed class GssServer(RpcsecGssServerOptions options, ILogger logger)
{
    private const uint GssFailure = 0x000D_0000; // GSS_S_FAILURE, for a context the server could not accept
    private readonly Dictionary<ReadOnlyMemory<byte>, GssServerContext> _contexts = new(HandleComparer.Instance);
    private readonly object _lock = new();

    /// <summary>How many contexts are kept (made or being made).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _contexts.Count;
            }
        }
    }

    /// <summary>
    /// Checks an RPCSEC_GSS call. A control call's answer is handed back in <paramref name="answer"/>;
    /// a data call whose credential, context, header MIC and sequence number hold is handed back in <paramref name="call"/>.
    /// </summary>
    public GssVerdict Accept(in CallHeader header, ReadOnlySpan<byte> message, ReadOnlySpan<byte> body, out AuthStatus refusal, out GssDataCall? call, out GssControlAnswer? answer)
    {
        call = null;
        answer = null;
        refusal = AuthStatus.Ok;
        if (!GssCredential.TryDecode(header.Credential.Body, out GssCredential credential))
        {
            refusal = AuthStatus.BadCredential;
            return GssVerdict.Refused;
        }

        switch (credential.Procedure)
        {
            case GssProcedure.Init or GssProcedure.ContinueInit:
                if (header.Procedure != 0 || header.Verifier.Flavor != AuthFlavor.None)
                {
                    refusal = AuthStatus.BadCredential; // context creation is a NULL call with an AUTH_NONE verifier (section 5.2.2)
                    return GssVerdict.Refused;
                }

                answer = Create(credential, body);
                return answer is null ? Refuse(AuthStatus.RpcsecGssCredentialProblem, out refusal) : GssVerdict.Answered;
        }

        GssServerContext? context = Find(credential.Handle);
        if (context is null || !context.Established)
        {
            return Refuse(AuthStatus.RpcsecGssCredentialProblem, out refusal);
        }

        if (credential.Sequence >= GssCredential.MaxSequence)
        {
            return Refuse(AuthStatus.RpcsecGssContextProblem, out refusal);
        }

        // The verifier: a MIC of the header from the XID through the credential (section 5.3.1). Checked before the window
        // moves, so that nobody without the context's key can move it.
        int signedLength = 32 + ((header.Credential.Body.Length + 3) & ~3);
        if (header.Verifier.Flavor != AuthFlavor.RpcsecGss || message.Length < signedLength || !context.Verify(message[..signedLength], header.Verifier.Body.Span))
        {
            return Refuse(AuthStatus.RpcsecGssCredentialProblem, out refusal);
        }

        if (!context.Window.TryAccept(credential.Sequence))
        {
            return GssVerdict.Dropped;
        }

        context.LastUsed = Environment.TickCount64;
        if (credential.Procedure == GssProcedure.Destroy)
        {
            // Answered as a NULL call of the context's service (its void results sealed), then the context goes.
            Remove(context);
            call = new GssDataCall(context, credential.Sequence, credential.Service);
            answer = new GssControlAnswer(null, call.ReplyVerifier) { Destroyed = call };
            return GssVerdict.Answered;
        }

        call = new GssDataCall(context, credential.Sequence, credential.Service);
        return GssVerdict.Data;
    }

    private static GssVerdict Refuse(AuthStatus status, out AuthStatus refusal)
    {
        refusal = status;
        return GssVerdict.Refused;
    }

    /// <summary>RPCSEC_GSS_INIT or CONTINUE_INIT: one step of the context's creation; null for a CONTINUE_INIT of no context being made.</summary>
    private GssControlAnswer? Create(in GssCredential credential, ReadOnlySpan<byte> body)
    {
        byte[] token;
        try
        {
            var reader = new XdrReader(body);
            token = GssInitArgument.Decode(ref reader).Token;
        }
        catch (XdrException)
        {
            return new GssControlAnswer(new GssInitResult([], GssFailure, 0, 0, []), OpaqueAuth.None);
        }

        GssServerContext? context;
        if (credential.Procedure == GssProcedure.Init)
        {
            var negotiation = new NegotiateAuthentication(new NegotiateAuthenticationServerOptions
            {
                Package = "Kerberos",
                Credential = options.Credential ?? CredentialCache.DefaultNetworkCredentials,
                RequiredProtectionLevel = ProtectionLevel.None,
            });
            context = new GssServerContext(negotiation, RandomNumberGenerator.GetBytes(8), options.SequenceWindow);
        }
        else if ((context = Find(credential.Handle)) is null || context.Established)
        {
            return null;
        }

        byte[]? reply;
        NegotiateAuthenticationStatusCode status;
        try
        {
            reply = context.Accept(token, out status);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or ArgumentException or CryptographicException)
        {
            // Whatever GSSAPI makes of a hostile token, it costs that context and nothing else.
            (reply, status) = (null, NegotiateAuthenticationStatusCode.GenericFailure);
        }

        if (status is not (NegotiateAuthenticationStatusCode.Completed or NegotiateAuthenticationStatusCode.ContinueNeeded))
        {
            RpcServerLog.GssContextRefused(logger, status);
            Remove(context);
            context.Dispose();
            return new GssControlAnswer(new GssInitResult([], GssFailure, (uint)status, 0, []), OpaqueAuth.None);
        }

        bool complete = status == NegotiateAuthenticationStatusCode.Completed;
        if (complete)
        {
            context.Established = true;
            context.Name = context.Negotiation.RemoteIdentity.Name ?? "";
            RpcServerLog.GssContextMade(logger, context.Name);
        }

        Keep(context);
        var result = new GssInitResult(context.Handle, complete ? GssInitResult.Complete : GssInitResult.ContinueNeeded, 0, options.SequenceWindow, reply ?? []);
        OpaqueAuth verifier = OpaqueAuth.None;
        if (complete)
        {
            // The MIC of the window proves to the client that this server holds the context (section 5.2.3.1).
            Span<byte> window = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(window, options.SequenceWindow);
            verifier = new OpaqueAuth(AuthFlavor.RpcsecGss, context.Mic(window));
        }

        return new GssControlAnswer(result, verifier);
    }

    private GssServerContext? Find(ReadOnlyMemory<byte> handle)
    {
        lock (_lock)
        {
            return _contexts.TryGetValue(handle, out GssServerContext? context) ? context : null;
        }
    }

    private void Keep(GssServerContext context)
    {
        GssServerContext? evicted = null;
        lock (_lock)
        {
            if (!_contexts.ContainsKey(context.Handle) && _contexts.Count >= options.MaxContexts)
            {
                foreach (GssServerContext candidate in _contexts.Values)
                {
                    if (evicted is null || candidate.LastUsed < evicted.LastUsed)
                    {
                        evicted = candidate;
                    }
                }

                _contexts.Remove(evicted!.Handle);
            }

            _contexts[context.Handle] = context;
        }

        evicted?.Dispose();
    }

    private void Remove(GssServerContext context)
    {
        lock (_lock)
        {
            _contexts.Remove(context.Handle);
        }
    }

    private sealed class HandleComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly HandleComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj.Span);
            return hash.ToHashCode();
        }
    }
}

/// <summary>The answer to a control call: its results (rpc_gss_init_res; none for DESTROY) and the reply's verifier.</summary>
internal sealed record GssControlAnswer(GssInitResult? Result, OpaqueAuth Verifier)
{
    /// <summary>RPCSEC_GSS_DESTROY: the call, whose (void) results are sealed with the context before it is disposed.</summary>
    public GssDataCall? Destroyed { get; init; }
}
