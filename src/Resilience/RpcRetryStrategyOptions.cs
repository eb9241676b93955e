using Polly;
using Polly.Retry;

namespace NetRpc.Resilience;

/// <summary>
/// A retry of NetRpc calls, for <see cref="RpcResiliencePipelineBuilderExtensions.AddRpcRetry"/>: Polly's retry options,
/// with <see cref="RetryStrategyOptions{TResult}.ShouldHandle"/> set to <see cref="RpcTransientFailures.Predicate"/>, and
/// Polly's defaults otherwise (3 retries, exponential back-off from 2 seconds with jitter).
/// </summary>
public class RpcRetryStrategyOptions : RetryStrategyOptions
{
    /// <summary>Options that retry the transient failures, with exponential back-off and jitter.</summary>
    public RpcRetryStrategyOptions()
    {
        Name = "NetRpcRetry";
        ShouldHandle = RpcTransientFailures.Predicate;
        BackoffType = DelayBackoffType.Exponential;
        UseJitter = true;
    }
}
