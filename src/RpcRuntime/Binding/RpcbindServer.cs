using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.Binding;

/// <summary>How an embedded <see cref="RpcbindServer"/> runs.</summary>
public sealed record RpcbindServerOptions
{
    /// <summary>The port, TCP and UDP: 111 (RFC 1833), or <see cref="RpcbindClient.FallbackPort"/> where 111 cannot be bound.</summary>
    public int Port { get; init; } = RpcbindClient.StandardPort;

    /// <summary>
    /// Where to listen; null means every address, IPv6 and IPv4 together (or IPv4 alone where the host has no IPv6).
    /// </summary>
    public IPAddress? Address { get; init; }

    /// <summary>
    /// Take SET and UNSET from any address, not only from this host's loopback (native rpcbind's -i). Off by
    /// default: anyone who can register can send this host's clients anywhere.
    /// </summary>
    public bool AllowRemoteRegistration { get; init; }

    /// <summary>
    /// The local (AF_UNIX) socket served besides TCP and UDP when the port is 111, as native rpcbind's: libtirpc's
    /// servers register through it and <c>rpcinfo</c> without a host asks through it. Default /run/rpcbind.sock;
    /// null turns it off. Where it cannot be created (no permission), the server runs without it.
    /// </summary>
    public string? LocalSocketPath { get; init; } = "/run/rpcbind.sock";

    /// <summary>
    /// Forward CALLIT, BCAST and INDIRECT calls that arrive over UDP to the program they name (native rpcbind's
    /// -r). Off by default: a small request for a large reply, sent with a forged source address, makes any
    /// forwarding binder a traffic amplifier.
    /// </summary>
    public bool ForwardCalls { get; init; }

    /// <summary>How long a forwarded call may take before it is dropped. Default 5 s.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most registrations held, the server's own included; SET fails past it. Default 4096.</summary>
    public int MaxRegistrations { get; init; } = 4096;

    /// <summary>
    /// The most registrations one owner other than the superuser may hold; its next SET is FALSE. The owner is what
    /// the caller proves, as native rpcbind records it: on the local socket its uid (<c>superuser</c> for root), over
    /// loopback <c>superuser</c> from a privileged port, else <c>unknown</c>, which every unprivileged caller over
    /// loopback shares. Null (the default) means a sixteenth of <see cref="MaxRegistrations"/>: 256 of 4096.
    /// Native rpcbind has no such limit, so one local user could fill the registry.
    /// </summary>
    public int? MaxRegistrationsPerOwner { get; init; }

    /// <summary>
    /// How many of <see cref="MaxRegistrations"/> only the superuser may take: all other owners together hold at most
    /// the rest, so however many users register, root's servers can still register that many. Null (the default)
    /// means a quarter of <see cref="MaxRegistrations"/>: 1024 of 4096.
    /// </summary>
    public int? ReservedForSuperuser { get; init; }

    /// <summary>Where logs go; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where metrics are created (the server's meter); a process-wide meter by default.</summary>
    public IMeterFactory? MeterFactory { get; init; }
}

/// <summary>
/// An embedded rpcbind: the portmapper (version 2) and rpcbind (versions 3 and 4) of RFC 1833 on TCP and UDP,
/// behaving as native rpcbind 1.2.6 does, so that rpcinfo and libtirpc's programs cannot tell it apart. SET and
/// UNSET are taken only from this host; CALLIT, BCAST and INDIRECT do not forward. Run it where a host has no
/// rpcbind (the <c>netrpc-rpcbind</c> command, or inside a process).
/// </summary>
public sealed class RpcbindServer : IAsyncDisposable
{
    private readonly RpcServer _server;
    private readonly RpcbindRegistry _registry;

    private RpcbindServer(RpcServer server, RpcbindRegistry registry, IPEndPoint tcp, IPEndPoint udp)
    {
        _server = server;
        _registry = registry;
        TcpEndPoint = tcp;
        UdpEndPoint = udp;
    }

    /// <summary>Where it serves TCP.</summary>
    public IPEndPoint TcpEndPoint { get; }

    /// <summary>Where it serves UDP.</summary>
    public IPEndPoint UdpEndPoint { get; }

    /// <summary>The registrations now, its own included, in the order made.</summary>
    public IReadOnlyList<RpcbMapping> Registrations =>
        [.. _registry.All().Select(r => new RpcbMapping { Prog = r.Program, Vers = r.Version, Netid = r.NetId, Address = r.Address, Owner = r.Owner })];

    /// <summary>Starts serving.</summary>
    /// <param name="options">Port, address, rules; null means the defaults (port 111, every address).</param>
    /// <returns>The running server.</returns>
    /// <exception cref="SocketException">The port cannot be bound (in use, or 111 without the privilege).</exception>
    public static RpcbindServer Start(RpcbindServerOptions? options = null)
    {
        options ??= new RpcbindServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRegistrations, 16, nameof(options));
        int perOwner = options.MaxRegistrationsPerOwner ?? options.MaxRegistrations / 16;
        int reserved = options.ReservedForSuperuser ?? options.MaxRegistrations / 4;
        if (perOwner < 1 || perOwner > options.MaxRegistrations)
        {
            throw new ArgumentOutOfRangeException(nameof(options), perOwner, $"MaxRegistrationsPerOwner must be between 1 and MaxRegistrations ({options.MaxRegistrations}).");
        }

        if (reserved < 0 || reserved > options.MaxRegistrations)
        {
            throw new ArgumentOutOfRangeException(nameof(options), reserved, $"ReservedForSuperuser must be between 0 and MaxRegistrations ({options.MaxRegistrations}).");
        }

        var registry = new RpcbindRegistry(options.MaxRegistrations, perOwner, reserved);
        var core = new RpcbindCore(registry, options);
        // One thread takes the datagrams, in the order they came, as native rpcbind's single loop does: a call counts
        // in GETSTAT before the next one on the same socket is answered.
        var server = new RpcServer(new RpcServerOptions { LoggerFactory = options.LoggerFactory, MeterFactory = options.MeterFactory, UdpReceiveThreads = 1 });
        try
        {
            server.AddProgram(CountedProgram.Wrap(new PortmapperService(core).ToProgram(), core.Statistics));
            server.AddProgram(CountedProgram.Wrap(new RpcbindV3Service(core).ToProgram(), core.Statistics));
            server.AddProgram(CountedProgram.Wrap(new RpcbindV4Service(core).ToProgram(), core.Statistics));
            IPEndPoint tcp;
            IPEndPoint udp;
            IPAddress address = options.Address ?? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any);
            try
            {
                tcp = server.ListenTcp(new IPEndPoint(address, options.Port));
            }
            catch (SocketException e) when (options.Address is null && address.Equals(IPAddress.IPv6Any) && e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
            {
                address = IPAddress.Any;
                tcp = server.ListenTcp(new IPEndPoint(address, options.Port));
            }

            udp = server.ListenUdp(new IPEndPoint(address, tcp.Port));

            // Ready for TCP and UDP before the local socket appears, as native rpcbind is ready for them before it
            // serves anything: whoever sees the socket file finds the binder complete.
            core.Serve(NetIdsServed(address, local: false));
            RegisterItself(registry, address, tcp.Port);
            if (options.Port == RpcbindClient.StandardPort && options.LocalSocketPath is { } path && MayListenLocal(path))
            {
                core.Serve(NetIdsServed(address, local: true));
                RegisterLocal(registry, path);
                if (!ListenLocal(server, path))
                {
                    registry.Unset(Rpcbind.Program, 4, Netconfig.Local, RpcbindRegistry.Superuser);
                    registry.Unset(Rpcbind.Program, 3, Netconfig.Local, RpcbindRegistry.Superuser);
                    core.Serve(NetIdsServed(address, local: false));
                }
            }

            return new RpcbindServer(server, registry, tcp, udp);
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>The RPC server behind it (tests look at its connections).</summary>
    internal RpcServer Server => _server;

    /// <summary>Stops serving; the registrations are forgotten.</summary>
    /// <param name="cancellationToken">Stops waiting for calls in flight.</param>
    /// <returns>A task that completes when it has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => _server.StopAsync(cancellationToken);

    /// <summary>Stops serving (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when it has stopped.</returns>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static bool MayListenLocal(string path) => OperatingSystem.IsLinux() && Directory.Exists(Path.GetDirectoryName(path));

    /// <summary>The local socket, where the host allows it: without it rpcbind still serves TCP and UDP, as libtirpc falls back to loopback.</summary>
    private static bool ListenLocal(RpcServer server, string path)
    {
        try
        {
            server.ListenLocal(path);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The netids of the transports served: native rpcbind's for the same sockets.</summary>
    private static IEnumerable<string> NetIdsServed(IPAddress address, bool local)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6)
        {
            yield return "tcp6";
            yield return "udp6";
        }

        if (!v6 || address.Equals(IPAddress.IPv6Any))
        {
            yield return "tcp";
            yield return "udp";
        }

        if (local)
        {
            yield return Netconfig.Local;
        }
    }

    /// <summary>Native rpcbind lists itself: versions 3 and 4 on IPv6, then 2, 3 and 4 on IPv4, for TCP and UDP (then 3 and 4 on its local socket, <see cref="RegisterLocal"/>).</summary>
    private static void RegisterItself(RpcbindRegistry registry, IPAddress address, int port)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        bool v4 = !v6 || address.Equals(IPAddress.IPv6Any);
        IPAddress v4Address = v6 ? IPAddress.Any : address;
        if (v6)
        {
            foreach (string netId in new[] { "tcp6", "udp6" })
            {
                foreach (uint version in new uint[] { 4, 3 })
                {
                    registry.SetOwn(new Registration(Rpcbind.Program, version, netId, UniversalAddress.Format(new IPEndPoint(address, port)), RpcbindRegistry.Superuser));
                }
            }
        }

        if (v4)
        {
            foreach (string netId in new[] { "tcp", "udp" })
            {
                foreach (uint version in new uint[] { 4, 3, 2 })
                {
                    registry.SetOwn(new Registration(Rpcbind.Program, version, netId, UniversalAddress.Format(new IPEndPoint(v4Address, port)), RpcbindRegistry.Superuser));
                }
            }
        }
    }

    private static void RegisterLocal(RpcbindRegistry registry, string path)
    {
        foreach (uint version in new uint[] { 4, 3 })
        {
            registry.SetOwn(new Registration(Rpcbind.Program, version, Netconfig.Local, path, RpcbindRegistry.Superuser));
        }
    }
}
