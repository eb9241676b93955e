using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.Hosting;

/// <summary>Health checks for NetRpc: the hosted server, and a program version served elsewhere.</summary>
public static class RpcHealthCheckBuilderExtensions
{
    /// <summary>
    /// Checks the hosted server (<see cref="RpcServerHost"/>): Healthy while it listens; Unhealthy before it has started,
    /// when starting failed, and once it is stopping.
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name. Default <c>netrpc-server</c>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRpcServerCheck(this IHealthChecksBuilder builder, string name = "netrpc-server", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, static sp => new RpcServerHealthCheck(sp.GetRequiredService<RpcServerHost>()), HealthStatus.Unhealthy, tags));
    }

    /// <summary>
    /// Checks a program version served elsewhere with a NULL call (procedure 0), which every ONC RPC server answers:
    /// Healthy when it answers within <see cref="RpcProgramHealthCheckOptions.Timeout"/>, and the check's failure status
    /// (Unhealthy by default) when it does not, is not registered, or refuses the version.
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="options">Where the program version is, and how long to wait.</param>
    /// <param name="failureStatus">The status reported on failure; null: Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRpcProgramCheck(this IHealthChecksBuilder builder, string name, RpcProgramHealthCheckOptions options, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Add(new HealthCheckRegistration(name, _ => new RpcProgramHealthCheck(options), failureStatus, tags));
    }
}

/// <summary>Healthy while the hosted server listens.</summary>
/// <param name="host">The hosted server.</param>
public sealed class RpcServerHealthCheck(RpcServerHost host) : IHealthCheck
{
    /// <summary>Reports the hosted server's state.</summary>
    /// <param name="context">The check's registration.</param>
    /// <param name="cancellationToken">Unused: the answer is at hand.</param>
    /// <returns>Healthy while listening; otherwise the registration's failure status, saying why.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        RpcServerHostState state = host.State;
        HealthCheckResult result = state == RpcServerHostState.Listening
            ? HealthCheckResult.Healthy($"listening on TCP [{string.Join(", ", host.TcpEndPoints)}] and UDP [{string.Join(", ", host.UdpEndPoints)}]")
            : new HealthCheckResult(context.Registration.FailureStatus, $"the RPC server is {state}", host.Failure);
        return Task.FromResult(result);
    }
}

/// <summary>Where a program version checked by <see cref="RpcProgramHealthCheck"/> is served.</summary>
public sealed record RpcProgramHealthCheckOptions
{
    /// <summary>The host: a name or an address.</summary>
    public required string Host { get; init; }

    /// <summary>The port; null: asked of the host's rpcbind, as clnt_create does (then an unregistered program is unhealthy).</summary>
    public int? Port { get; init; }

    /// <summary>The program number.</summary>
    public required uint Program { get; init; }

    /// <summary>The version number.</summary>
    public required uint Version { get; init; }

    /// <summary>TCP or UDP. Default TCP.</summary>
    public RpcTransport Transport { get; init; } = RpcTransport.Tcp;

    /// <summary>How long the NULL call (and the rpcbind lookup) may take. Default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>A NULL call to a program version: healthy when it is answered in time.</summary>
/// <param name="options">Where the program version is.</param>
public sealed class RpcProgramHealthCheck(RpcProgramHealthCheckOptions options) : IHealthCheck
{
    /// <summary>Calls NULL once.</summary>
    /// <param name="context">The check's registration.</param>
    /// <param name="cancellationToken">Abandons the call.</param>
    /// <returns>Healthy when answered; otherwise the registration's failure status, with the RPC error.</returns>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A probe repeated every few seconds must not use up the host's reserved ports, as libtirpc's default would.
        var clientOptions = new RpcClientOptions { Timeout = options.Timeout, ConnectTimeout = options.Timeout, ReservedPort = ReservedPortUse.Never };
        string what = $"program {options.Program} version {options.Version} on {options.Host} ({options.Transport})";
        try
        {
            await using RpcClient client = await CreateClientAsync(clientOptions, cancellationToken).ConfigureAwait(false);
            await client.CallAsync<XdrVoid, XdrVoid>(0, default, options.Timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{what} answers NULL");
        }
        catch (Exception e) when (e is RpcException or System.Net.Sockets.SocketException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{what}: {e.Message}", e);
        }
    }

    private async Task<RpcClient> CreateClientAsync(RpcClientOptions clientOptions, CancellationToken cancellationToken)
    {
        if (options.Port is not { } port)
        {
            return await RpcClient.CreateAsync(options.Host, options.Program, options.Version, options.Transport, clientOptions, cancellationToken).ConfigureAwait(false);
        }

        EndPoint server = IPAddress.TryParse(options.Host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(options.Host, port);
        return options.Transport == RpcTransport.Tcp
            ? RpcClient.CreateTcp(server, options.Program, options.Version, clientOptions)
            : RpcClient.CreateUdp(server, options.Program, options.Version, clientOptions);
    }
}
