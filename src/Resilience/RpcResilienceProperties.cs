using NetRpc.Runtime.Client;
using Polly;

namespace NetRpc.Resilience;

/// <summary>What <see cref="RpcResilienceInterceptor"/> puts in each call's <see cref="ResilienceContext.Properties"/>, for the pipeline's strategies and callbacks.</summary>
public static class RpcResilienceProperties
{
    /// <summary>The call being made.</summary>
    public static ResiliencePropertyKey<RpcClientCallContext> Call { get; } = new("NetRpc.Call");

    /// <summary>Whether the call may be retried (<see cref="RpcResilienceOptions"/>).</summary>
    public static ResiliencePropertyKey<bool> Idempotent { get; } = new("NetRpc.Idempotent");

    /// <summary>Whether the context is of a call <see cref="RpcResilienceInterceptor"/> found idempotent; false when it says nothing.</summary>
    /// <param name="context">The pipeline's context.</param>
    /// <returns>True when the call may be retried.</returns>
    public static bool IsIdempotent(ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Properties.TryGetValue(Idempotent, out bool idempotent) && idempotent;
    }
}
