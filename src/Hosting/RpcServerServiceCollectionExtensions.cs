using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting;

/// <summary>Adds a hosted <see cref="RpcServer"/> to an application's services.</summary>
public static class RpcServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="RpcServer"/> run by the host (<see cref="RpcServerHost"/>): it listens, and registers with
    /// rpcbind when configured, as the host starts, and unregisters and finishes its calls in flight as the host
    /// stops. Its options bind from the configuration section <see cref="RpcServerHostOptions.DefaultSectionName"/>
    /// (<c>NetRpc:Server</c>), then <paramref name="configure"/> runs. Calling it again adds nothing but
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes the options after configuration is bound; null for none.</param>
    /// <returns>A builder to add programs with.</returns>
    public static IRpcServerBuilder AddRpcServer(this IServiceCollection services, Action<RpcServerHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new RpcServerBuilder(services);
        if (!services.Any(d => d.ServiceType == typeof(RpcServerHost)))
        {
            services.AddOptions<RpcServerHostOptions>().BindConfiguration(RpcServerHostOptions.DefaultSectionName);
            services.AddOptions<RpcServerCustomization>();
            // A factory, not activation: the host's constructor is internal, and nothing needs reflecting on.
            services.TryAddSingleton(static sp => new RpcServerHost(
                sp,
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RpcServerHostOptions>>(),
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RpcServerCustomization>>(),
                sp.GetServices<RpcProgramRegistration>()));
            services.TryAddScoped<RpcCallContextAccessor>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<RpcServerHost>());
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Serves a program version implemented by <typeparamref name="TService"/>, a class derived from an rpcgen-generated
    /// service base: for each call a new dependency injection scope is created, the service is resolved from it (it is
    /// registered as scoped unless already registered), and the scope is disposed when the call's task completes (for
    /// a streamed reply, when the stream ends). Scoped dependencies are therefore per call.
    /// </summary>
    /// <typeparam name="TService">The service implementation.</typeparam>
    /// <param name="builder">The server's builder.</param>
    /// <returns>The builder.</returns>
    public static IRpcServerBuilder AddProgram<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TService>(this IRpcServerBuilder builder)
        where TService : class, IRpcService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TService>();
        builder.Services.AddSingleton(new RpcProgramRegistration(static sp => TService.ToProgram(new ScopedServiceActivator<TService>(sp.GetRequiredService<IServiceScopeFactory>()))));
        return builder;
    }

    /// <summary>Serves a program version made by <paramref name="factory"/> when the server starts (one built by hand, or one instance's <c>ToProgram()</c>).</summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="factory">Makes the program from the application's services.</param>
    /// <returns>The builder.</returns>
    public static IRpcServerBuilder AddProgram(this IRpcServerBuilder builder, Func<IServiceProvider, RpcProgram> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(new RpcProgramRegistration(factory));
        return builder;
    }

    /// <summary>
    /// Changes the server's options where configuration cannot: authenticators, or anything computed. Runs after the
    /// bound options are applied, with the application's services at hand.
    /// </summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="configure">Returns the options to use, given those configured so far.</param>
    /// <returns>The builder.</returns>
    public static IRpcServerBuilder ConfigureServerOptions(this IRpcServerBuilder builder, Func<RpcServerOptions, IServiceProvider, RpcServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<RpcServerCustomization>(c => c.Steps.Add(configure));
        return builder;
    }
}

/// <summary>Adds programs and settings to a hosted <see cref="RpcServer"/>.</summary>
public interface IRpcServerBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

internal sealed class RpcServerBuilder(IServiceCollection services) : IRpcServerBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>A program the hosted server serves, made when it starts.</summary>
internal sealed class RpcProgramRegistration(Func<IServiceProvider, RpcProgram> factory)
{
    public Func<IServiceProvider, RpcProgram> Factory { get; } = factory;
}

/// <summary>What <see cref="RpcServerServiceCollectionExtensions.ConfigureServerOptions"/> added, kept apart from the bound options.</summary>
internal sealed class RpcServerCustomization
{
    public List<Func<RpcServerOptions, IServiceProvider, RpcServerOptions>> Steps { get; } = [];
}

/// <summary>A scope per call: the service comes from a new scope, which is disposed when the call is done.</summary>
internal sealed class ScopedServiceActivator<TService>(IServiceScopeFactory scopes) : IRpcServiceActivator<TService>
    where TService : class
{
    public TService Activate(RpcCallContext context, out IAsyncDisposable? lifetime)
    {
        AsyncServiceScope scope = scopes.CreateAsyncScope();
        try
        {
            scope.ServiceProvider.GetRequiredService<RpcCallContextAccessor>().Context = context;
            TService service = scope.ServiceProvider.GetRequiredService<TService>();
            lifetime = scope;
            return service;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }
}

/// <summary>The call a per-call scope serves, for the scoped services that need it (inject this into them).</summary>
public sealed class RpcCallContextAccessor
{
    /// <summary>The call; null outside a call's scope.</summary>
    public RpcCallContext? Context { get; internal set; }
}
