using NetRpc.Runtime;
using NetRpc.Runtime.Client;

namespace NetRpc.Hosting;

/// <summary>
/// A client registered with <see cref="RpcClientServiceCollectionExtensions.AddRpcClient{TClient}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string?, Action{RpcClientFactoryOptions}?)"/>,
/// bindable from configuration (section <c>NetRpc:Clients:</c><i>name</i>): where its servers are and how it calls
/// them. Calls go to the servers in turn: over TCP on a connection to each, over UDP from one socket.
/// </summary>
public sealed class RpcClientFactoryOptions
{
    /// <summary>The configuration section under which each client's section is named: <c>NetRpc:Clients</c>.</summary>
    public const string SectionName = "NetRpc:Clients";

    /// <summary>
    /// The servers, when they are fixed: <c>host:port</c> or <c>address:port</c> (<c>[v6]:port</c>), or a host alone,
    /// whose rpcbind says where the program is. A host name stands for all of its addresses. When empty,
    /// <see cref="Service"/> is looked up instead.
    /// </summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>TCP (the default) or UDP.</summary>
    public RpcTransport Transport { get; set; } = RpcTransport.Tcp;

    /// <summary>
    /// A name Microsoft.Extensions.ServiceDiscovery resolves (its configuration provider, its pass-through of
    /// <c>host:port</c>, DNS SRV or any provider the application adds). A bare name is asked for with the transport as
    /// its scheme, <c>tcp://</c><i>name</i> or <c>udp://</c><i>name</i>, so configuration lists the servers under
    /// <c>Services:</c><i>name</i><c>:tcp</c> (or <c>:udp</c>); a name with a scheme is asked for as it is. Default:
    /// the client's name.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>
    /// True: every endpoint's port is its host's rpcbind (0 or none: 111, then NetRpc's fallback port), which says where
    /// the program is, as clnt_create asks. False or unset: only endpoints without a port are looked up so.
    /// </summary>
    public bool UseRpcbind { get; set; }

    /// <summary>See <see cref="RpcClientOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>See <see cref="RpcClientOptions.ConnectTimeout"/>.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>
    /// See <see cref="RpcClientOptions.RetryOnConnectionLoss"/>: calls stranded on a lost connection are sent again with
    /// their XIDs, to the same server when it comes back within the wait, else to another (failover); over UDP, a call
    /// unanswered once its retransmission wait reaches <see cref="MaxRetransmitInterval"/> goes on to the next server. A server's
    /// duplicate request cache makes a call sent to it twice run once; one that went to another server after its first
    /// server ran it runs twice, so turn this on for calls that may (idempotent ones), or with a cache the servers share.
    /// </summary>
    public bool? RetryOnConnectionLoss { get; set; }

    /// <summary>See <see cref="RpcClientOptions.RetransmitInterval"/>: also the first wait before a lost server is tried again.</summary>
    public TimeSpan? RetransmitInterval { get; set; }

    /// <summary>See <see cref="RpcClientOptions.MaxRetransmitInterval"/>: also the longest wait before a lost server is tried again.</summary>
    public TimeSpan? MaxRetransmitInterval { get; set; }

    /// <summary>See <see cref="RpcClientOptions.MaxInFlight"/>.</summary>
    public int? MaxInFlight { get; set; }

    /// <summary>See <see cref="RpcClientOptions.MaxRecordSize"/>.</summary>
    public int? MaxRecordSize { get; set; }

    /// <summary>See <see cref="RpcClientOptions.ReservedPort"/>.</summary>
    public ReservedPortUse? ReservedPort { get; set; }

    /// <summary>The client options these settings give, over <paramref name="defaults"/>.</summary>
    internal RpcClientOptions Apply(RpcClientOptions defaults) => defaults with
    {
        Timeout = Timeout ?? defaults.Timeout,
        ConnectTimeout = ConnectTimeout ?? defaults.ConnectTimeout,
        RetryOnConnectionLoss = RetryOnConnectionLoss ?? defaults.RetryOnConnectionLoss,
        RetransmitInterval = RetransmitInterval ?? defaults.RetransmitInterval,
        MaxRetransmitInterval = MaxRetransmitInterval ?? defaults.MaxRetransmitInterval,
        MaxInFlight = MaxInFlight ?? defaults.MaxInFlight,
        MaxRecordSize = MaxRecordSize ?? defaults.MaxRecordSize,
        ReservedPort = ReservedPort ?? defaults.ReservedPort,
    };
}
