using System.Net;
using NetRpc.Runtime;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting;

/// <summary>
/// An <see cref="RpcServer"/> as a host runs it, bindable from configuration (section <see cref="DefaultSectionName"/>):
/// where it listens, its limits, its duplicate request caches and its registration with rpcbind. A limit left unset
/// keeps <see cref="RpcServerOptions"/>' default, which is documented there.
/// </summary>
public sealed class RpcServerHostOptions
{
    /// <summary>The configuration section <see cref="RpcServerServiceCollectionExtensions.AddRpcServer(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{RpcServerHostOptions}?)"/> binds: <c>NetRpc:Server</c>.</summary>
    public const string DefaultSectionName = "NetRpc:Server";

    /// <summary>Where to listen; at least one is needed. Each is a transport, an address and a port (0 picks a free one).</summary>
    public IList<RpcEndpointOptions> Endpoints { get; } = [];

    /// <summary>See <see cref="RpcServerOptions.MaxConnections"/>.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxConnectionsPerAddress"/>.</summary>
    public int? MaxConnectionsPerAddress { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxRecordSize"/>.</summary>
    public int? MaxRecordSize { get; set; }

    /// <summary>See <see cref="RpcServerOptions.IdleTimeout"/>; <c>-00:00:00.001</c> (infinite) is its default.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>See <see cref="RpcServerOptions.RecordTimeout"/>.</summary>
    public TimeSpan? RecordTimeout { get; set; }

    /// <summary>See <see cref="RpcServerOptions.WriteTimeout"/>.</summary>
    public TimeSpan? WriteTimeout { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxQueuedReplyBytesPerConnection"/>.</summary>
    public int? MaxQueuedReplyBytesPerConnection { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxQueuedReplyBytes"/>.</summary>
    public long? MaxQueuedReplyBytes { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxDatagramSize"/>.</summary>
    public int? MaxDatagramSize { get; set; }

    /// <summary>See <see cref="RpcServerOptions.UdpReceiveBufferSize"/>; 0 leaves the system's default.</summary>
    public int? UdpReceiveBufferSize { get; set; }

    /// <summary>See <see cref="RpcServerOptions.UdpSendBufferSize"/>; 0 leaves the system's default.</summary>
    public int? UdpSendBufferSize { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxUdpCallsInFlight"/>.</summary>
    public int? MaxUdpCallsInFlight { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxUdpCallsInFlightPerAddress"/>.</summary>
    public int? MaxUdpCallsInFlightPerAddress { get; set; }

    /// <summary>See <see cref="RpcServerOptions.UdpReceiveThreads"/>.</summary>
    public int? UdpReceiveThreads { get; set; }

    /// <summary>See <see cref="RpcServerOptions.MaxPendingCallsPerConnection"/>.</summary>
    public int? MaxPendingCallsPerConnection { get; set; }

    /// <summary>See <see cref="RpcServerOptions.ShutdownTimeout"/>: how long stopping waits for calls in flight.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>See <see cref="RpcServerOptions.SpinBeforeSleep"/>.</summary>
    public TimeSpan? SpinBeforeSleep { get; set; }

    /// <summary>The duplicate request cache for UDP calls; on unless <see cref="DuplicateRequestCacheHostOptions.Enabled"/> says false.</summary>
    public DuplicateRequestCacheHostOptions UdpDuplicateRequestCache { get; set; } = new();

    /// <summary>The duplicate request cache for TCP calls; off unless <see cref="DuplicateRequestCacheHostOptions.Enabled"/> says true.</summary>
    public DuplicateRequestCacheHostOptions TcpDuplicateRequestCache { get; set; } = new();

    /// <summary>Whether, and with which rpcbind, the programs are registered when the host starts.</summary>
    public RpcbindRegistrationOptions Rpcbind { get; set; } = new();

    /// <summary>RPCSEC_GSS with Kerberos v5 (<see cref="RpcServerOptions.RpcsecGss"/>).</summary>
    public RpcsecGssHostOptions RpcsecGss { get; set; } = new();

    /// <summary>The server's options: <paramref name="defaults"/> (which carry what configuration cannot, such as authenticators and the logger factory) with every value set here.</summary>
    /// <param name="defaults">The options to start from.</param>
    /// <returns>The options the server is made with.</returns>
    /// <exception cref="InvalidOperationException">A duplicate request cache is configured with no value where one is needed.</exception>
    public RpcServerOptions ToServerOptions(RpcServerOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        // Each option by name, not by reflection: what is bindable is exactly what is listed here.
        return defaults with
        {
            MaxConnections = MaxConnections ?? defaults.MaxConnections,
            MaxConnectionsPerAddress = MaxConnectionsPerAddress ?? defaults.MaxConnectionsPerAddress,
            MaxRecordSize = MaxRecordSize ?? defaults.MaxRecordSize,
            IdleTimeout = IdleTimeout ?? defaults.IdleTimeout,
            RecordTimeout = RecordTimeout ?? defaults.RecordTimeout,
            WriteTimeout = WriteTimeout ?? defaults.WriteTimeout,
            MaxQueuedReplyBytesPerConnection = MaxQueuedReplyBytesPerConnection ?? defaults.MaxQueuedReplyBytesPerConnection,
            MaxQueuedReplyBytes = MaxQueuedReplyBytes ?? defaults.MaxQueuedReplyBytes,
            MaxDatagramSize = MaxDatagramSize ?? defaults.MaxDatagramSize,
            UdpReceiveBufferSize = UdpReceiveBufferSize is { } receive ? (receive == 0 ? null : receive) : defaults.UdpReceiveBufferSize,
            UdpSendBufferSize = UdpSendBufferSize is { } send ? (send == 0 ? null : send) : defaults.UdpSendBufferSize,
            MaxUdpCallsInFlight = MaxUdpCallsInFlight ?? defaults.MaxUdpCallsInFlight,
            MaxUdpCallsInFlightPerAddress = MaxUdpCallsInFlightPerAddress ?? defaults.MaxUdpCallsInFlightPerAddress,
            UdpReceiveThreads = UdpReceiveThreads ?? defaults.UdpReceiveThreads,
            MaxPendingCallsPerConnection = MaxPendingCallsPerConnection ?? defaults.MaxPendingCallsPerConnection,
            ShutdownTimeout = ShutdownTimeout ?? defaults.ShutdownTimeout,
            SpinBeforeSleep = SpinBeforeSleep ?? defaults.SpinBeforeSleep,
            UdpDuplicateRequestCache = UdpDuplicateRequestCache.Apply(defaults.UdpDuplicateRequestCache),
            TcpDuplicateRequestCache = TcpDuplicateRequestCache.Apply(defaults.TcpDuplicateRequestCache),
            RpcsecGss = RpcsecGss.Apply(defaults.RpcsecGss),
        };
    }
}

/// <summary>One endpoint a hosted server listens on.</summary>
public sealed class RpcEndpointOptions
{
    /// <summary>TCP or UDP. Default TCP.</summary>
    public RpcTransport Transport { get; set; } = RpcTransport.Tcp;

    /// <summary>
    /// The address to listen on: an IP address (<c>127.0.0.1</c>, <c>0.0.0.0</c>, <c>::</c>), <c>localhost</c> (IPv4
    /// loopback) or <c>*</c> (every IPv6 and IPv4 address). Default <c>127.0.0.1</c>: a server is reachable from other
    /// hosts only when its configuration says so.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 (the default) picks a free one, which rpcbind registration then publishes.</summary>
    public int Port { get; set; }

    /// <summary>The endpoint as a socket address.</summary>
    /// <returns>The address and port.</returns>
    /// <exception cref="FormatException">The address is none of the accepted forms.</exception>
    public IPEndPoint ToEndPoint()
    {
        IPAddress address = Address switch
        {
            "*" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(Address, out IPAddress? parsed) => parsed,
            _ => throw new FormatException($"NetRpc:Server endpoint address '{Address}' is not an IP address, 'localhost' or '*'."),
        };
        return new IPEndPoint(address, Port);
    }
}

/// <summary>A duplicate request cache as configuration describes it; unset values keep <see cref="DuplicateRequestCacheOptions"/>' defaults.</summary>
public sealed class DuplicateRequestCacheHostOptions
{
    /// <summary>Whether the cache is on; unset keeps the server's default (on for UDP, off for TCP).</summary>
    public bool? Enabled { get; set; }

    /// <summary>See <see cref="DuplicateRequestCacheOptions.MaxEntries"/>.</summary>
    public int? MaxEntries { get; set; }

    /// <summary>See <see cref="DuplicateRequestCacheOptions.MaxBytes"/>.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>See <see cref="DuplicateRequestCacheOptions.JournalPath"/>: a file that keeps the cache across restarts.</summary>
    public string? JournalPath { get; set; }

    /// <summary>The cache's options: <paramref name="defaults"/> (null: off) changed by what is set here.</summary>
    internal DuplicateRequestCacheOptions? Apply(DuplicateRequestCacheOptions? defaults)
    {
        bool enabled = Enabled ?? (defaults is not null || MaxEntries is not null || MaxBytes is not null || JournalPath is not null);
        if (!enabled)
        {
            return null;
        }

        DuplicateRequestCacheOptions start = defaults ?? new DuplicateRequestCacheOptions();
        return start with
        {
            MaxEntries = MaxEntries ?? start.MaxEntries,
            MaxBytes = MaxBytes ?? start.MaxBytes,
            JournalPath = JournalPath ?? start.JournalPath,
        };
    }
}

/// <summary>RPCSEC_GSS as configuration describes it; unset values keep <see cref="RpcsecGssServerOptions"/>' defaults. The service's keys come from the keytab KRB5_KTNAME names.</summary>
public sealed class RpcsecGssHostOptions
{
    /// <summary>Whether the server takes RPCSEC_GSS; unset keeps what the code set (off by default), unless a value below is set.</summary>
    public bool? Enabled { get; set; }

    /// <summary>See <see cref="RpcsecGssServerOptions.SequenceWindow"/>.</summary>
    public uint? SequenceWindow { get; set; }

    /// <summary>See <see cref="RpcsecGssServerOptions.MaxContexts"/>.</summary>
    public int? MaxContexts { get; set; }

    /// <summary>The server's RPCSEC_GSS options: <paramref name="defaults"/> (null: off) changed by what is set here.</summary>
    internal RpcsecGssServerOptions? Apply(RpcsecGssServerOptions? defaults)
    {
        if (!(Enabled ?? (defaults is not null || SequenceWindow is not null || MaxContexts is not null)))
        {
            return null;
        }

        RpcsecGssServerOptions start = defaults ?? new RpcsecGssServerOptions();
        return start with
        {
            SequenceWindow = SequenceWindow ?? start.SequenceWindow,
            MaxContexts = MaxContexts ?? start.MaxContexts,
        };
    }
}

/// <summary>Registration of a hosted server's programs with rpcbind, as rpcgen's servers register at start.</summary>
public sealed class RpcbindRegistrationOptions
{
    /// <summary>Register every program version on every endpoint when the host starts, and unregister when it stops. Default false.</summary>
    public bool Register { get; set; }

    /// <summary>
    /// The rpcbind's address; unset: this host's, searched on port 111 and then on NetRpc's fallback port, as
    /// <see cref="RpcServer.RegisterAsync(bool, CancellationToken)"/> does.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The rpcbind's port, with <see cref="Address"/> (default 111).</summary>
    public int? Port { get; set; }

    /// <summary>When no rpcbind answers on this host, start NetRpc's embedded one in this process (only without <see cref="Address"/>). Default false.</summary>
    public bool StartEmbedded { get; set; }
}
