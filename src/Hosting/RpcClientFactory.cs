using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;

namespace NetRpc.Hosting;

/// <summary>
/// Makes and owns the clients registered with <see cref="RpcClientServiceCollectionExtensions.AddRpcClient{TClient}(IServiceCollection, string?, Action{RpcClientFactoryOptions}?)"/>:
/// one <see cref="RpcClient"/> per name, made on first use from its options and shared (it is thread-safe, and keeps a
/// connection to each of its servers), disposed with the application's services.
/// </summary>
public sealed class RpcClientFactory : IDisposable, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<RpcClientFactoryOptions> _options;
    private readonly Dictionary<string, RpcClientRegistration> _registrations;
    private readonly Dictionary<string, RpcClient> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    internal RpcClientFactory(IServiceProvider services, IOptionsMonitor<RpcClientFactoryOptions> options, IEnumerable<RpcClientRegistration> registrations)
    {
        _services = services;
        _options = options;
        _registrations = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>The named client, made on first use. It belongs to the factory: do not dispose it.</summary>
    /// <param name="name">The name it was registered under.</param>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">No client has that name, or its options name no server.</exception>
    public RpcClient GetClient(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_clients.TryGetValue(name, out RpcClient? client))
            {
                return client;
            }

            if (!_registrations.TryGetValue(name, out RpcClientRegistration? registration))
            {
                throw new InvalidOperationException($"No RPC client is registered as '{name}' (AddRpcClient).");
            }

            client = Create(registration);
            _clients.Add(name, client);
            return client;
        }
    }

    private RpcClient Create(RpcClientRegistration registration)
    {
        RpcClientFactoryOptions settings = _options.Get(registration.Name);
        RpcClientOptions options = settings.Apply(new RpcClientOptions
        {
            LoggerFactory = _services.GetService<ILoggerFactory>(),
            MeterFactory = _services.GetService<IMeterFactory>(),
        });
        foreach (Func<RpcClientOptions, IServiceProvider, RpcClientOptions> step in registration.Steps)
        {
            options = step(options, _services);
        }

        options = registration.WithNames(options);
        RpcEndpointSource servers = settings.Endpoints.Count > 0
            ? RpcEndpointSource.Fixed([.. settings.Endpoints.Select(e => ParseEndpoint(e, registration.Name))])
            : new ServiceDiscoveryEndpointSource(_services.GetRequiredService<ServiceEndpointResolver>(), settings.Service ?? registration.Name, settings.Transport);
        servers = new RpcbindLookupSource(servers, registration.Program, registration.Version, settings.Transport, settings.UseRpcbind, options);
        return settings.Transport == RpcTransport.Udp
            ? RpcClient.CreateUdp(servers, registration.Program, registration.Version, options)
            : RpcClient.CreateTcp(servers, registration.Program, registration.Version, options);
    }

    /// <summary><c>address:port</c>, <c>[v6]:port</c>, <c>host:port</c>, or a host alone (port 0: ask its rpcbind).</summary>
    internal static EndPoint ParseEndpoint(string text, string client)
    {
        if (IPEndPoint.TryParse(text, out IPEndPoint? ip))
        {
            return ip;
        }

        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return text.Length > 0 ? new DnsEndPoint(text, 0) : throw Invalid();
        }

        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port <= IPEndPoint.MaxPort
            ? new DnsEndPoint(text[..colon], port)
            : throw Invalid();

        InvalidOperationException Invalid() => new($"RPC client '{client}': the endpoint '{text}' is not host:port, address:port or a host.");
    }

    /// <summary>Disposes the clients made; later calls of <see cref="GetClient"/> throw.</summary>
    public void Dispose()
    {
        RpcClient[] clients;
        lock (_lock)
        {
            _disposed = true;
            clients = [.. _clients.Values];
            _clients.Clear();
        }

        foreach (RpcClient client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Disposes the clients made (see <see cref="Dispose"/>).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A client AddRpcClient registered: its name, program version, telemetry names and the option changes added in code.</summary>
internal sealed class RpcClientRegistration(string name, uint program, uint version, Func<RpcClientOptions?, RpcClientOptions> withNames)
{
    public string Name { get; } = name;

    public uint Program { get; } = program;

    public uint Version { get; } = version;

    public Func<RpcClientOptions?, RpcClientOptions> WithNames { get; } = withNames;

    public List<Func<RpcClientOptions, IServiceProvider, RpcClientOptions>> Steps { get; } = [];
}

/// <summary>The servers Microsoft.Extensions.ServiceDiscovery resolves a name to, asked for with the transport as scheme (<c>tcp://</c><i>name</i>).</summary>
internal sealed class ServiceDiscoveryEndpointSource(ServiceEndpointResolver resolver, string service, RpcTransport transport) : RpcEndpointSource
{
    private readonly string _query = service.Contains("://", StringComparison.Ordinal) ? service : (transport == RpcTransport.Udp ? "udp://" : "tcp://") + service;

    public override string Name { get; } = service.Contains("://", StringComparison.Ordinal) ? service[(service.IndexOf("://", StringComparison.Ordinal) + 3)..] : service;

    public override async ValueTask<IReadOnlyList<EndPoint>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        ServiceEndpointSource found = await resolver.GetEndpointsAsync(_query, cancellationToken).ConfigureAwait(false);
        return [.. found.Endpoints.Select(e => e.EndPoint is UriEndPoint uri ? new DnsEndPoint(uri.Uri.Host, uri.Uri.IsDefaultPort ? 0 : uri.Uri.Port) : e.EndPoint)];
    }
}

/// <summary>Asks rpcbind where the program is for the endpoints without a port (or for all, when told to); passes the others on.</summary>
internal sealed class RpcbindLookupSource(RpcEndpointSource inner, uint program, uint version, RpcTransport transport, bool all, RpcClientOptions options) : RpcEndpointSource
{
    public override string Name => inner.Name;

    public override TimeSpan RefreshInterval => inner.RefreshInterval;

    public override async ValueTask<IReadOnlyList<EndPoint>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<EndPoint> endpoints = await inner.GetEndpointsAsync(cancellationToken).ConfigureAwait(false);
        EndPoint[] binders = [.. endpoints.Where(e => all || PortOf(e) == 0)];
        if (binders.Length == 0)
        {
            return endpoints;
        }

        IReadOnlyList<EndPoint> found = await ThroughRpcbind(Fixed(binders), program, version, transport, options).GetEndpointsAsync(cancellationToken).ConfigureAwait(false);
        return [.. endpoints.Where(e => !binders.Contains(e)), .. found];
    }

    private static int PortOf(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        _ => -1,
    };
}
