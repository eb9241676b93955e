using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetRpc.Runtime.DuplicateRequests;

namespace NetRpc.DuplicateRequests.Redis;

/// <summary>
/// Registers the fleet's shared duplicate request cache as the application's <see cref="DuplicateRequestStore"/>, which
/// NetRpc.Hosting's server takes (<c>AddRpcServer</c>). The store connects when the first call asks it, so a server starts
/// while Redis is still down (its programs' <see cref="Runtime.Server.RpcProgram.DuplicateRequestStoreFailure"/> answers meanwhile).
/// </summary>
public static class RedisDuplicateRequestStoreServiceCollectionExtensions
{
    /// <summary>Registers the store with options bound from <c>NetRpc:Server:DuplicateRequestStore:Redis</c>, then changed by <paramref name="configure"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The application's configuration, where the section is read.</param>
    /// <param name="configure">Changes the options after binding; null for none.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRedisDuplicateRequestStore(this IServiceCollection services, IConfiguration configuration, Action<RedisDuplicateRequestStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RedisDuplicateRequestStoreOptions>().Bind(configuration.GetSection(RedisDuplicateRequestStoreOptions.DefaultSectionName));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddSingleton(static sp => new RedisDuplicateRequestStore(
            sp.GetRequiredService<IOptions<RedisDuplicateRequestStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.AddSingleton<DuplicateRequestStore>(static sp => sp.GetRequiredService<RedisDuplicateRequestStore>());
        return services;
    }
}
