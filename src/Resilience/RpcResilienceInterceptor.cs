using System.Collections.Frozen;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;
using Polly;

namespace NetRpc.Resilience;

/// <summary>
/// Runs a client's calls through a Polly <see cref="ResiliencePipeline"/>: a retry (<see cref="RpcResiliencePipelineBuilderExtensions.AddRpcRetry"/>),
/// a timeout per attempt, a circuit breaker, whatever the pipeline holds. List it in <see cref="RpcClientOptions.Interceptors"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each call gets a <see cref="ResilienceContext"/> whose properties say which call it is (<see cref="RpcResilienceProperties.Call"/>)
/// and whether it may be retried (<see cref="RpcResilienceProperties.Idempotent"/>, from <see cref="RpcResilienceOptions"/>), and
/// whose cancellation token each attempt is sent with, so a timeout strategy cancels the attempt. The call's own deadline
/// (<see cref="RpcClientOptions.Timeout"/>, or the call's options) bounds all the attempts together: an attempt begun after it
/// fails at once with <see cref="RpcTimeoutException"/>, which is not retried.
/// </para>
/// <para>
/// The runtime already sends a call again with the same XID (UDP retransmission, <see cref="RpcClientOptions.RetryOnConnectionLoss"/>),
/// which a server's duplicate request cache recognizes and answers once. A retry from the pipeline is a new call with a new XID:
/// the server runs it again. So a procedure that is not idempotent is sent at most once: should the pipeline try it again
/// (a retry other than <c>AddRpcRetry</c>, or hedging), the attempt is not sent and fails with
/// <see cref="InvalidOperationException"/>, whose inner exception is the first attempt's failure.
/// </para>
/// </remarks>
public sealed class RpcResilienceInterceptor : RpcClientInterceptor
{
    private readonly ResiliencePipeline _pipeline;
    private readonly FrozenSet<uint> _procedures;
    private readonly FrozenSet<string> _names;
    private readonly Func<RpcClientCallContext, bool>? _predicate;

    /// <summary>An interceptor that runs calls through <paramref name="pipeline"/>.</summary>
    /// <param name="pipeline">The pipeline; from DI, <c>ResiliencePipelineProvider&lt;string&gt;.GetPipeline(key)</c>.</param>
    /// <param name="options">Which procedures are idempotent; null: NULL alone.</param>
    public RpcResilienceInterceptor(ResiliencePipeline pipeline, RpcResilienceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
        _procedures = ((IEnumerable<uint>?)options?.IdempotentProcedures ?? []).Append(0u).ToFrozenSet();
        _names = ((IEnumerable<string>?)options?.IdempotentProcedureNames ?? []).ToFrozenSet(StringComparer.Ordinal);
        _predicate = options?.IsIdempotent;
    }

    /// <summary>Whether a call may be retried: NULL, a procedure listed by number or name, or one the predicate picks.</summary>
    /// <param name="context">The call.</param>
    /// <returns>True when it may be retried.</returns>
    public bool IsIdempotent(RpcClientCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _procedures.Contains(context.Procedure)
            || (context.ProcedureName is { } name && _names.Contains(name))
            || (_predicate?.Invoke(context) ?? false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var attempts = new Attempts<TArgs, TResult>(arguments, context, next, IsIdempotent(context));
        ResilienceContext resilience = ResilienceContextPool.Shared.Get(context.CancellationToken);
        try
        {
            resilience.Properties.Set(RpcResilienceProperties.Call, context);
            resilience.Properties.Set(RpcResilienceProperties.Idempotent, attempts.Idempotent);
            return await _pipeline.ExecuteAsync(static (resilience, attempts) => attempts.RunAsync(resilience.CancellationToken), resilience, attempts).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>The attempts of one call; a call that is not idempotent is sent once at most.</summary>
    private sealed class Attempts<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next, bool idempotent)
        where TArgs : IXdrCodec<TArgs>
        where TResult : IXdrCodec<TResult>
    {
        private int _count;
        private Exception? _first;

        public bool Idempotent => idempotent;

        public async ValueTask<TResult> RunAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _count) > 1 && !idempotent)
            {
                string name = context.ProcedureName is { } procedureName ? $" ({procedureName})" : string.Empty;
                throw new InvalidOperationException(
                    $"Procedure {context.Procedure}{name} of program {context.Program} version {context.Version} is not idempotent, and the resilience pipeline tried it again; it was not sent again. Retry with AddRpcRetry, which leaves such calls alone, or mark the procedure idempotent in RpcResilienceOptions if running it twice is harmless.",
                    Volatile.Read(ref _first));
            }

            try
            {
                return await next(arguments, cancellationToken == context.CancellationToken ? context : context.WithCancellationToken(cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _first, e, null);
                throw;
            }
        }
    }
}
