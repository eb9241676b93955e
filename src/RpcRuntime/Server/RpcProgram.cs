using System.Collections.Frozen;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Server;

/// <summary>Runs one procedure: decodes the arguments, then does the work.</summary>
/// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
/// <typeparam name="TResult">The results (<see cref="XdrVoid"/> for none).</typeparam>
/// <param name="arguments">The decoded arguments.</param>
/// <param name="context">Who called, and how.</param>
/// <returns>The results; a handler that finishes at once should return a completed ValueTask.</returns>
public delegate ValueTask<TResult> RpcHandler<TArgs, TResult>(TArgs arguments, RpcCallContext context);

/// <summary>Runs one procedure whose reply is a stream: decodes the arguments, then yields the elements as they come.</summary>
/// <typeparam name="TArgs">The arguments (<see cref="XdrVoid"/> for none).</typeparam>
/// <typeparam name="TElement">What each TRUE of the stream carries.</typeparam>
/// <param name="arguments">The decoded arguments.</param>
/// <param name="context">Who called, and how; <see cref="RpcCallContext.CallAborted"/> is also the enumeration's cancellation token.</param>
/// <returns>The elements; the runtime writes TRUE before each and FALSE after the last.</returns>
public delegate IAsyncEnumerable<TElement> RpcStreamHandler<TArgs, TElement>(TArgs arguments, RpcCallContext context);

/// <summary>
/// One version of one program as a server serves it: its number, and a handler per procedure. Generated server
/// code builds one with <see cref="RpcProgramBuilder"/>; the runtime owns everything else (framing, dispatch,
/// replies, errors). Procedure 0 (NULL) is answered for every program that does not define it.
/// </summary>
public sealed class RpcProgram
{
    private readonly FrozenDictionary<uint, ProcedureHandler> _procedures;
    private readonly Policies _policies;

    internal RpcProgram(uint program, uint version, string name, Dictionary<uint, ProcedureHandler> procedures, bool requiresReservedPort = false)
        : this(program, version, name, procedures.ToFrozenDictionary(), new Policies { RequiresReservedPort = requiresReservedPort })
    {
    }

    private RpcProgram(uint program, uint version, string name, FrozenDictionary<uint, ProcedureHandler> procedures, Policies policies)
    {
        Program = program;
        Version = version;
        Name = name;
        _procedures = procedures;
        _policies = policies;
    }

    /// <summary>The program number.</summary>
    public uint Program { get; }

    /// <summary>The version number.</summary>
    public uint Version { get; }

    /// <summary>The program's name, for logs and metrics.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether calls must come from a reserved port (below 1024, which only a privileged process may bind), as Linux knfsd's
    /// "secure" exports and NFS-Ganesha's PrivilegedPort require: others are refused with AUTH_ERROR (AUTH_TOOWEAK),
    /// NULL aside. A local (AF_UNIX) caller counts as privileged when the kernel says it is root.
    /// </summary>
    public bool RequiresReservedPort => _policies.RequiresReservedPort;

    /// <summary>This program, requiring callers on a reserved port (see <see cref="RequiresReservedPort"/>).</summary>
    /// <returns>A copy that requires it.</returns>
    public RpcProgram RequireReservedPort() => With(_policies with { RequiresReservedPort = true });

    /// <summary>
    /// Whether calls must come over RPC-with-TLS (RFC 9289; the server's <see cref="RpcServerOptions.Tls"/>): calls in
    /// plain text, over TCP or UDP, are refused with AUTH_ERROR (AUTH_TOOWEAK), NULL aside, as a reserved port's
    /// requirement refuses them. Otherwise (the default) the program answers in plain text and over TLS alike.
    /// </summary>
    public bool RequiresTls => _policies.RequiresTls;

    /// <summary>This program, requiring RPC-with-TLS (see <see cref="RequiresTls"/>).</summary>
    /// <returns>A copy that requires it.</returns>
    public RpcProgram RequireTls() => With(_policies with { RequiresTls = true });

    /// <summary>
    /// The least RPCSEC_GSS protection calls must come with (the server's <see cref="RpcServerOptions.RpcsecGss"/>), as an
    /// NFS export's <c>sec=krb5i</c> asks: calls with another flavor or a weaker service are refused with AUTH_ERROR
    /// (AUTH_TOOWEAK), NULL aside. Null (the default): any flavor the server takes.
    /// </summary>
    public Auth.RpcsecGssService? RequiredRpcsecGss => _policies.RequiredRpcsecGss;

    /// <summary>This program, requiring RPCSEC_GSS with at least <paramref name="minimum"/> (see <see cref="RequiredRpcsecGss"/>).</summary>
    /// <param name="minimum">krb5 (<see cref="Auth.RpcsecGssService.None"/>), krb5i or krb5p.</param>
    /// <returns>A copy that requires it.</returns>
    public RpcProgram RequireRpcsecGss(Auth.RpcsecGssService minimum = Auth.RpcsecGssService.None)
    {
        if (minimum is < Auth.RpcsecGssService.None or > Auth.RpcsecGssService.Privacy)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "None, Integrity or Privacy");
        }

        return With(_policies with { RequiredRpcsecGss = minimum });
    }

    /// <summary>
    /// What a call of this program gets when the server's shared <see cref="RpcServerOptions.DuplicateRequestStore"/> cannot
    /// be asked about it (down, unreachable, too slow): <see cref="DuplicateRequestStoreFailure.FailClosed"/> (the default)
    /// refuses it with SYSTEM_ERR, so nothing can run twice; <see cref="DuplicateRequestStoreFailure.FailOpen"/> runs it
    /// without at-most-once, logged and counted, for programs whose procedures are idempotent or whose availability matters more.
    /// </summary>
    public DuplicateRequestStoreFailure DuplicateRequestStoreFailure => _policies.StoreFailure;

    /// <summary>This program, with <paramref name="policy"/> when the duplicate request store fails (see <see cref="DuplicateRequestStoreFailure"/>).</summary>
    /// <param name="policy">Fail closed or open.</param>
    /// <returns>A copy with the policy.</returns>
    public RpcProgram WhenDuplicateRequestStoreFails(DuplicateRequestStoreFailure policy)
    {
        if (policy is not (DuplicateRequestStoreFailure.FailClosed or DuplicateRequestStoreFailure.FailOpen))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "FailClosed or FailOpen");
        }

        return With(_policies with { StoreFailure = policy });
    }

    /// <summary>The procedure numbers served, NULL included.</summary>
    public IEnumerable<uint> Procedures => _procedures.Keys.Append(0u).Distinct().Order();

    /// <summary>
    /// What a call of this program gets when the shared <see cref="RpcServerOptions.DuplicateRequestStore"/> finds it was
    /// running on a server of the fleet that died: it may have run, or not. <see cref="InterruptedCallPolicy.Refuse"/> (the
    /// default) answers SYSTEM_ERR, so it never runs twice (at most once). <see cref="InterruptedCallPolicy.RunAgain"/>
    /// runs it here, for handlers that make their effects idempotent under the call's fleet-wide id
    /// (<see cref="RpcCallContext.DuplicateRequest"/>), as NFSv3's exclusive CREATE does with its verifier: then every
    /// call is answered, and its effects happen exactly once.
    /// </summary>
    public InterruptedCallPolicy InterruptedCalls => _policies.InterruptedCalls;

    /// <summary>This program, with <paramref name="policy"/> for interrupted calls (see <see cref="InterruptedCalls"/>).</summary>
    /// <param name="policy">Refuse them, or run them again.</param>
    /// <returns>A copy with the policy.</returns>
    public RpcProgram WhenCallsAreInterrupted(InterruptedCallPolicy policy)
    {
        if (policy is not (InterruptedCallPolicy.Refuse or InterruptedCallPolicy.RunAgain))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Refuse or RunAgain");
        }

        return With(_policies with { InterruptedCalls = policy });
    }

    private RpcProgram With(Policies policies) => new(Program, Version, Name, _procedures, policies);

    /// <summary>What a program asks of its callers, and what its calls get when the store fails.</summary>
    private readonly record struct Policies(bool RequiresReservedPort, bool RequiresTls, Auth.RpcsecGssService? RequiredRpcsecGss, DuplicateRequestStoreFailure StoreFailure, InterruptedCallPolicy InterruptedCalls);

    internal ProcedureHandler? Find(uint procedure) =>
        _procedures.TryGetValue(procedure, out ProcedureHandler? handler) ? handler : procedure == 0 ? ProcedureHandler.Null : null;
}

/// <summary>What a call gets when the shared duplicate request store cannot be asked about it (<see cref="RpcProgram.DuplicateRequestStoreFailure"/>).</summary>
public enum DuplicateRequestStoreFailure
{
    /// <summary>Refused with SYSTEM_ERR, not run: nothing runs twice, and the client hears the call failed.</summary>
    FailClosed,

    /// <summary>Run without at-most-once (a retransmission may run it again), logged and counted.</summary>
    FailOpen,
}

/// <summary>What a call found running on a server of the fleet that died gets (<see cref="RpcProgram.InterruptedCalls"/>).</summary>
public enum InterruptedCallPolicy
{
    /// <summary>SYSTEM_ERR: it may have run, so it is not run again.</summary>
    Refuse,

    /// <summary>Run here: the handler makes its effects idempotent under the call's fleet-wide id.</summary>
    RunAgain,
}

/// <summary>Describes a program version's procedures; what generated server skeletons call.</summary>
/// <param name="program">The program number.</param>
/// <param name="version">The version number.</param>
/// <param name="name">The program's name, for logs and metrics (default: its number).</param>
public sealed class RpcProgramBuilder(uint program, uint version, string? name = null)
{
    private readonly Dictionary<uint, ProcedureHandler> _procedures = [];

    /// <summary>Adds a procedure.</summary>
    /// <typeparam name="TArgs">Its arguments (<see cref="XdrVoid"/> for none; several arguments travel as one struct).</typeparam>
    /// <typeparam name="TResult">Its results (<see cref="XdrVoid"/> for none).</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="procedureName">The name, for logs and metrics.</param>
    /// <param name="handler">What it does.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The number is already used.</exception>
    public RpcProgramBuilder AddProcedure<TArgs, TResult>(uint procedure, string procedureName, RpcHandler<TArgs, TResult> handler)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        ArgumentNullException.ThrowIfNull(procedureName);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_procedures.TryAdd(procedure, new ProcedureHandler<TArgs, TResult>(procedureName, handler)))
        {
            throw new ArgumentException($"Procedure {procedure} is already defined.", nameof(procedure));
        }

        return this;
    }

    /// <summary>
    /// Adds a procedure whose reply is a stream (YPPROC_ALL's <c>ypresp_all</c>): the reply header, then TRUE and an element
    /// for each element the handler yields, then FALSE, in one record. Over TCP the record goes out in fragments as the
    /// elements come, within the connection's bounds on queued reply bytes (<see cref="RpcServerOptions.MaxQueuedReplyBytesPerConnection"/>,
    /// <see cref="RpcServerOptions.WriteTimeout"/>): while the peer does not read, the handler is not asked for more. A
    /// handler that throws before the first fragment is sent is answered as any handler (SYSTEM_ERR, or its
    /// <see cref="RpcReplyException"/>); after, the reply cannot be taken back: it is logged and the connection closed. Over
    /// UDP the whole stream must fit one datagram (<see cref="RpcServerOptions.MaxDatagramSize"/>), or the reply is SYSTEM_ERR.
    /// </summary>
    /// <typeparam name="TArgs">Its arguments (<see cref="XdrVoid"/> for none; several arguments travel as one struct).</typeparam>
    /// <typeparam name="TElement">What each TRUE carries.</typeparam>
    /// <param name="procedure">The procedure number.</param>
    /// <param name="procedureName">The name, for logs and metrics.</param>
    /// <param name="handler">What it does.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The number is already used.</exception>
    public RpcProgramBuilder AddStreamedProcedure<TArgs, TElement>(uint procedure, string procedureName, RpcStreamHandler<TArgs, TElement> handler)
        where TArgs : IXdrCodec<TArgs>
        where TElement : IXdrCodec<TElement>
    {
        ArgumentNullException.ThrowIfNull(procedureName);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_procedures.TryAdd(procedure, new StreamedProcedureHandler<TArgs, TElement>(procedureName, handler)))
        {
            throw new ArgumentException($"Procedure {procedure} is already defined.", nameof(procedure));
        }

        return this;
    }

    /// <summary>The program, ready to add to a server.</summary>
    /// <returns>The program.</returns>
    public RpcProgram Build() => new(program, version, name ?? program.ToString(System.Globalization.CultureInfo.InvariantCulture), new Dictionary<uint, ProcedureHandler>(_procedures));
}

/// <summary>The type-erased handler of one procedure.</summary>
internal abstract class ProcedureHandler(string name)
{
    /// <summary>NULL: no arguments, no results; every program answers it.</summary>
    public static ProcedureHandler Null { get; } = new ProcedureHandler<XdrVoid, XdrVoid>("NULL", static (_, _) => default);

    public string Name { get; } = name;

    /// <summary>
    /// Decodes the arguments and runs the procedure. When it finishes at once its results are written to
    /// <paramref name="results"/> and null is returned; otherwise the task completes with the results to write.
    /// </summary>
    /// <exception cref="XdrException">The arguments cannot be decoded (GARBAGE_ARGS).</exception>
    public abstract Task<ResultWriter>? Invoke(ref XdrReader arguments, RpcCallContext context, ref XdrWriter results);

    /// <summary>Whether its reply is a stream (<see cref="StartStream"/>), which no duplicate request cache keeps.</summary>
    public virtual bool Streams => false;

    /// <summary>
    /// For a procedure whose reply is a stream: decodes the arguments and starts the handler, whose elements the
    /// transport then writes as they come. Null for other procedures.
    /// </summary>
    /// <exception cref="XdrException">The arguments cannot be decoded (GARBAGE_ARGS).</exception>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="context">The call.</param>
    /// <param name="pooled">The call's pooled opaque data, which the stream gives back when it ends.</param>
    public virtual ReplyStream? StartStream(ref XdrReader arguments, RpcCallContext context, PooledOpaqueScope pooled) => null;
}

/// <summary>Results of a procedure that finished later, ready to be written into its reply.</summary>
internal abstract class ResultWriter
{
    public abstract void Write(ref XdrWriter writer);
}

internal sealed class ProcedureHandler<TArgs, TResult>(string name, RpcHandler<TArgs, TResult> handler) : ProcedureHandler(name)
    where TArgs : IXdrCodec<TArgs>
    where TResult : IXdrCodec<TResult>
{
    public override Task<ResultWriter>? Invoke(ref XdrReader arguments, RpcCallContext context, ref XdrWriter results)
    {
        // Bytes after the arguments are ignored, as libtirpc ignores them.
        TArgs args = TArgs.Decode(ref arguments);
        ValueTask<TResult> running = context.Interceptors is { } interceptors ? Intercepted(interceptors)(args, context) : handler(args, context);
        if (running.IsCompletedSuccessfully)
        {
            running.Result.Encode(ref results);
            return null;
        }

        return Later(running);
    }

    private static async Task<ResultWriter> Later(ValueTask<TResult> running) => new Results(await running.ConfigureAwait(false));

    private WrappedHandler<RpcHandler<TArgs, TResult>>? _wrapped;

    private RpcHandler<TArgs, TResult> Intercepted(RpcServerInterceptor[] interceptors)
    {
        WrappedHandler<RpcHandler<TArgs, TResult>>? wrapped = _wrapped;
        if (wrapped is null || !ReferenceEquals(wrapped.Interceptors, interceptors))
        {
            _wrapped = wrapped = new(interceptors, ServerInterception.Wrap(interceptors, handler));
        }

        return wrapped.Handler;
    }

    private sealed class Results(TResult value) : ResultWriter
    {
        public override void Write(ref XdrWriter writer) => value.Encode(ref writer);
    }
}

internal sealed class StreamedProcedureHandler<TArgs, TElement>(string name, RpcStreamHandler<TArgs, TElement> handler) : ProcedureHandler(name)
    where TArgs : IXdrCodec<TArgs>
    where TElement : IXdrCodec<TElement>
{
    public override bool Streams => true;

    public override Task<ResultWriter>? Invoke(ref XdrReader arguments, RpcCallContext context, ref XdrWriter results) =>
        throw new InvalidOperationException("A streamed procedure is started with StartStream.");

    public override ReplyStream StartStream(ref XdrReader arguments, RpcCallContext context, PooledOpaqueScope pooled)
    {
        TArgs args = TArgs.Decode(ref arguments);
        RpcStreamHandler<TArgs, TElement> run = context.Interceptors is { } interceptors ? Intercepted(interceptors) : handler;
        return new ReplyStream<TElement>(run(args, context).GetAsyncEnumerator(context.CallAborted), pooled);
    }

    private WrappedHandler<RpcStreamHandler<TArgs, TElement>>? _wrapped;

    private RpcStreamHandler<TArgs, TElement> Intercepted(RpcServerInterceptor[] interceptors)
    {
        WrappedHandler<RpcStreamHandler<TArgs, TElement>>? wrapped = _wrapped;
        if (wrapped is null || !ReferenceEquals(wrapped.Interceptors, interceptors))
        {
            _wrapped = wrapped = new(interceptors, ServerInterception.Wrap(interceptors, handler));
        }

        return wrapped.Handler;
    }
}
