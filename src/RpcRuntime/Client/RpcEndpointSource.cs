using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;

namespace NetRpc.Runtime.Client;

/// <summary>
/// Where a client's calls may go: the servers of one program version. A client made with
/// <see cref="RpcClient.CreateTcp(RpcEndpointSource, uint, uint, RpcClientOptions?)"/> asks for them when it connects,
/// when a server is lost, and every <see cref="RefreshInterval"/> while it is in use; it keeps a connection to each and
/// sends its calls to them in turn. A <see cref="DnsEndPoint"/> in the list stands for every address its name has.
/// Implement it to plug in any registry; NetRpc.Hosting adapts Microsoft.Extensions.ServiceDiscovery.
/// </summary>
public abstract class RpcEndpointSource
{
    /// <summary>How long a client keeps the endpoints it was given before it asks again (servers added since join then). Default 30 seconds.</summary>
    public virtual TimeSpan RefreshInterval => TimeSpan.FromSeconds(30);

    /// <summary>The name the endpoints go by, for messages and telemetry (<c>server.address</c>): a service name, a host.</summary>
    public abstract string Name { get; }

    /// <summary>The servers now.</summary>
    /// <param name="cancellationToken">Abandons the lookup.</param>
    /// <returns>The endpoints; an empty list when the service has none now.</returns>
    public abstract ValueTask<IReadOnlyList<EndPoint>> GetEndpointsAsync(CancellationToken cancellationToken);

    /// <summary>A fixed list of servers.</summary>
    /// <param name="endpoints">The servers' addresses and ports (a <see cref="DnsEndPoint"/> for each address of a name).</param>
    /// <returns>The source.</returns>
    public static RpcEndpointSource Fixed(params IReadOnlyList<EndPoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0 || endpoints.Any(e => e is null))
        {
            throw new ArgumentException("Give at least one endpoint, and no null.", nameof(endpoints));
        }

        return new FixedSource([.. endpoints]);
    }

    /// <summary>
    /// The servers of a program version found through rpcbind (clnt_create's lookup: version 4, then 3, then the
    /// portmapper) on each host another source gives: a host's port is its rpcbind's, and a port of 0 means rpcbind's
    /// usual ports (111, then <see cref="RpcbindClient.FallbackPort"/>). A host that does not answer, or does not serve
    /// the program version, is left out.
    /// </summary>
    /// <param name="hosts">Where the rpcbinds are.</param>
    /// <param name="program">The program number.</param>
    /// <param name="version">The program version.</param>
    /// <param name="transport">Where the calls go: the program's TCP or UDP address.</param>
    /// <param name="options">The lookup's credential and timeouts (at most 10 seconds each); null means the defaults.</param>
    /// <returns>The source.</returns>
    public static RpcEndpointSource ThroughRpcbind(RpcEndpointSource hosts, uint program, uint version, RpcTransport transport, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return new RpcbindSource(hosts, program, version, transport, options ?? new RpcClientOptions());
    }

    /// <summary>Every address of the endpoints' names, IPv4 first (as clnt_create tries them), without repeats.</summary>
    internal static async ValueTask<List<IPEndPoint>> ResolveAsync(IReadOnlyList<EndPoint> endpoints, CancellationToken cancellationToken)
    {
        var resolved = new List<IPEndPoint>();
        foreach (EndPoint endpoint in endpoints)
        {
            switch (endpoint)
            {
                case IPEndPoint ip:
                    Add(ip);
                    break;
                case DnsEndPoint dns when IPAddress.TryParse(dns.Host, out IPAddress? literal):
                    Add(new IPEndPoint(literal, dns.Port));
                    break;
                case DnsEndPoint dns:
                    IPAddress[] addresses;
                    try
                    {
                        addresses = await Dns.GetHostAddressesAsync(dns.Host, dns.AddressFamily, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException)
                    {
                        continue; // an unknown name is a server not there now
                    }

                    foreach (IPAddress address in addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1))
                    {
                        Add(new IPEndPoint(address, dns.Port));
                    }

                    break;
                default:
                    throw new NotSupportedException($"An RPC endpoint is an address and port or a host name and port, not {endpoint.GetType().Name} ({endpoint}).");
            }
        }

        return resolved;

        void Add(IPEndPoint endpoint)
        {
            if (!resolved.Contains(endpoint))
            {
                resolved.Add(endpoint);
            }
        }
    }

    private sealed class FixedSource(EndPoint[] endpoints) : RpcEndpointSource
    {
        public override string Name { get; } = endpoints[0] is DnsEndPoint dns ? dns.Host : endpoints[0].ToString() ?? "server";

        public override TimeSpan RefreshInterval => Timeout.InfiniteTimeSpan;

        public override ValueTask<IReadOnlyList<EndPoint>> GetEndpointsAsync(CancellationToken cancellationToken) => new(endpoints);
    }

    private sealed class RpcbindSource(RpcEndpointSource hosts, uint program, uint version, RpcTransport transport, RpcClientOptions options) : RpcEndpointSource
    {
        // rpcbind's own calls: no interceptors (a retry policy keyed on procedure numbers would misread GETADDR's), a short timeout.
        private readonly RpcClientOptions _lookup = options with
        {
            Timeout = TimeSpan.FromTicks(Math.Min(options.Timeout.Ticks, TimeSpan.FromSeconds(10).Ticks)),
            Interceptors = [],
        };

        public override string Name => hosts.Name;

        public override TimeSpan RefreshInterval => hosts.RefreshInterval;

        public override async ValueTask<IReadOnlyList<EndPoint>> GetEndpointsAsync(CancellationToken cancellationToken)
        {
            List<IPEndPoint> binders = await ResolveAsync(await hosts.GetEndpointsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            IPEndPoint?[] found = await Task.WhenAll(binders.Select(binder => LookUpAsync(binder, cancellationToken))).ConfigureAwait(false);
            return [.. found.OfType<IPEndPoint>().Distinct()];
        }

        private async Task<IPEndPoint?> LookUpAsync(IPEndPoint binder, CancellationToken cancellationToken)
        {
            int[] ports = binder.Port == 0 ? [.. RpcbindClient.SearchPorts] : [binder.Port];
            foreach (int port in ports)
            {
                try
                {
                    return await new RpcbindClient(binder.Address, port, _lookup).ResolveAsync(program, version, transport, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    // Not answering on this port: the next, or the host is left out.
                }
            }

            return null;
        }
    }
}
