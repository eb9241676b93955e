using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting;

/// <summary>Where a hosted server is in its life.</summary>
public enum RpcServerHostState
{
    /// <summary>The host has not started it.</summary>
    NotStarted,

    /// <summary>Opening endpoints and registering.</summary>
    Starting,

    /// <summary>Serving calls.</summary>
    Listening,

    /// <summary>Unregistering and finishing calls in flight.</summary>
    Stopping,

    /// <summary>Stopped; its endpoints are closed.</summary>
    Stopped,

    /// <summary>Starting failed; see <see cref="RpcServerHost.Failure"/>.</summary>
    Failed,
}

/// <summary>
/// The hosted service that runs the <see cref="RpcServer"/> configured by
/// <see cref="RpcServerServiceCollectionExtensions.AddRpcServer"/>: on start it makes the server, adds the programs,
/// listens on every configured endpoint and registers with rpcbind when configured; on stop it unregisters and waits
/// for calls in flight (within <see cref="RpcServerOptions.ShutdownTimeout"/>, or until the host's token gives up).
/// </summary>
public sealed class RpcServerHost : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptions<RpcServerHostOptions> _options;
    private readonly IOptions<RpcServerCustomization> _customization;
    private readonly IEnumerable<RpcProgramRegistration> _programs;
    private volatile RpcServerHostState _state;
    private RpcServer? _server;
    private RpcbindClient? _rpcbind;

    /// <summary>Made by AddRpcServer's registration.</summary>
    internal RpcServerHost(IServiceProvider services, IOptions<RpcServerHostOptions> options, IOptions<RpcServerCustomization> customization, IEnumerable<RpcProgramRegistration> programs)
    {
        _services = services;
        _options = options;
        _customization = customization;
        _programs = programs;
    }

    /// <summary>Where the server is in its life.</summary>
    public RpcServerHostState State => _state;

    /// <summary>Why starting failed; null otherwise.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The server, once started.</summary>
    public RpcServer? Server => _server;

    /// <summary>The TCP endpoints served (with the ports chosen for port 0); empty until started.</summary>
    public IReadOnlyList<IPEndPoint> TcpEndPoints => _server?.TcpEndPoints ?? [];

    /// <summary>The UDP endpoints served (with the ports chosen for port 0); empty until started.</summary>
    public IReadOnlyList<IPEndPoint> UdpEndPoints => _server?.UdpEndPoints ?? [];

    /// <summary>The rpcbind the programs were registered with; null when not registered.</summary>
    public RpcbindClient? Rpcbind => _rpcbind;

    /// <summary>Makes the server, listens on every endpoint, and registers with rpcbind when configured.</summary>
    /// <param name="cancellationToken">Abandons the start (the registration with rpcbind).</param>
    /// <returns>A task that completes when the server is serving.</returns>
    /// <exception cref="InvalidOperationException">Already started, no endpoint is configured, or no program added.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">An endpoint cannot be bound.</exception>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused a registration.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_state != RpcServerHostState.NotStarted)
        {
            throw new InvalidOperationException($"The RPC server host was already started (it is {_state}).");
        }

        _state = RpcServerHostState.Starting;
        RpcServerHostOptions options = _options.Value;
        RpcServer? server = null;
        try
        {
            if (options.Endpoints.Count == 0)
            {
                throw new InvalidOperationException($"No endpoint to listen on: configure {RpcServerHostOptions.DefaultSectionName}:Endpoints (Transport, Address, Port) or add one in AddRpcServer's callback.");
            }

            RpcProgram[] programs = [.. _programs.Select(p => p.Factory(_services))];
            if (programs.Length == 0)
            {
                throw new InvalidOperationException("No program to serve: add one with AddRpcServer().AddProgram<TService>().");
            }

            var defaults = new RpcServerOptions
            {
                LoggerFactory = _services.GetService<ILoggerFactory>(),
                MeterFactory = _services.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
                DuplicateRequestStore = _services.GetService<Runtime.DuplicateRequests.DuplicateRequestStore>(),
            };
            RpcServerOptions serverOptions = options.ToServerOptions(defaults);
            foreach (Func<RpcServerOptions, IServiceProvider, RpcServerOptions> step in _customization.Value.Steps)
            {
                serverOptions = step(serverOptions, _services);
            }

            server = new RpcServer(serverOptions);
            foreach (RpcProgram program in programs)
            {
                server.AddProgram(program);
            }

            foreach (RpcEndpointOptions endpoint in options.Endpoints)
            {
                IPEndPoint address = endpoint.ToEndPoint();
                _ = endpoint.Transport == RpcTransport.Tcp ? server.ListenTcp(address) : server.ListenUdp(address);
            }

            _server = server;
            if (options.Rpcbind is { Register: true } rpcbind)
            {
                _rpcbind = rpcbind.Address is { } host
                    ? await RegisterAtAsync(server, host, rpcbind.Port ?? RpcbindClient.StandardPort, cancellationToken).ConfigureAwait(false)
                    : await server.RegisterAsync(rpcbind.StartEmbedded, cancellationToken).ConfigureAwait(false);
            }

            _state = RpcServerHostState.Listening;
        }
        catch (Exception e)
        {
            Failure = e;
            _state = RpcServerHostState.Failed;
            _server = null;
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task<RpcbindClient> RegisterAtAsync(RpcServer server, string host, int port, CancellationToken cancellationToken)
    {
        IPAddress address = IPAddress.TryParse(host, out IPAddress? parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false)).First();
        var rpcbind = new RpcbindClient(address, port);
        await server.RegisterAsync(rpcbind, null, cancellationToken).ConfigureAwait(false);
        return rpcbind;
    }

    /// <summary>Unregisters from rpcbind, stops taking calls, and waits for those in flight.</summary>
    /// <param name="cancellationToken">The host's shutdown deadline: stops waiting for calls in flight.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not { } server || _state is RpcServerHostState.Stopped)
        {
            return;
        }

        _state = RpcServerHostState.Stopping;
        try
        {
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _state = RpcServerHostState.Stopped;
        }
    }

    /// <summary>Stops the server if the host did not.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            _state = _state == RpcServerHostState.Failed ? _state : RpcServerHostState.Stopped;
        }
    }
}
