using Polly;
using Polly.Retry;

namespace NetRpc.Resilience;

/// <summary>Adds NetRpc's retry to a Polly pipeline.</summary>
public static class RpcResiliencePipelineBuilderExtensions
{
    /// <summary>
    /// Adds a retry that tries a call again only when it is idempotent (<see cref="RpcResilienceOptions"/>, as
    /// <see cref="RpcResilienceInterceptor"/> marks it) and <paramref name="options"/>' <c>ShouldHandle</c> agrees (by default
    /// when its failure is transient, <see cref="RpcTransientFailures"/>). A call through the pipeline from anywhere else
    /// is never retried. Each retry is a new call with a new XID, within the deadline the call was given; put a timeout
    /// after this retry (<c>AddTimeout</c>) to bound each attempt.
    /// </summary>
    /// <param name="builder">The pipeline's builder.</param>
    /// <param name="options">How often and how long to wait; null for <see cref="RpcRetryStrategyOptions"/>' defaults. Not changed.</param>
    /// <returns>The builder.</returns>
    public static ResiliencePipelineBuilder AddRpcRetry(this ResiliencePipelineBuilder builder, RpcRetryStrategyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options ??= new RpcRetryStrategyOptions();
        Func<RetryPredicateArguments<object>, ValueTask<bool>> shouldHandle = options.ShouldHandle;
        return builder.AddRetry(new RetryStrategyOptions
        {
            Name = options.Name,
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = options.BackoffType,
            UseJitter = options.UseJitter,
            Delay = options.Delay,
            MaxDelay = options.MaxDelay,
            DelayGenerator = options.DelayGenerator,
            OnRetry = options.OnRetry,
            Randomizer = options.Randomizer,
            ShouldHandle = arguments => RpcResilienceProperties.IsIdempotent(arguments.Context) ? shouldHandle(arguments) : new ValueTask<bool>(false),
        });
    }
}
