using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Registry;

namespace NetRpc.Resilience;

/// <summary>Registers resilience pipelines for NetRpc clients.</summary>
public static class RpcResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers a resilience pipeline under <paramref name="key"/> (Polly's <c>AddResiliencePipeline</c>, so its telemetry
    /// goes to the application's logger and meter factories, enriched when the application calls Microsoft.Extensions.Resilience's
    /// <c>AddResilienceEnricher</c>), and an
    /// <see cref="RpcResilienceInterceptor"/> over it as a keyed singleton under the same key:
    /// <c>services.GetRequiredKeyedService&lt;RpcResilienceInterceptor&gt;(key)</c> gives the interceptor to list in a
    /// client's <c>RpcClientOptions.Interceptors</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="key">The pipeline's and the interceptor's key.</param>
    /// <param name="configure">Builds the pipeline (<see cref="RpcResiliencePipelineBuilderExtensions.AddRpcRetry"/>, <c>AddTimeout</c>, <c>AddCircuitBreaker</c>, ...).</param>
    /// <param name="idempotency">Says which procedures may be retried; null: NULL alone.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRpcResilience(this IServiceCollection services, string key, Action<ResiliencePipelineBuilder> configure, Action<RpcResilienceOptions>? idempotency = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddResiliencePipeline(key, configure);
        var options = new RpcResilienceOptions();
        idempotency?.Invoke(options);
        services.AddKeyedSingleton(key, (provider, _) => new RpcResilienceInterceptor(provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(key), options));
        return services;
    }
}
