using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Binding;

/// <summary>
/// A host's rpcbind, seen from a client or a server: where a program version is served (rpcbind version 4,
/// then 3, then the portmapper's version 2, as libtirpc asks), and registering and unregistering a server's
/// programs. The generated <see cref="RpcbindV4Client"/>, <see cref="RpcbindV3Client"/> and
/// <see cref="PortmapperV2Client"/> give every procedure of the protocol.
/// </summary>
public sealed class RpcbindClient
{
    /// <summary>rpcbind's port (RFC 1833).</summary>
    public const int StandardPort = 111;

    /// <summary>The local socket libtirpc registers through, where native rpcbind runs (<c>/run/rpcbind.sock</c>).</summary>
    public static readonly string[] LocalSocketPaths = ["/run/rpcbind.sock", "/var/run/rpcbind.sock"];

    private static readonly RpcClientOptions s_defaults = new() { Timeout = TimeSpan.FromSeconds(10), RetransmitInterval = TimeSpan.FromMilliseconds(500) };

    private readonly IPAddress _host;
    private readonly int _port;
    private readonly RpcClientOptions _options;

    /// <summary>The rpcbind of a host.</summary>
    /// <param name="host">The host's address.</param>
    /// <param name="port">rpcbind's port: 111, or <see cref="FallbackPort"/> for an embedded rpcbind that may not bind 111.</param>
    /// <param name="options">Timeouts and the like for the calls to rpcbind; null means 10 seconds, retransmitting every half second.</param>
    public RpcbindClient(IPAddress host, int port = StandardPort, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        _host = host;
        _port = port;
        _options = options ?? s_defaults;
    }

    /// <summary>
    /// The port NetRpc's embedded rpcbind serves on where it may not bind 111 (a process without the privilege),
    /// and where NetRpc's clients and servers look when nothing answers on 111: 16111, or the environment
    /// variable <c>NETRPC_RPCBIND_PORT</c>. Native tools (rpcinfo) know only 111.
    /// </summary>
    public static int FallbackPort { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("NETRPC_RPCBIND_PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536 ? port : 16111;

    /// <summary>Where NetRpc looks for this host's rpcbind, in order: the standard port, then the fallback port.</summary>
    internal static int[] SearchPorts => [StandardPort, FallbackPort];

    /// <summary>
    /// The r_owner a SET or UNSET carries: the effective uid in decimal, as libtirpc's rpcb_set sends it. rpcbind ignores
    /// it (the owner is who the caller is), and a name would cost a user-database lookup at every server's start.
    /// </summary>
    private static string Owner => Auth.UnixIds.Current().Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The host.</summary>
    public IPAddress Host => _host;

    /// <summary>rpcbind's port on it.</summary>
    public int Port => _port;

    /// <summary>
    /// Where a program version is served on a transport: rpcbind version 4 GET_ADDR, then version 3, then the
    /// portmapper's GET_PORT, each asked over that transport (rpcbind answers for the transport it is asked on).
    /// </summary>
    /// <param name="program">The program number.</param>
    /// <param name="version">The version.</param>
    /// <param name="transport">TCP or UDP.</param>
    /// <param name="cancellationToken">Abandons the lookup.</param>
    /// <returns>The address, or null when the program is not registered.</returns>
    /// <exception cref="RpcException">rpcbind could not be asked (RpcConnectionException, RpcTimeoutException, ...).</exception>
    public async Task<IPEndPoint?> ResolveAsync(uint program, uint version, RpcTransport transport, CancellationToken cancellationToken = default)
    {
        var query = new RpcbMapping { Prog = program, Vers = version, Netid = UniversalAddress.NetId(transport, _host.AddressFamily), Owner = string.Empty, Address = string.Empty };
        foreach (uint binder in new uint[] { 4, 3 })
        {
            string address;
            try
            {
                address = binder == 4
                    ? await WithV4(transport, c => c.GetAddrAsync(query, cancellationToken)).ConfigureAwait(false)
                    : await WithV3(transport, c => c.GetAddrAsync(query, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcProgramMismatchException or RpcProgramUnavailableException or RpcProcedureUnavailableException)
            {
                continue; // an older binder: ask the next version
            }

            if (address.Length == 0)
            {
                return null;
            }

            if (!UniversalAddress.TryParse(address, out IPEndPoint? endPoint))
            {
                throw new RpcProtocolException($"RPC: rpcbind answered '{address}', which is not a universal address");
            }

            return Located(endPoint);
        }

        if (_host.AddressFamily != AddressFamily.InterNetwork)
        {
            return null; // the portmapper knows IPv4 alone
        }

        uint port = await WithV2(transport, c => c.GetPortAsync(new PortMapping { Prog = program, Vers = version, Protocol = UniversalAddress.PortmapperProtocol(transport) }, cancellationToken)).ConfigureAwait(false);
        return port == 0 ? null : new IPEndPoint(_host, (int)port);
    }

    /// <summary>
    /// Registers a program version served on a transport at an endpoint, after removing what that program version
    /// had on the same transport (rpcgen's servers do the same). Through rpcbind version 4 (the local socket where
    /// native rpcbind has one), or the portmapper where the binder is older.
    /// </summary>
    /// <param name="program">The program number.</param>
    /// <param name="version">The version.</param>
    /// <param name="transport">TCP or UDP.</param>
    /// <param name="endPoint">Where it is served; any-address endpoints (0.0.0.0, ::) mean every address of the host.</param>
    /// <param name="cancellationToken">Abandons the registration.</param>
    /// <returns>A task that completes when it is registered.</returns>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused it: another address is registered, or the caller may not register (not on this host).</exception>
    /// <exception cref="RpcException">rpcbind could not be asked.</exception>
    public Task RegisterAsync(uint program, uint version, RpcTransport transport, IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return RegisterAsync([(program, version, transport, endPoint)], cancellationToken);
    }

    /// <summary>
    /// Registers each program version, transport and endpoint as the single-registration overload does, all over one
    /// connection to rpcbind, in order: a server's programs on each of its transports, as one svc_reg after another,
    /// the UNSETs sent together, then the SETs, and their answers read in order.
    /// </summary>
    /// <exception cref="RpcbindRegistrationException">rpcbind refused one: those before it stay registered, and those after it may be (all are sent at once).</exception>
    /// <exception cref="RpcException">rpcbind could not be asked.</exception>
    internal async Task RegisterAsync(IReadOnlyList<(uint Program, uint Version, RpcTransport Transport, IPEndPoint EndPoint)> registrations, CancellationToken cancellationToken)
    {
        if (registrations.Count == 0)
        {
            return;
        }

        // rpcbind holds one address per program, version and netid: of several (two IPv4 endpoints on one transport),
        // the last is the one registered, as when each was unset and set in turn.
        RpcbMapping[] mappings = [.. registrations.Select(r => Mapping(r.Program, r.Version, r.Transport, r.EndPoint, Owner))
            .GroupBy(m => (m.Prog, m.Vers, m.Netid)).Select(g => g.Last())];
        int current = 0;
        try
        {
            if (RegisterLocally(mappings) is { } answers)
            {
                for (current = 0; current < mappings.Length; current++)
                {
                    if (!answers[current])
                    {
                        throw new RpcbindRegistrationException($"rpcbind at {_host}:{_port} refused to register {Describe(mappings[current])}: it holds another address for it, or it is full (in all, or for this caller's owner).");
                    }
                }

                return;
            }

            await WithRegistrar(async client =>
            {
                // The UNSETs together, then the SETs together, their answers read in order: two round trips at a
                // server's start instead of two per registration. Not each SET right behind its UNSET: a binder may run
                // a connection's calls out of order (NetRpc's own does), and a SET overtaken by its UNSET would be undone.
                await Task.WhenAll(mappings.Select(m => client.UnsetAsync(m, cancellationToken))).ConfigureAwait(false);
                Task<bool>[] sets = [.. mappings.Select(m => client.SetAsync(m, cancellationToken))];
                try
                {
                    for (current = 0; current < mappings.Length; current++)
                    {
                        if (!await sets[current].ConfigureAwait(false))
                        {
                            throw new RpcbindRegistrationException($"rpcbind at {_host}:{_port} refused to register {Describe(mappings[current])}: it holds another address for it, or it is full (in all, or for this caller's owner).");
                        }
                    }
                }
                catch
                {
                    // The answers after the one that failed are not read: their faults are not unobserved ones.
                    foreach (Task<bool> set in sets)
                    {
                        _ = set.ContinueWith(static c => c.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }

                    throw;
                }

                return true;
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcProgramMismatchException or RpcProgramUnavailableException && mappings.All(m => m.Netid is "tcp" or "udp"))
        {
            // A portmapper without rpcbind 3 and 4: version 2 registers IPv4 alone.
            await WithV2(RpcTransport.Udp, async c =>
            {
                for (int i = 0; i < registrations.Count; i++)
                {
                    (uint program, uint version, RpcTransport transport, IPEndPoint endPoint) = registrations[i];
                    var port = new PortMapping { Prog = program, Vers = version, Protocol = UniversalAddress.PortmapperProtocol(transport), Port = (uint)endPoint.Port };
                    await c.UnsetAsync(port, cancellationToken).ConfigureAwait(false);
                    if (!await c.SetAsync(port, cancellationToken).ConfigureAwait(false))
                    {
                        throw new RpcbindRegistrationException($"the portmapper at {_host}:{_port} refused to register {Describe(Mapping(program, version, transport, endPoint, Owner))}.");
                    }
                }

                return true;
            }).ConfigureAwait(false);
        }
        catch (RpcAuthenticationException e)
        {
            throw new RpcbindRegistrationException($"rpcbind at {_host}:{_port} refused to register {Describe(mappings[Math.Min(current, mappings.Length - 1)])}: {e.Status} (it takes registrations only from its own host).", e);
        }
    }

    /// <summary>
    /// Where native rpcbind's local socket is (and this client is the host's standard rpcbind): the UNSETs sent together,
    /// then the SETs, and their answers read, on the caller's thread, with blocking calls bounded by the timeout. A
    /// server's start then makes no client, so neither its receive thread nor the timer thread (bench/first-reply.sh).
    /// </summary>
    /// <returns>The SETs' answers; null when there is no local socket, or nothing accepts on it (a file left behind).</returns>
    /// <exception cref="RpcException">rpcbind refused the calls (an older binder: RpcProgramMismatchException), or did not answer in time.</exception>
    private bool[]? RegisterLocally(RpcbMapping[] mappings)
    {
        if (_port != StandardPort || !IPAddress.IsLoopback(_host) || LocalSocketPaths.FirstOrDefault(File.Exists) is not { } path)
        {
            return null;
        }

        int timeout = (int)Math.Clamp(_options.Timeout.TotalMilliseconds, 1, int.MaxValue);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { SendTimeout = timeout, ReceiveTimeout = timeout };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return null;
        }

        try
        {
            _ = Exchange(socket, Rpcbind.RpcbindV4.Unset, mappings);
            return Exchange(socket, Rpcbind.RpcbindV4.Set, mappings);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new RpcTimeoutException(_options.Timeout);
        }
        catch (SocketException e)
        {
            throw new RpcConnectionException($"RPC: Connection to rpcbind's local socket {path} lost: {e.Message}", e);
        }
    }

    /// <summary>One call of <paramref name="procedure"/> (rpcbind version 4) per mapping, sent together; their answers, read in any order.</summary>
    private bool[] Exchange(Socket socket, uint procedure, RpcbMapping[] mappings)
    {
        uint first = (uint)Random.Shared.Next();
        using (var calls = new PooledBufferWriter(256 * mappings.Length))
        {
            for (int i = 0; i < mappings.Length; i++)
            {
                int start = RecordMarking.BeginRecord(calls);
                var writer = new XdrWriter(calls);
                new CallHeader(unchecked(first + (uint)i), Rpcbind.Program, Rpcbind.RpcbindV4.Version, procedure, _options.Credential.Credential, _options.Credential.Verifier).Encode(ref writer);
                mappings[i].Encode(ref writer);
                writer.Flush();
                RecordMarking.EndRecord(calls, start);
            }

            SocketIo.SendAll(socket, calls.WrittenSpan);
        }

        bool[] answers = new bool[mappings.Length];
        bool[] answered = new bool[mappings.Length];
        using var replies = new RecordReader(_options.MaxRecordSize);
        for (int left = mappings.Length; left > 0;)
        {
            if (!replies.TryReadRecord(out ReadOnlyMemory<byte> record))
            {
                if (replies.Receive(socket) == 0)
                {
                    throw new RpcConnectionException("RPC: rpcbind closed its local socket before answering");
                }

                continue;
            }

            try
            {
                var reader = new XdrReader(record.Span);
                uint index = ReplyHeader.TryReadStart(ref reader, out uint xid) ? unchecked(xid - first) : uint.MaxValue;
                if (index >= (uint)mappings.Length || answered[index])
                {
                    continue; // not an answer to these calls
                }

                ReplyHeader header = ReplyHeader.DecodeBody(ref reader, xid);
                if (RpcClient.FailureOf(header, Rpcbind.Program, Rpcbind.RpcbindV4.Version, procedure, _options.Credential) is { } failure)
                {
                    throw failure;
                }

                answers[index] = reader.ReadBoolean();
                answered[index] = true;
                left--;
            }
            catch (XdrException e)
            {
                throw new RpcProtocolException($"RPC: rpcbind's answer could not be decoded: {e.Message}", e);
            }
        }

        return answers;
    }

    private static RpcbMapping Mapping(uint program, uint version, RpcTransport transport, IPEndPoint endPoint, string owner)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return new RpcbMapping
        {
            Prog = program,
            Vers = version,
            Netid = UniversalAddress.NetId(transport, address.AddressFamily),
            Address = UniversalAddress.Format(new IPEndPoint(address, endPoint.Port)),
            Owner = owner,
        };
    }

    private static string Describe(RpcbMapping mapping) => $"program {mapping.Prog} version {mapping.Vers} on {mapping.Netid} at {mapping.Address}";

    /// <summary>Removes every registration of a program version (all transports).</summary>
    /// <param name="program">The program number.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Abandons it.</param>
    /// <returns>True when rpcbind removed them (or had none).</returns>
    /// <exception cref="RpcException">rpcbind could not be asked.</exception>
    public async Task<bool> UnregisterAsync(uint program, uint version, CancellationToken cancellationToken = default)
    {
        var mapping = new RpcbMapping { Prog = program, Vers = version, Netid = string.Empty, Address = string.Empty, Owner = Owner };
        try
        {
            return await WithRegistrar(c => c.UnsetAsync(mapping, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcProgramMismatchException or RpcProgramUnavailableException)
        {
            return await WithV2(RpcTransport.Udp, c => c.UnsetAsync(new PortMapping { Prog = program, Vers = version }, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Every registration (rpcbind version 4 DUMP, or the portmapper's where the binder is older).</summary>
    /// <param name="cancellationToken">Abandons it.</param>
    /// <returns>The registrations, in rpcbind's order.</returns>
    /// <exception cref="RpcException">rpcbind could not be asked.</exception>
    public async Task<IReadOnlyList<RpcbMapping>> DumpAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<RpcbMapping>();
        try
        {
            for (RpcbMappingList? node = await WithV4(RpcTransport.Tcp, c => c.DumpAsync(cancellationToken)).ConfigureAwait(false); node is not null; node = node.Next)
            {
                result.Add(node.Mapping);
            }
        }
        catch (Exception e) when (e is RpcProgramMismatchException or RpcProgramUnavailableException)
        {
            for (PortMappingList? node = await WithV2(RpcTransport.Tcp, c => c.DumpAsync(cancellationToken)).ConfigureAwait(false); node is not null; node = node.Next)
            {
                PortMapping m = node.Mapping;
                result.Add(new RpcbMapping
                {
                    Prog = m.Prog,
                    Vers = m.Vers,
                    Netid = UniversalAddress.PortmapperNetId(m.Protocol) ?? m.Protocol.ToString(CultureInfo.InvariantCulture),
                    Address = UniversalAddress.Format(new IPEndPoint(IPAddress.Any, (int)(m.Port & 0xFFFF))),
                    Owner = string.Empty,
                });
            }
        }

        return result;
    }

    /// <summary>Whether an rpcbind answers at host:port (a NULL call over TCP, within <paramref name="timeout"/>).</summary>
    /// <param name="host">The host.</param>
    /// <param name="port">The port.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Abandons it.</param>
    /// <returns>True when it answered.</returns>
    public static async Task<bool> IsAnsweringAsync(IPAddress host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await using PortmapperV2Client client = PortmapperV2Client.CreateTcp(new IPEndPoint(host, port), new RpcClientOptions { Timeout = timeout, ConnectTimeout = timeout });
            await client.NullAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>The endpoint of a GET_ADDR answer, with an any-address (from a binder that does not rewrite it) taken as the host asked.</summary>
    private IPEndPoint Located(IPEndPoint endPoint) =>
        endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(_host, endPoint.Port) : endPoint;

    private Task<T> WithV4<T>(RpcTransport transport, Func<RpcbindV4Client, Task<T>> call) =>
        With(Connect(Rpcbind.RpcbindV4.Version, transport), client => new RpcbindV4Client(client), call);

    private Task<T> WithV3<T>(RpcTransport transport, Func<RpcbindV3Client, Task<T>> call) =>
        With(Connect(Rpcbind.RpcbindV3.Version, transport), client => new RpcbindV3Client(client), call);

    private Task<T> WithV2<T>(RpcTransport transport, Func<PortmapperV2Client, Task<T>> call) =>
        With(Connect(Portmapper.PortmapperV2.Version, transport), client => new PortmapperV2Client(client), call);

    private RpcClient Connect(uint version, RpcTransport transport)
    {
        var endPoint = new IPEndPoint(_host, _port);
        return transport == RpcTransport.Tcp ? RpcClient.CreateTcp(endPoint, Rpcbind.Program, version, _options) : RpcClient.CreateUdp(endPoint, Rpcbind.Program, version, _options);
    }

    /// <summary>One call through a binder client made for it, closed afterwards.</summary>
    private static async Task<T> With<TClient, T>(RpcClient client, Func<RpcClient, TClient> typed, Func<TClient, Task<T>> call)
        where TClient : IAsyncDisposable
    {
        await using TClient binder = typed(client);
        return await call(binder).ConfigureAwait(false);
    }

    /// <summary>
    /// Registrations go where libtirpc sends them: native rpcbind's local socket when the binder is this host's
    /// standard one and the socket is there (rpcbind then knows the caller's uid), else TCP.
    /// </summary>
    private async Task<T> WithRegistrar<T>(Func<RpcbindV4Client, Task<T>> call)
    {
        if (_port == StandardPort && IPAddress.IsLoopback(_host) && LocalSocketPaths.FirstOrDefault(File.Exists) is { } path)
        {
            try
            {
                // Each reply's continuation sends the next call from the receive thread (InlineCompletions): a server's
                // registration, at its start, then waits on no thread pool worker to be made.
                RpcClient local = RpcClient.CreateTcp(new UnixDomainSocketEndPoint(path), Rpcbind.Program, Rpcbind.RpcbindV4.Version, _options with { InlineCompletions = true });
                return await With(local, client => new RpcbindV4Client(client), call).ConfigureAwait(false);
            }
            catch (RpcConnectionException)
            {
                // A stale socket file: go through TCP.
            }
        }

        return await WithV4(RpcTransport.Tcp, call).ConfigureAwait(false);
    }
}

/// <summary>rpcbind refused to register a program: another address holds it, or the caller may not register there.</summary>
/// <param name="message">What was refused, and why.</param>
/// <param name="inner">The reply that refused it, if any.</param>
public sealed class RpcbindRegistrationException(string message, Exception? inner = null) : Exception(message, inner);
