using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using NetRpc.Runtime.Client;

namespace NetRpc.Hosting;

/// <summary>Adds rpcgen-generated clients, made by an <see cref="RpcClientFactory"/>, to an application's services.</summary>
public static class RpcClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <typeparamref name="TClient"/>, an rpcgen-generated client class, as a singleton over a client the
    /// <see cref="RpcClientFactory"/> makes and owns: keyed by <paramref name="name"/>, and unkeyed for the first client
    /// of the class registered. Its servers and settings bind from the configuration section
    /// <c>NetRpc:Clients:</c><paramref name="name"/> (<see cref="RpcClientFactoryOptions"/>), then
    /// <paramref name="configure"/> runs. The servers are the <see cref="RpcClientFactoryOptions.Endpoints"/> listed, or
    /// what Microsoft.Extensions.ServiceDiscovery resolves <see cref="RpcClientFactoryOptions.Service"/> to (added with
    /// its configuration and pass-through providers unless the application added service discovery already); hosts
    /// without a port are asked through rpcbind. Calls go to the servers in turn, over TCP or UDP.
    /// </summary>
    /// <typeparam name="TClient">The generated client class.</typeparam>
    /// <param name="services">The application's services.</param>
    /// <param name="name">The client's name: its configuration section and its service name by default. Null: the class's name.</param>
    /// <param name="configure">Changes the settings after configuration is bound; null for none.</param>
    /// <returns>A builder for what configuration cannot say (credentials, interceptors).</returns>
    /// <exception cref="ArgumentException">Another client is registered under the name.</exception>
    public static IRpcClientBuilder AddRpcClient<TClient>(this IServiceCollection services, string? name = null, Action<RpcClientFactoryOptions>? configure = null)
        where TClient : class, IRpcClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(services);
        name ??= typeof(TClient).Name;
        if (services.Any(d => d.ServiceType == typeof(RpcClientRegistration) && d.ImplementationInstance is RpcClientRegistration r && r.Name == name))
        {
            throw new ArgumentException($"An RPC client is registered as '{name}' already.", nameof(name));
        }

        if (!services.Any(d => d.ServiceType == typeof(ServiceEndpointResolver)))
        {
            services.AddServiceDiscovery();
        }

        services.TryAddSingleton(static sp => new RpcClientFactory(
            sp,
            sp.GetRequiredService<IOptionsMonitor<RpcClientFactoryOptions>>(),
            sp.GetServices<RpcClientRegistration>()));
        var registration = new RpcClientRegistration(name, TClient.Program, TClient.Version, TClient.WithNames);
        services.AddSingleton(registration);
        services.AddOptions<RpcClientFactoryOptions>(name).BindConfiguration($"{RpcClientFactoryOptions.SectionName}:{name}");
        if (configure is not null)
        {
            services.Configure(name, configure);
        }

        // Keyed by its name, so that clients of one generated class with other settings (other servers, UDP) stand side by
        // side; the first registered is also the class's unkeyed service.
        services.AddKeyedSingleton(name, (sp, _) => TClient.Create(sp.GetRequiredService<RpcClientFactory>().GetClient(name)));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<TClient>(name));
        return new RpcClientBuilder(services, name, registration);
    }

    /// <summary>
    /// Adds <typeparamref name="TClient"/> as <see cref="AddRpcClient{TClient}(IServiceCollection, string?, Action{RpcClientFactoryOptions}?)"/>
    /// does, and <typeparamref name="TInterface"/> (its generated interface, which tests can fake) as the same instance.
    /// </summary>
    /// <typeparam name="TInterface">The generated client interface.</typeparam>
    /// <typeparam name="TClient">The generated client class.</typeparam>
    /// <param name="services">The application's services.</param>
    /// <param name="name">The client's name; null: the class's name.</param>
    /// <param name="configure">Changes the settings after configuration is bound; null for none.</param>
    /// <returns>A builder for what configuration cannot say.</returns>
    public static IRpcClientBuilder AddRpcClient<TInterface, TClient>(this IServiceCollection services, string? name = null, Action<RpcClientFactoryOptions>? configure = null)
        where TInterface : class
        where TClient : class, TInterface, IRpcClient<TClient>
    {
        IRpcClientBuilder builder = services.AddRpcClient<TClient>(name, configure);
        services.AddKeyedSingleton<TInterface>(builder.Name, static (sp, key) => sp.GetRequiredKeyedService<TClient>(key));
        services.TryAddSingleton<TInterface>(static sp => sp.GetRequiredService<TClient>());
        return builder;
    }

    /// <summary>Changes the client's options where configuration cannot: a credential, or anything computed. Runs after the bound settings.</summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Returns the options to use, given those so far.</param>
    /// <returns>The builder.</returns>
    public static IRpcClientBuilder ConfigureClientOptions(this IRpcClientBuilder builder, Func<RpcClientOptions, IServiceProvider, RpcClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        ((RpcClientBuilder)builder).Registration.Steps.Add(configure);
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="TInterceptor"/> around this client's calls. It is resolved from the application's
    /// services when the client is made (registered as a singleton unless already registered); interceptors run in the
    /// order added, the first outermost.
    /// </summary>
    /// <typeparam name="TInterceptor">The interceptor.</typeparam>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The builder.</returns>
    public static IRpcClientBuilder AddInterceptor<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TInterceptor>(this IRpcClientBuilder builder)
        where TInterceptor : RpcClientInterceptor
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TInterceptor>();
        return builder.ConfigureClientOptions(static (options, services) =>
            options with { Interceptors = [.. options.Interceptors, services.GetRequiredService<TInterceptor>()] });
    }
}

/// <summary>Adds to a client registered with AddRpcClient what configuration cannot say.</summary>
public interface IRpcClientBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The client's name.</summary>
    string Name { get; }
}

internal sealed class RpcClientBuilder(IServiceCollection services, string name, RpcClientRegistration registration) : IRpcClientBuilder
{
    public IServiceCollection Services { get; } = services;

    public string Name { get; } = name;

    public RpcClientRegistration Registration { get; } = registration;
}
