using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Server;

/// <summary>Where a message came from and how to answer it.</summary>
internal readonly ref struct CallSite
{
    public required RpcTransport Transport { get; init; }

    /// <summary>The caller's address (UDP), turned into an endpoint only if a handler asks.</summary>
    public SocketAddress? Address { get; init; }

    /// <summary>The caller's endpoint (TCP: known once per connection).</summary>
    public IPEndPoint? Remote { get; init; }

    /// <summary>A local (AF_UNIX) caller: the user id the kernel vouches for (SO_PEERCRED), or null for a network caller.</summary>
    public LocalPeer? Local { get; init; }

    /// <summary>The caller's address bytes, for the duplicate request cache: UDP's address and port, TCP's address.</summary>
    public ReadOnlySpan<byte> AddressBytes { get; init; }

    /// <summary>The caller's IP address without a port, for the duplicate request cache's fairness between sources.</summary>
    public ReadOnlySpan<byte> SourceBytes { get; init; }

    public DuplicateRequestCache? Cache { get; init; }

    public CancellationToken Aborted { get; init; }

    /// <summary>The connection (TCP and local streams); null over UDP.</summary>
    public RpcConnection? Connection { get; init; }

    /// <summary>The shared buffer the message lies in, which pooled opaque arguments may borrow instead of copying; null: they copy.</summary>
    public XdrSharedBuffer? Input { get; init; }

    /// <summary>
    /// An AUTH_TLS probe (RFC 9289) would be answered STARTTLS here: the server offers TLS, and this is the first call of
    /// a plain stream connection.
    /// </summary>
    public bool CanStartTls { get; init; }

    /// <summary>An RPCSEC_GSS data call whose header held: its accepted replies carry the MIC of its sequence number, and krb5i/krb5p results are sealed.</summary>
    public Auth.GssDataCall? Gss { get; init; }

    /// <summary>Each reply gets a record-marking header (TCP) or is a datagram of its own (UDP).</summary>
    public bool RecordMarked => Transport == RpcTransport.Tcp;
}

/// <summary>What became of a message.</summary>
internal enum DispatchOutcome
{
    /// <summary>The reply is in the output buffer.</summary>
    Replied,

    /// <summary>No reply: not a call, unreadable, or a duplicate of a call still running.</summary>
    Dropped,

    /// <summary>The handler is still running; finish with <see cref="CallDispatcher.Complete"/>.</summary>
    Pending,

    /// <summary>A streamed reply (stream transports only): the transport writes it with <see cref="StreamedReply.RunAsync"/>.</summary>
    Streaming,

    /// <summary>
    /// The AUTH_TLS probe was answered STARTTLS (the reply is in the output buffer): the transport sends it, then makes
    /// the TLS handshake as the server, and reads nothing else in plain text.
    /// </summary>
    StartTls,
}

/// <summary>A call whose handler finished later than its dispatch.</summary>
internal sealed class PendingReply(Task<ResultWriter> results, CallHeader header, RpcProgram program, ProcedureHandler procedure, CacheSlot slot, long started, Activity? activity, PooledOpaqueScope pooled)
{
    public Task<ResultWriter> Results { get; } = results;

    public CallHeader Header { get; } = header;

    public RpcProgram Program { get; } = program;

    public ProcedureHandler Procedure { get; } = procedure;

    /// <summary>Where its reply is kept for retransmissions.</summary>
    public CacheSlot Slot { get; } = slot;

    public long Started { get; } = started;

    public Activity? Activity { get; } = activity;

    /// <summary>The pooled opaque data of the call's arguments and reply, given back once the reply is written.</summary>
    public PooledOpaqueScope Pooled { get; } = pooled;

    /// <summary>The RPCSEC_GSS call it answers, whose reply is sealed; null for other flavors.</summary>
    public Auth.GssDataCall? Gss { get; init; }
}

/// <summary>
/// Turns a call message into a reply, whatever the transport: header checks, authentication, the duplicate
/// request cache, program and procedure lookup (NULL answered for every program), and the handler. Every
/// outcome RFC 5531 defines is answered where the XID is known; libtirpc drops calls of another RPC version
/// and over-long credentials, NetRpc answers RPC_MISMATCH and AUTH_ERROR. Thread-safe.
/// </summary>
internal sealed class CallDispatcher
{
    private readonly RpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly RpcServerMetrics _metrics;
    private readonly RpcServerInterceptor[]? _interceptors;
    private readonly RpcAuthenticator[] _authenticators;
    private readonly object _tableLock = new();
    private volatile ProgramTable _table = ProgramTable.Empty;
    private readonly Auth.GssServer? _gss;

    // A call that finishes at once gives its (emptied) scope back for the thread's next call: no allocation per call.
    [ThreadStatic]
    private static PooledOpaqueScope? t_pooled;

    public CallDispatcher(RpcServerOptions options, ILogger logger, RpcServerMetrics metrics)
    {
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _gss = options.RpcsecGss is { } gss ? new Auth.GssServer(gss, logger) : null;

        // Copied once: the list cannot change under a running server, and an empty list leaves the handlers unwrapped.
        _interceptors = options.Interceptors is { Count: > 0 } interceptors ? [.. interceptors] : null;

        // Copied once too: looked up on every call, an array is walked without an enumerator to allocate.
        _authenticators = [.. options.Authenticators];
    }

    public RpcServerMetrics Metrics => _metrics;

    /// <summary>The RPCSEC_GSS contexts kept (made or being made); 0 without RPCSEC_GSS.</summary>
    public int GssContexts => _gss?.Count ?? 0;

    public ILogger Logger => _logger;

    public void Add(RpcProgram program)
    {
        lock (_tableLock)
        {
            _table = _table.With(program);
        }
    }

    /// <summary>The program versions served, by number.</summary>
    public IEnumerable<RpcProgram> Programs => _table.All;

    /// <summary>Answers a call that came in a datagram (where a streamed reply is collected into the one datagram).</summary>
    public DispatchOutcome Dispatch(ReadOnlyMemory<byte> message, in CallSite site, PooledBufferWriter output, out PendingReply? pending) =>
        Dispatch(message, site, output, out pending, out _);

    /// <summary>Answers a call; over a stream transport, a streamed procedure's reply is handed back in <paramref name="stream"/> to be written as it comes.</summary>
    public DispatchOutcome Dispatch(ReadOnlyMemory<byte> message, in CallSite site, PooledBufferWriter output, out PendingReply? pending, out StreamedReply? stream)
    {
        pending = null;
        stream = null;
        long started = _metrics.DurationEnabled ? Stopwatch.GetTimestamp() : 0;
        var reader = new XdrReader(message.Span);
        switch (CallHeader.TryDecode(ref reader, out CallHeader header))
        {
            case CallDecodeResult.Malformed:
                RpcServerLog.Dropped(_logger, site.Remote, "too short to be an RPC message");
                return DispatchOutcome.Dropped;
            case CallDecodeResult.NotACall:
                RpcServerLog.Dropped(_logger, site.Remote, "not a call");
                return DispatchOutcome.Dropped;
            case CallDecodeResult.WrongRpcVersion:
                WriteReply(output, site, ReplyHeader.RpcMismatch(header.Xid));
                return DispatchOutcome.Replied;
            case CallDecodeResult.BadCredential:
                WriteReply(output, site, ReplyHeader.AuthError(header.Xid, AuthStatus.BadCredential));
                return DispatchOutcome.Replied;
        }

        if (header.Credential.Flavor == AuthFlavor.Tls && _options.Tls is not null)
        {
            return AnswerTlsProbe(header, site, output);
        }

        ReadOnlyMemory<byte> body = message[(int)reader.Position..];
        if (header.Credential.Flavor == AuthFlavor.RpcsecGss && _gss is not null)
        {
            return DispatchGss(header, message, body, site, output, started, out pending, out stream);
        }

        RpcAuthenticator? authenticator = FindAuthenticator(header.Credential.Flavor);
        object? principal = null;
        AuthStatus auth = authenticator is null ? AuthStatus.RejectedCredential : authenticator.Authenticate(header, out principal);
        if (auth != AuthStatus.Ok)
        {
            WriteReply(output, site, ReplyHeader.AuthError(header.Xid, auth));
            return DispatchOutcome.Replied;
        }

        return DispatchAuthenticated(header, body, principal, site, output, started, out pending, out stream);
    }

    /// <summary>The server's check for a credential flavor, or null: the call is refused (REJECTEDCRED).</summary>
    private RpcAuthenticator? FindAuthenticator(AuthFlavor flavor)
    {
        foreach (RpcAuthenticator authenticator in _authenticators)
        {
            if (authenticator.Flavor == flavor)
            {
                return authenticator;
            }
        }

        return null;
    }

    /// <summary>
    /// An RPCSEC_GSS call (RFC 2203 section 5): context creation and destruction answered here; a data call whose header
    /// holds goes on with the client's principal, its arguments opened (krb5i, krb5p) and its replies sealed.
    /// </summary>
    private DispatchOutcome DispatchGss(in CallHeader header, ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> body, in CallSite site, PooledBufferWriter output, long started, out PendingReply? pending, out StreamedReply? stream)
    {
        pending = null;
        stream = null;
        switch (_gss!.Accept(header, message.Span, body.Span, out AuthStatus refusal, out Auth.GssDataCall? call, out Auth.GssControlAnswer? answer))
        {
            case Auth.GssVerdict.Refused:
                WriteReply(output, site, ReplyHeader.AuthError(header.Xid, refusal));
                return DispatchOutcome.Replied;
            case Auth.GssVerdict.Dropped:
                RpcServerLog.Dropped(_logger, site.Remote, "an RPCSEC_GSS sequence number seen before or below the window");
                return DispatchOutcome.Dropped;
            case Auth.GssVerdict.Answered:
                WriteControlAnswer(output, site, header.Xid, answer!);
                return DispatchOutcome.Replied;
        }

        // krb5i arguments are checked where they lie, so they may still borrow the receive buffer; krb5p's are decrypted elsewhere.
        CallSite sealedSite = site with { Gss = call, Input = call!.Service == Auth.RpcsecGssService.Privacy ? null : site.Input };
        if (call.Service != Auth.RpcsecGssService.None)
        {
            if (call.OpenArguments(body) is not { } opened)
            {
                WriteReply(output, sealedSite, ReplyHeader.Accepted(header.Xid, AcceptStatus.GarbageArguments));
                return DispatchOutcome.Replied;
            }

            body = opened;
        }

        return DispatchAuthenticated(header, body, call.Principal, sealedSite, output, started, out pending, out stream);
    }

    /// <summary>A call whose credential was accepted: program and procedure, policies, the duplicate request cache, the handler.</summary>
    private DispatchOutcome DispatchAuthenticated(in CallHeader header, ReadOnlyMemory<byte> body, object? principal, in CallSite site, PooledBufferWriter output, long started, out PendingReply? pending, out StreamedReply? stream)
    {
        pending = null;
        stream = null;

        if (site.Connection?.Tls?.Identity is { } mapped && header.Credential.Flavor is AuthFlavor.None or AuthFlavor.Sys)
        {
            // The client's certificate says who it is: its AUTH_SYS claims are not believed (RpcTlsServerOptions.MapClientCertificate).
            principal = mapped;
        }

        ProgramTable table = _table;
        if (table.Find(header.Program, header.Version) is not { } program)
        {
            ReplyHeader refusal = table.VersionRange(header.Program) is (uint low, uint high)
                ? ReplyHeader.Accepted(header.Xid, AcceptStatus.ProgramMismatch, low, high)
                : ReplyHeader.Accepted(header.Xid, AcceptStatus.ProgramUnavailable);
            Answer(output, site, refusal, CacheSlot.None, "unknown", header.Version, "unknown", started);
            return DispatchOutcome.Replied;
        }

        if (program.Find(header.Procedure) is not { } procedure)
        {
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.ProcedureUnavailable), CacheSlot.None, program.Name, program.Version, "unknown", started);
            return DispatchOutcome.Replied;
        }

        if (program.RequiresReservedPort && header.Procedure != 0 && !FromReservedPort(site))
        {
            // As knfsd's secure exports and Ganesha's PrivilegedPort answer an unprivileged caller (svcerr_weakauth).
            WriteReply(output, site, ReplyHeader.AuthError(header.Xid, AuthStatus.TooWeak));
            _metrics.Called(program.Name, program.Version, procedure.Name, "AUTH_ERROR", started);
            return DispatchOutcome.Replied;
        }

        if (program.RequiredRpcsecGss is { } minimum && header.Procedure != 0 && !(site.Gss is { } sealedCall && sealedCall.Service >= minimum))
        {
            WriteReply(output, site, ReplyHeader.AuthError(header.Xid, AuthStatus.TooWeak));
            _metrics.Called(program.Name, program.Version, procedure.Name, "AUTH_ERROR", started);
            return DispatchOutcome.Replied;
        }

        if (program.RequiresTls && header.Procedure != 0 && site.Connection?.Tls is null)
        {
            WriteReply(output, site, ReplyHeader.AuthError(header.Xid, AuthStatus.TooWeak));
            _metrics.Called(program.Name, program.Version, procedure.Name, "AUTH_ERROR", started);
            return DispatchOutcome.Replied;
        }

        // Only calls that reach a handler enter the cache: NULL and refusals are cheap to answer again, and letting
        // them in would let anyone evict the entries of the calls at-most-once protects. A stream is not kept whole
        // anywhere, so a streamed procedure is left out of a shared store (a local cache abandons it once started).
        if (_options.DuplicateRequestStore is { } store && header.Procedure != 0 && !procedure.Streams)
        {
            return DispatchShared(store, header, body, principal, site, program, procedure, started, out pending);
        }

        DuplicateRequestCache? cache = header.Procedure == 0 ? null : site.Cache;
        CacheSlot slot = CacheSlot.None;
        DuplicateRequestCache.Lookup lookup = DuplicateRequestCache.Lookup.New;
        if (cache is not null)
        {
            // Who calls: the transport's address, then the credential, so that one caller's reply never reaches another.
            Span<byte> identity = stackalloc byte[DuplicateRequestCache.MaxCallerSize];
            int addressLength = Math.Min(site.AddressBytes.Length, identity.Length - 4 - OpaqueAuth.MaxBodyLength);
            site.AddressBytes[..addressLength].CopyTo(identity);
            // An RPCSEC_GSS retransmission has a new sequence number, in its credential and inside sealed arguments: it is
            // known by its context (and its arguments, opened), which stay the same.
            OpaqueAuth credential = site.Gss is { } gss ? new OpaqueAuth(AuthFlavor.RpcsecGss, gss.Context.Handle) : header.Credential;
            int identityLength = addressLength + DuplicateRequestCache.WriteCredential(credential, identity[addressLength..]);
            var call = new DuplicateRequestCache.CallKey(header, identity[..identityLength], addressLength, site.SourceBytes, body.Span);
            switch (lookup = cache.Begin(call, out DuplicateRequestCache.Key key, out byte[]? stored))
            {
                case DuplicateRequestCache.Lookup.Running:
                    return DispatchOutcome.Dropped;
                case DuplicateRequestCache.Lookup.Done:
                    WriteStored(output, site, stored!);
                    return DispatchOutcome.Replied;
                case DuplicateRequestCache.Lookup.Unrecorded:
                    break; // not in the cache: its answer is not stored, so a retry may run it
                default:
                    slot = new CacheSlot(cache, key);
                    break;
            }
        }

        if (lookup is DuplicateRequestCache.Lookup.Interrupted or DuplicateRequestCache.Lookup.Unrecorded)
        {
            // Interrupted: it may or may not have run before the last server died. Unrecorded: the journal could not
            // be written, so that it ran could not be remembered. Either way, running it could run it twice.
            if (lookup == DuplicateRequestCache.Lookup.Interrupted)
            {
                RpcServerLog.CallInterrupted(_logger, program.Name, program.Version, procedure.Name, header.Xid, CallerEndPoint(site));
            }

            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), slot, program.Name, program.Version, procedure.Name, started);
            return DispatchOutcome.Replied;
        }

        Activity? caller = Activity.Current;
        Activity? activity = RpcInstrumentation.ActivitySource.HasListeners() ? StartActivity(header, program, procedure, site) : null;
        var context = new RpcCallContext(header, site.Transport, site.Address, site.Remote, site.Local, principal, site.Aborted, site.Connection, program.Name, procedure.Name, _interceptors);
        int recordStart = output.WrittenCount;
        int bodyStart = BeginMessage(output, site);
        Task<ResultWriter>? later;

        // Pooled opaque data decoded from the arguments or written into the reply goes back to its pool once the reply is
        // written; the arguments may borrow the receive buffer rather than be copied out of it.
        PooledOpaqueScope pooled = t_pooled ?? new PooledOpaqueScope();
        t_pooled = null;
        var arguments = new XdrReader(body, site.Input, pooled);
        try
        {
            var writer = new XdrWriter(output, pooled);
            Accepted(site, header.Xid, AcceptStatus.Success).Encode(ref writer);
            int resultsStart = SealsResults(site) ? site.Gss!.BeginResults(ref writer, output) : -1;
            if (procedure.StartStream(ref arguments, context, pooled) is { } elements)
            {
                writer.Flush();
                output.Truncate(recordStart);
                if (site.RecordMarked && site.Gss is null)
                {
                    // A stream is not kept whole anywhere, so it cannot be stored for a retransmission: a retry runs it again.
                    slot.Abandon();
                    stream = new StreamedReply(this, elements, header, program, procedure, started, activity);
                    if (activity is not null)
                    {
                        Activity.Current = caller;
                    }

                    return DispatchOutcome.Streaming;
                }

                later = elements.CollectAsync(_options.MaxDatagramSize);
            }
            else
            {
                later = procedure.Invoke(ref arguments, context, ref writer);
                writer.Flush();
                if (later is null && resultsStart >= 0)
                {
                    site.Gss!.SealResults(output, resultsStart);
                }
            }
        }
        catch (XdrException)
        {
            Recycle(pooled);
            output.Truncate(recordStart);
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.GarbageArguments), slot, program.Name, program.Version, procedure.Name, started, activity);
            return DispatchOutcome.Replied;
        }
        catch (RpcReplyException e)
        {
            Recycle(pooled);
            output.Truncate(recordStart);
            return Refuse(output, site, header, e, slot, program, procedure.Name, started, activity) ? DispatchOutcome.Replied : DispatchOutcome.Dropped;
        }
        catch (Exception e)
        {
            Recycle(pooled);
            output.Truncate(recordStart);
            RpcServerLog.HandlerFailed(_logger, e, program.Name, program.Version, procedure.Name, header.Xid);
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), slot, program.Name, program.Version, procedure.Name, started, activity);
            return DispatchOutcome.Replied;
        }

        if (later is not null)
        {
            output.Truncate(recordStart);
            pending = new PendingReply(later, header, program, procedure, slot, started, activity, pooled) { Gss = site.Gss };
            if (activity is not null)
            {
                // The handler carries its span on; this thread goes back to the next call without it.
                Activity.Current = caller;
            }

            return DispatchOutcome.Pending;
        }

        Finish(output, site, recordStart, bodyStart, header, slot, program, procedure.Name, started, activity);
        if (output.HasReferencesFrom(recordStart))
        {
            // The reply is to be sent from pooled data where it lies (a gathered send): the data stays until it is sent.
            output.Hold(pooled);
        }
        else
        {
            Recycle(pooled);
        }

        return DispatchOutcome.Replied;
    }

    /// <summary>
    /// A call under a shared duplicate request store: the store is asked while the transport goes on with its next
    /// message, so the call is always pending. Its arguments are copied, as the receive buffer is reused meanwhile.
    /// </summary>
    private DispatchOutcome DispatchShared(DuplicateRequestStore store, in CallHeader header, ReadOnlyMemory<byte> body, object? principal, in CallSite site, RpcProgram program, ProcedureHandler procedure, long started, out PendingReply? pending)
    {
        Span<byte> caller = stackalloc byte[FleetCaller.MaxSize];
        int callerLength = FleetCaller.Write(site.SourceBytes, header.Credential, site.Gss?.Context.Name, caller);
        var call = new DuplicateRequestCall(header.Xid, header.Program, header.Version, header.Procedure, body.Span, caller[..callerLength])
        {
            RunAgainIfInterrupted = program.InterruptedCalls == InterruptedCallPolicy.RunAgain,
        };
        var slot = new CacheSlot(store, call, _logger);
        byte[] arguments = body.ToArray();

        Activity? parent = Activity.Current;
        Activity? activity = RpcInstrumentation.ActivitySource.HasListeners() ? StartActivity(header, program, procedure, site) : null;
        var context = new RpcCallContext(header, site.Transport, site.Address, site.Remote, site.Local, principal, site.Aborted, site.Connection, program.Name, procedure.Name, _interceptors)
        {
            DuplicateRequest = call,
        };
        var pooled = new PooledOpaqueScope();
        Task<ResultWriter> results = RunSharedAsync(store, call, slot, arguments, context, program, procedure, pooled);
        pending = new PendingReply(results, header, program, procedure, slot, started, activity, pooled) { Gss = site.Gss };
        if (activity is not null)
        {
            Activity.Current = parent;
        }

        return DispatchOutcome.Pending;
    }

    /// <summary>Asks the shared store about a call, then runs it, drops it, or answers it as the store and the program's policy say.</summary>
    private async Task<ResultWriter> RunSharedAsync(DuplicateRequestStore store, DuplicateRequestCall call, CacheSlot slot, byte[] arguments, RpcCallContext context, RpcProgram program, ProcedureHandler procedure, PooledOpaqueScope pooled)
    {
        DuplicateRequestLookup lookup;
        long asked = Stopwatch.GetTimestamp();
        try
        {
            lookup = await store.BeginAsync(call, CancellationToken.None).ConfigureAwait(false);
            _metrics.StoreAsked(asked, failed: false);
        }
        catch (Exception e)
        {
            _metrics.StoreAsked(asked, failed: true);
            bool open = program.DuplicateRequestStoreFailure == DuplicateRequestStoreFailure.FailOpen;
            _metrics.Duplicate(open ? "store_failed_open" : "store_failed_closed");
            RpcServerLog.StoreFailed(_logger, e, program.Name, program.Version, procedure.Name, call.Xid, open ? "ran it without at-most-once" : "replied SYSTEM_ERR");
            if (!open)
            {
                throw RpcReplyException.WithStatus(AcceptStatus.SystemError);
            }

            return await InvokeDetached(arguments, context, procedure, pooled).ConfigureAwait(false);
        }

        switch (lookup.Status)
        {
            case DuplicateRequestStatus.New:
                _metrics.Duplicate("miss");
                slot.Recorded();
                return await InvokeDetached(arguments, context, procedure, pooled).ConfigureAwait(false);
            case DuplicateRequestStatus.Running:
                _metrics.Duplicate("in_progress");
                return SharedStoreAnswer.Dropped;
            case DuplicateRequestStatus.Done:
                _metrics.Duplicate("hit");
                return new SharedStoreAnswer(lookup.Reply);
            default:
                // Interrupted, or a status this server does not know: it may have run, so it is not run again here.
                _metrics.Duplicate("interrupted");
                RpcServerLog.CallInterrupted(_logger, program.Name, program.Version, procedure.Name, call.Xid, context.RemoteEndPoint);
                slot.Recorded();
                throw RpcReplyException.WithStatus(AcceptStatus.SystemError);
        }
    }

    /// <summary>Runs a handler on arguments of its own (off the transport's thread and buffer); results that come at once are kept encoded.</summary>
    private static Task<ResultWriter> InvokeDetached(byte[] arguments, RpcCallContext context, ProcedureHandler procedure, PooledOpaqueScope pooled)
    {
        var reader = new XdrReader(arguments, null, pooled);
        using var encoded = new PooledBufferWriter(256);
        var writer = new XdrWriter(encoded, pooled);
        Task<ResultWriter>? later;
        try
        {
            later = procedure.Invoke(ref reader, context, ref writer);
        }
        catch (XdrException)
        {
            throw RpcReplyException.WithStatus(AcceptStatus.GarbageArguments);
        }

        if (later is not null)
        {
            return later;
        }

        writer.Flush();
        return Task.FromResult<ResultWriter>(new EncodedResults(encoded.WrittenSpan.ToArray()));
    }

    /// <summary>The caller's endpoint, for log messages.</summary>
    private static EndPoint? CallerEndPoint(in CallSite site) => site.Remote ?? (site.Address is { } a ? RpcCallContext.ToEndPoint(a) : null);

    /// <summary>Gives a finished call's pooled data back, and keeps its scope for the thread's next call.</summary>
    private static void Recycle(PooledOpaqueScope pooled)
    {
        pooled.Dispose();
        t_pooled = pooled;
    }

    /// <summary>Writes the reply of a call whose handler has finished; false when there is none to send.</summary>
    public bool Complete(PendingReply call, in CallSite site, PooledBufferWriter output)
    {
        try
        {
            return Reply(call, site, output);
        }
        finally
        {
            call.Pooled.Dispose();
        }
    }

    private bool Reply(PendingReply call, in CallSite transport, PooledBufferWriter output)
    {
        CallSite site = transport with { Gss = call.Gss };
        CallHeader header = call.Header;
        int recordStart = output.WrittenCount;
        if (call.Results.IsCompletedSuccessfully && call.Results.Result is SharedStoreAnswer answer)
        {
            // The shared store knew the call: running on a server (no reply: it is coming), or answered (its reply again).
            call.Activity?.Stop();
            if (answer.Reply is not { } stored)
            {
                return false;
            }

            WriteStored(output, site, stored.Span);
            return true;
        }

        if (!call.Results.IsCompletedSuccessfully)
        {
            Exception failure = call.Results.Exception?.InnerException ?? new TaskCanceledException(call.Results);
            if (failure is RpcReplyException refusal)
            {
                return Refuse(output, site, header, refusal, call.Slot, call.Program, call.Procedure.Name, call.Started, call.Activity);
            }

            RpcServerLog.HandlerFailed(_logger, failure, call.Program.Name, call.Program.Version, call.Procedure.Name, header.Xid);
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), call.Slot, call.Program.Name, call.Program.Version, call.Procedure.Name, call.Started, call.Activity);
            return true;
        }

        int bodyStart = BeginMessage(output, site);
        try
        {
            var writer = new XdrWriter(output, call.Pooled);
            Accepted(site, header.Xid, AcceptStatus.Success).Encode(ref writer);
            int resultsStart = SealsResults(site) ? site.Gss!.BeginResults(ref writer, output) : -1;
            call.Results.Result.Write(ref writer);
            writer.Flush();
            if (resultsStart >= 0)
            {
                site.Gss!.SealResults(output, resultsStart);
            }
        }
        catch (Exception e)
        {
            output.Truncate(recordStart);
            RpcServerLog.ResultsInvalid(_logger, e, call.Program.Name, call.Program.Version, call.Procedure.Name, header.Xid);
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), call.Slot, call.Program.Name, call.Program.Version, call.Procedure.Name, call.Started, call.Activity);
            return true;
        }

        Finish(output, site, recordStart, bodyStart, header, call.Slot, call.Program, call.Procedure.Name, call.Started, call.Activity);
        return true;
    }

    /// <summary>
    /// Answers a streamed call whose handler failed before any of its reply was sent, as any failed handler is answered:
    /// its <see cref="RpcReplyException"/>, or SYSTEM_ERR, logged. Nothing is written when the answer is no reply.
    /// </summary>
    public void AnswerFailedStream(PooledBufferWriter output, Exception failure, in CallHeader header, RpcProgram program, ProcedureHandler procedure, long started, Activity? activity)
    {
        var site = new CallSite { Transport = RpcTransport.Tcp };
        if (failure is RpcReplyException refusal)
        {
            Refuse(output, site, header, refusal, CacheSlot.None, program, procedure.Name, started, activity);
            return;
        }

        if (failure is ArgumentException)
        {
            RpcServerLog.ResultsInvalid(_logger, failure, program.Name, program.Version, procedure.Name, header.Xid);
        }
        else
        {
            RpcServerLog.HandlerFailed(_logger, failure, program.Name, program.Version, procedure.Name, header.Xid);
        }

        Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), CacheSlot.None, program.Name, program.Version, procedure.Name, started, activity);
    }

    /// <summary>Answers a call whose handler threw <see cref="RpcReplyException"/>; false when the answer is no reply.</summary>
    private bool Refuse(PooledBufferWriter output, in CallSite site, in CallHeader header, RpcReplyException refusal, in CacheSlot slot, RpcProgram program, string procedure, long started, Activity? activity)
    {
        if (refusal.Denial is { } denial)
        {
            int bodyStart = WriteReply(output, site, ReplyHeader.AuthError(header.Xid, denial));
            slot.Complete(output.WrittenSpan[bodyStart..]);
            _metrics.Called(program.Name, program.Version, procedure, "AUTH_ERROR", started);
            activity?.SetStatus(ActivityStatusCode.Error, "AUTH_ERROR");
            activity?.Stop();
            return true;
        }

        if (refusal.Status is { } status)
        {
            Answer(output, site, ReplyHeader.Accepted(header.Xid, status, refusal.Low, refusal.High), slot, program.Name, program.Version, procedure, started, activity);
            return true;
        }

        // No reply, as rpcgen's servers do when a procedure returns NULL: a retransmission runs it again.
        slot.Abandon();
        _metrics.Called(program.Name, program.Version, procedure, "NO_REPLY", started);
        activity?.Stop();
        return false;
    }

    private void Finish(PooledBufferWriter output, in CallSite site, int recordStart, int bodyStart, in CallHeader header, in CacheSlot slot, RpcProgram program, string procedure, long started, Activity? activity)
    {
        int size = output.WrittenCount - bodyStart;
        if (!site.RecordMarked && size > _options.MaxDatagramSize)
        {
            output.Truncate(recordStart);
            RpcServerLog.DatagramTooLarge(_logger, CallerEndPoint(site), size, _options.MaxDatagramSize);
            Answer(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.SystemError), slot, program.Name, program.Version, procedure, started, activity);
            return;
        }

        EndMessage(output, site, recordStart);
        if (slot.KeepsReplies)
        {
            slot.Complete(output.WrittenSpan[bodyStart..]);
        }

        _metrics.Called(program.Name, program.Version, procedure, "SUCCESS", started);
        activity?.Stop();
    }

    /// <summary>A reply with no results, stored in the cache when there is one.</summary>
    private void Answer(PooledBufferWriter output, in CallSite site, in ReplyHeader reply, in CacheSlot slot, string program, uint version, string procedure, long started, Activity? activity = null)
    {
        int bodyStart = WriteReply(output, site, reply);
        slot.Complete(output.WrittenSpan[bodyStart..]);
        string status = RpcInstrumentation.StatusName(reply.Accept);
        _metrics.Called(program, version, procedure, status, started);
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, status);
            activity.Stop();
        }
    }

    /// <summary>
    /// The AUTH_TLS probe of RFC 9289 section 4.1, on a server that offers TLS: a NULL call whose credential and verifier
    /// are empty is answered with an accepted reply whose AUTH_NONE verifier holds "STARTTLS", when it is the first call of
    /// a plain stream connection (the transport then makes the handshake). Over UDP, which has no TLS here, it is refused as
    /// a flavor the server does not take (REJECTEDCRED); a malformed probe, one on a connection already in TLS or after
    /// other calls, with BADCRED (BADVERF for a verifier that is not an empty AUTH_NONE), as Linux's server refuses them.
    /// </summary>
    private DispatchOutcome AnswerTlsProbe(in CallHeader header, in CallSite site, PooledBufferWriter output)
    {
        AuthStatus refusal =
            !site.RecordMarked ? AuthStatus.RejectedCredential
            : header.Procedure != 0 || !header.Credential.Body.IsEmpty ? AuthStatus.BadCredential
            : header.Verifier.Flavor != AuthFlavor.None || !header.Verifier.Body.IsEmpty ? AuthStatus.BadVerifier
            : !site.CanStartTls ? AuthStatus.BadCredential
            : AuthStatus.Ok;
        if (refusal != AuthStatus.Ok)
        {
            RpcServerLog.TlsProbeRefused(_logger, site.Remote, refusal);
            WriteReply(output, site, ReplyHeader.AuthError(header.Xid, refusal));
            return DispatchOutcome.Replied;
        }

        WriteReply(output, site, ReplyHeader.Accepted(header.Xid, AcceptStatus.Success) with { Verifier = RpcTls.StartTlsVerifier });
        return DispatchOutcome.StartTls;
    }

    /// <summary>An accepted reply's header; for an RPCSEC_GSS call, with the MIC of its sequence number as verifier.</summary>
    private static ReplyHeader Accepted(in CallSite site, uint xid, AcceptStatus status) =>
        site.Gss is { } gss ? ReplyHeader.Accepted(xid, status) with { Verifier = gss.ReplyVerifier } : ReplyHeader.Accepted(xid, status);

    /// <summary>Whether a call's results are sealed (krb5i, krb5p).</summary>
    private static bool SealsResults(in CallSite site) => site.Gss is { Service: not Auth.RpcsecGssService.None };

    /// <summary>The answer to an RPCSEC_GSS control call: accepted, its verifier, and rpc_gss_init_res for context creation.</summary>
    private static void WriteControlAnswer(PooledBufferWriter output, in CallSite site, uint xid, Auth.GssControlAnswer answer)
    {
        int recordStart = output.WrittenCount;
        BeginMessage(output, site);
        var writer = new XdrWriter(output);
        (ReplyHeader.Accepted(xid, AcceptStatus.Success) with { Verifier = answer.Verifier }).Encode(ref writer);
        answer.Result?.Encode(ref writer);
        writer.Flush();
        if (answer.Destroyed is { } destroyed)
        {
            try
            {
                if (destroyed.Service != Auth.RpcsecGssService.None)
                {
                    destroyed.SealResults(output, destroyed.BeginResults(ref writer, output)); // void results, sealed
                }
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // GSSAPI would not seal them: the client learns nothing it needs from a DESTROY's void results.
            }
            finally
            {
                destroyed.Context.Dispose();
            }
        }

        EndMessage(output, site, recordStart);
    }

    /// <summary>Writes a reply with no results; returns where its message (after any record mark) starts.</summary>
    private static int WriteReply(PooledBufferWriter output, in CallSite site, in ReplyHeader reply)
    {
        int recordStart = output.WrittenCount;
        int bodyStart = BeginMessage(output, site);
        var writer = new XdrWriter(output);
        (site.Gss is { } gss && reply.Status == ReplyStatus.Accepted ? reply with { Verifier = gss.ReplyVerifier } : reply).Encode(ref writer);
        writer.Flush();
        EndMessage(output, site, recordStart);
        return bodyStart;
    }

    private static void WriteStored(PooledBufferWriter output, in CallSite site, ReadOnlySpan<byte> stored)
    {
        int recordStart = output.WrittenCount;
        BeginMessage(output, site);
        stored.CopyTo(output.GetSpan(stored.Length));
        output.Advance(stored.Length);
        EndMessage(output, site, recordStart);
    }

    private static int BeginMessage(PooledBufferWriter output, in CallSite site) =>
        site.RecordMarked ? RecordMarking.BeginRecord(output) + RecordMarking.HeaderSize : output.WrittenCount;

    private static void EndMessage(PooledBufferWriter output, in CallSite site, int recordStart)
    {
        if (site.RecordMarked)
        {
            RecordMarking.EndRecord(output, recordStart);
        }
    }

    /// <summary>Whether a call's source is privileged: a reserved port, or a local caller the kernel says is root.</summary>
    private static bool FromReservedPort(in CallSite site)
    {
        if (site.Local is { } local)
        {
            return local.UserId == 0;
        }

        int port = site.Remote?.Port
            ?? (site.Address is { Size: >= 4 } address ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(address.Buffer.Span[2..4]) : 0);
        return ReservedPorts.IsReserved(port);
    }

    private static Activity? StartActivity(in CallHeader header, RpcProgram program, ProcedureHandler procedure, in CallSite site)
    {
        Activity? activity = RpcInstrumentation.ActivitySource.StartActivity($"{program.Name}/{procedure.Name}", ActivityKind.Server);
        if (activity is not null && activity.IsAllDataRequested)
        {
            activity.SetTag(RpcSemanticConventions.RpcSystem, RpcSemanticConventions.OncRpcSystem);
            activity.SetTag(RpcSemanticConventions.RpcService, program.Name);
            activity.SetTag(RpcSemanticConventions.RpcMethod, procedure.Name);
            activity.SetTag(RpcSemanticConventions.ProgramName, program.Name);
            activity.SetTag(RpcSemanticConventions.Version, (int)program.Version);
            activity.SetTag(RpcSemanticConventions.ProcedureName, procedure.Name);
            activity.SetTag(RpcSemanticConventions.ProcedureNumber, (int)header.Procedure);
            activity.SetTag(RpcSemanticConventions.LegacyServiceVersion, program.Version);
            activity.SetTag(RpcSemanticConventions.Xid, header.Xid);
            activity.SetTag(RpcSemanticConventions.NetworkTransport, site.Local is not null ? "unix" : site.Transport == RpcTransport.Tcp ? "tcp" : "udp");
            IPEndPoint? caller = site.Remote;
            if (caller is null && site.Address is { } address)
            {
                try
                {
                    caller = RpcCallContext.ToEndPoint(address);
                }
                catch (ArgumentException)
                {
                    // Not an IP address: no caller attributes.
                }
            }

            if (caller is not null)
            {
                string callerAddress = (caller.Address.IsIPv4MappedToIPv6 ? caller.Address.MapToIPv4() : caller.Address).ToString();
                activity.SetTag(RpcSemanticConventions.ClientAddress, callerAddress);
                activity.SetTag(RpcSemanticConventions.ClientPort, caller.Port);
                activity.SetTag(RpcSemanticConventions.NetworkPeerAddress, callerAddress);
                activity.SetTag(RpcSemanticConventions.NetworkPeerPort, caller.Port);
            }
        }

        return activity;
    }

    /// <summary>The programs served, replaced as a whole when one is added.</summary>
    private sealed class ProgramTable
    {
        public static readonly ProgramTable Empty = new(FrozenDictionary<ulong, RpcProgram>.Empty);

        private readonly FrozenDictionary<ulong, RpcProgram> _programs;
        private readonly FrozenDictionary<uint, (uint Low, uint High)> _ranges;

        private ProgramTable(FrozenDictionary<ulong, RpcProgram> programs)
        {
            _programs = programs;
            _ranges = programs.Values.GroupBy(p => p.Program)
                .ToFrozenDictionary(g => g.Key, g => (g.Min(p => p.Version), g.Max(p => p.Version)));
        }

        public RpcProgram? Find(uint program, uint version) => _programs.GetValueOrDefault(KeyOf(program, version));

        public IEnumerable<RpcProgram> All => _programs.Values.OrderBy(p => p.Program).ThenBy(p => p.Version);

        public (uint Low, uint High)? VersionRange(uint program) => _ranges.TryGetValue(program, out var range) ? range : null;

        public ProgramTable With(RpcProgram program)
        {
            var programs = new Dictionary<ulong, RpcProgram>(_programs);
            if (!programs.TryAdd(KeyOf(program.Program, program.Version), program))
            {
                throw new InvalidOperationException($"Program {program.Program} version {program.Version} is already served.");
            }

            return new ProgramTable(programs.ToFrozenDictionary());
        }

        private static ulong KeyOf(uint program, uint version) => ((ulong)program << 32) | version;
    }
}
