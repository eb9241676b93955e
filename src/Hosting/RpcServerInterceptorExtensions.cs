using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting;

/// <summary>Adds server interceptors (<see cref="RpcServerInterceptor"/>) to a hosted <see cref="RpcServer"/>.</summary>
public static class RpcServerInterceptorExtensions
{
    /// <summary>
    /// Runs <typeparamref name="TInterceptor"/> around every call the hosted server serves. It is resolved from the
    /// application's services once, when the server starts (registered as a singleton unless already registered), so
    /// its dependencies are singletons too; for per-call services it creates a scope of its own. Interceptors run in the
    /// order they are added, the first outermost, after any listed in <see cref="RpcServerOptions.Interceptors"/> by
    /// <see cref="RpcServerServiceCollectionExtensions.ConfigureServerOptions"/> before it.
    /// </summary>
    /// <typeparam name="TInterceptor">The interceptor.</typeparam>
    /// <param name="builder">The server's builder.</param>
    /// <returns>The builder.</returns>
    public static IRpcServerBuilder AddInterceptor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TInterceptor>(this IRpcServerBuilder builder)
        where TInterceptor : RpcServerInterceptor
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TInterceptor>();
        return builder.ConfigureServerOptions(static (options, services) =>
            options with { Interceptors = [.. options.Interceptors, services.GetRequiredService<TInterceptor>()] });
    }

    /// <summary>Runs the interceptor <paramref name="factory"/> makes, when the server starts, around every call (see <see cref="AddInterceptor{TInterceptor}(IRpcServerBuilder)"/>).</summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="factory">Makes the interceptor from the application's services.</param>
    /// <returns>The builder.</returns>
    public static IRpcServerBuilder AddInterceptor(this IRpcServerBuilder builder, Func<IServiceProvider, RpcServerInterceptor> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return builder.ConfigureServerOptions((options, services) =>
            options with { Interceptors = [.. options.Interceptors, factory(services)] });
    }
}
