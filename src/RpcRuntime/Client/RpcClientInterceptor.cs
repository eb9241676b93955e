using System.Runtime.CompilerServices;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Client;

/// <summary>The rest of a client's interceptor chain: the next interceptor, or the call itself.</summary>
/// <typeparam name="TArgs">The arguments.</typeparam>
/// <typeparam name="TResult">The results.</typeparam>
/// <param name="arguments">The arguments to send.</param>
/// <param name="context">The call, as this interceptor passes it on (see <see cref="RpcClientCallContext.WithCancellationToken"/>).</param>
/// <returns>The results.</returns>
public delegate ValueTask<TResult> RpcClientContinuation<TArgs, TResult>(TArgs arguments, RpcClientCallContext context);

/// <summary>
/// Runs around a client's calls: logging, timing, credentials, caching, retries (NetRpc.Resilience). Interceptors are listed
/// in <see cref="RpcClientOptions.Interceptors"/>; the first listed is the outermost, so it sees a call first and its
/// outcome last. Each gets the arguments, the call's <see cref="RpcClientCallContext"/> (program, version and procedure by
/// number and, where the options name them, by name; credential; timeout, deadline and cancellation token) and
/// <c>next</c>: awaiting it sends the call and gives its results, or throws what the call failed with (an
/// <see cref="RpcException"/> subtype, or <see cref="OperationCanceledException"/>). An interceptor short-circuits by not
/// calling <c>next</c> (returning results of its own, or throwing), and may call it again: each call of <c>next</c> is a
/// new call with a new XID, unlike the runtime's own retransmissions, which resend the same XID.
/// </summary>
/// <remarks>
/// Calls made with <c>CallAsync</c> (every generated client procedure) are intercepted; one-way calls
/// (<see cref="RpcClient.SendOneWayAsync"/>, <see cref="RpcClient.BatchAsync"/>) and streamed replies
/// (<see cref="RpcClient.CallStreamAsync"/>) are not. Each call of <c>next</c> is one span and one
/// <c>rpc.client.call.duration</c> measurement. With no interceptor a call allocates nothing more than before
/// interceptors existed.
/// </remarks>
public abstract class RpcClientInterceptor
{
    /// <summary>Runs around a call. The base implementation calls <paramref name="next"/>.</summary>
    /// <typeparam name="TArgs">The arguments.</typeparam>
    /// <typeparam name="TResult">The results.</typeparam>
    /// <param name="arguments">The arguments.</param>
    /// <param name="context">The call.</param>
    /// <param name="next">The next interceptor, or the call itself.</param>
    /// <returns>The results.</returns>
    /// <exception cref="RpcException">The call failed; the derived type says how.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public virtual ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        ArgumentNullException.ThrowIfNull(next);
        return next(arguments, context);
    }
}

/// <summary>
/// One call as a client's interceptors see it. Immutable: an interceptor that changes the cancellation token or the
/// credential passes a copy (<see cref="WithCancellationToken"/>, <see cref="WithCredential"/>) to <c>next</c>.
/// </summary>
public sealed class RpcClientCallContext
{
    private AuthSysParameters? _authSys;

    internal RpcClientCallContext(RpcClient client, uint procedure, RpcCredential credential, TimeSpan timeout, long deadline, CancellationToken cancellationToken)
    {
        Client = client;
        Procedure = procedure;
        Credential = credential;
        Timeout = timeout;
        DeadlineTicks = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The client making the call.</summary>
    public RpcClient Client { get; }

    /// <summary>The program number.</summary>
    public uint Program => Client.Program;

    /// <summary>The program version.</summary>
    public uint Version => Client.Version;

    /// <summary>The procedure number.</summary>
    public uint Procedure { get; }

    /// <summary>The program's name, when <see cref="RpcClientOptions.ProgramName"/> gives it; otherwise null.</summary>
    public string? ProgramName => Client.Options.ProgramName;

    /// <summary>The procedure's name, when <see cref="RpcClientOptions.ProcedureNames"/> gives it; otherwise null.</summary>
    public string? ProcedureName => Client.Options.ProcedureNames is { } names && names.TryGetValue(Procedure, out string? name) ? name : null;

    /// <summary>The credential the call is sent with: the call's own (<see cref="RpcCallOptions.Credential"/>) or the client's.</summary>
    public RpcCredential Credential { get; }

    /// <summary>The credential's flavor (AUTH_NONE, AUTH_SYS, ...).</summary>
    public AuthFlavor Flavor => Credential.Credential.Flavor;

    /// <summary>The AUTH_SYS identity (machine name, uid, gid, gids) the credential carries; null for another flavor.</summary>
    public AuthSysParameters? AuthSys => Credential.Credential.Flavor == AuthFlavor.Sys
        ? _authSys ??= AuthSysParameters.TryParse(Credential.Credential.Body.Span)
        : null;

    /// <summary>
    /// The time the call was given when it was made (the client's <see cref="RpcClientOptions.Timeout"/>, or the call's
    /// <see cref="RpcCallOptions"/>). It bounds the whole call, every call of <c>next</c> included: one made after the
    /// deadline fails at once with <see cref="RpcTimeoutException"/>, without being sent.
    /// </summary>
    public TimeSpan Timeout { get; }

    /// <summary>When the call must be over, <see cref="Timeout"/> after it was made (read from the monotonic clock, given in UTC).</summary>
    public DateTimeOffset Deadline
    {
        get
        {
            long left = DeadlineTicks - Environment.TickCount64;
            DateTimeOffset now = DateTimeOffset.UtcNow;
            return left >= (DateTimeOffset.MaxValue - now).TotalMilliseconds ? DateTimeOffset.MaxValue : now.AddMilliseconds(left);
        }
    }

    /// <summary>Cancels the call (it may still run on the server).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The deadline on <see cref="Environment.TickCount64"/>'s clock.</summary>
    internal long DeadlineTicks { get; }

    /// <summary>This call with another cancellation token, as a resilience pipeline passes its own to each attempt.</summary>
    /// <param name="cancellationToken">The token.</param>
    /// <returns>A copy.</returns>
    public RpcClientCallContext WithCancellationToken(CancellationToken cancellationToken) =>
        new(Client, Procedure, Credential, Timeout, DeadlineTicks, cancellationToken);

    /// <summary>This call with another credential (a refreshed one, say).</summary>
    /// <param name="credential">The credential.</param>
    /// <returns>A copy.</returns>
    public RpcClientCallContext WithCredential(RpcCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new(Client, Procedure, credential, Timeout, DeadlineTicks, CancellationToken);
    }
}

/// <summary>A client's interceptors wrapped around the call, built once per interceptor list and argument and result types.</summary>
internal static class ClientInterception<TArgs, TResult>
    where TArgs : IXdrCodec<TArgs>
    where TResult : IXdrCodec<TResult>
{
    private static readonly ConditionalWeakTable<RpcClientInterceptor[], RpcClientContinuation<TArgs, TResult>> s_chains = new();

    private static readonly RpcClientContinuation<TArgs, TResult> s_send = static (arguments, context) => context.Client.Continue<TArgs, TResult>(arguments, context);

    public static RpcClientContinuation<TArgs, TResult> Chain(RpcClientInterceptor[] interceptors) =>
        s_chains.TryGetValue(interceptors, out RpcClientContinuation<TArgs, TResult>? chain) ? chain : s_chains.GetValue(interceptors, Build);

    private static RpcClientContinuation<TArgs, TResult> Build(RpcClientInterceptor[] interceptors)
    {
        RpcClientContinuation<TArgs, TResult> next = s_send;
        for (int i = interceptors.Length - 1; i >= 0; i--)
        {
            RpcClientInterceptor interceptor = interceptors[i];
            RpcClientContinuation<TArgs, TResult> inner = next;
            next = (arguments, context) => interceptor.InterceptAsync(arguments, context, inner);
        }

        return next;
    }
}
