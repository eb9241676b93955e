using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// What programs that keep state per connection rely on (VXI-11 links and locks, NFSv4.0 client state): a connection
/// has an identity and a close notification, idle connections stay open as libtirpc keeps them, the longest idle
/// makes room at the connection limit, a client knows its own address, and a channel can stay out of rpcbind.
/// Run against both TCP server designs.
/// </summary>
public abstract class ConnectionStateTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_connection_has_an_identity_and_a_close_notification()
    {
        await using var server = new TestServer(Design(), udp: false);
        await using RpcClient first = server.Client(tcp: true, options: Quick);
        (string caller, long id) = await PeerAsync(first);
        Assert.Equal(id, (await PeerAsync(first)).Id); // the same connection, the same identity
        Assert.Equal(first.LocalEndPoint!.ToString(), caller); // the client knows what the server sees

        await using RpcClient second = server.Client(tcp: true, options: Quick);
        long other = (await PeerAsync(second)).Id;
        Assert.NotEqual(id, other);

        Assert.False(server.ClosedConnections.ContainsKey(id));
        await first.DisposeAsync();
        await HostileClientTests.WaitUntilAsync(() => server.ClosedConnections.ContainsKey(id), "the close of the first connection is notified");
        Assert.False(server.ClosedConnections.ContainsKey(other));
    }

    [Fact]
    public async Task Udp_calls_have_no_connection_and_the_client_knows_its_address()
    {
        await using var server = new TestServer(tcp: false);
        await using RpcClient client = server.Client(tcp: false, options: Quick);
        TextValue peer = await client.CallAsync<XdrVoid, TextValue>(11, default);
        Assert.Equal($"{client.LocalEndPoint}|", peer.Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_idle_connection_stays_open(bool defaults)
    {
        // libtirpc keeps an idle connection open; so does NetRpc by default, and with an infinite IdleTimeout (which an
        // earlier version took for -1 ms on the epoll design, closing every connection within a second).
        var options = defaults ? new RpcServerOptions() : new RpcServerOptions { IdleTimeout = Timeout.InfiniteTimeSpan };
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
        await using var server = new TestServer(Design(options), udp: false);
        using Socket session = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(session);
        await stream.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 1, arguments: Wire.Words(1))));
        Assert.NotNull(await Wire.ReadRecordAsync(stream));

        // Five seconds of silence (the idle period itself is what is tested), then the same connection is still served.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stream.WriteAsync(Wire.Record(Wire.Call(2, TestServer.Program, 1, 1, arguments: Wire.Words(2))));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(Wire.Accepted(2, 0, 3), await Wire.ReadRecordAsync(stream, guard.Token));
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task At_the_connection_limit_the_longest_idle_connection_makes_room()
    {
        await using var server = new TestServer(Design(new RpcServerOptions { MaxConnections = 3, MaxConnectionsPerAddress = 4 }), udp: false);
        var sessions = new List<(Socket Socket, NetworkStream Stream)>();
        try
        {
            // Three sessions, each used once, in order: the first is the one idle longest.
            for (uint i = 1; i <= 3; i++)
            {
                Socket socket = await Wire.ConnectAsync(server.Tcp!);
                var stream = new NetworkStream(socket);
                sessions.Add((socket, stream));
                await stream.WriteAsync(Wire.Record(Wire.Call(i, TestServer.Program, 1, 1, arguments: Wire.Words(i))));
                Assert.NotNull(await Wire.ReadRecordAsync(stream));
                await HostileClientTests.WaitUntilAsync(() => server.Server.ConnectionCount == (int)i, "the server holds the session");
            }

            // A busy session is never the one chosen: the second holds a call running.
            await sessions[1].Stream.WriteAsync(Wire.Record(Wire.Call(20, TestServer.Program, 1, 10, arguments: Wire.Words(0))));
            await HostileClientTests.WaitUntilAsync(() => server.Held == 1, "the second session's call runs");

            await using RpcClient newcomer = server.Client(tcp: true, options: Quick);
            Assert.Equal(8, (await newcomer.CallAsync<IntValue, IntValue>(1, new IntValue(7))).Value);
            Assert.True(await Wire.ClosedByPeerAsync(sessions[0].Socket, TimeSpan.FromSeconds(30)), "the longest idle session was kept");

            // The others go on: the busy one's call finishes, the third still answers.
            server.Release();
            Assert.Equal(Wire.Accepted(20, 0, 0), await Wire.ReadRecordAsync(sessions[1].Stream));
            await sessions[2].Stream.WriteAsync(Wire.Record(Wire.Call(30, TestServer.Program, 1, 1, arguments: Wire.Words(30))));
            Assert.Equal(Wire.Accepted(30, 0, 31), await Wire.ReadRecordAsync(sessions[2].Stream));
        }
        finally
        {
            foreach ((Socket socket, NetworkStream stream) in sessions)
            {
                await stream.DisposeAsync();
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task When_every_connection_is_busy_a_new_one_is_refused()
    {
        await using var server = new TestServer(Design(new RpcServerOptions { MaxConnections = 1, MaxConnectionsPerAddress = 2 }), udp: false);
        using Socket busy = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(busy);
        await stream.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 10, arguments: Wire.Words(0))));
        await HostileClientTests.WaitUntilAsync(() => server.Held == 1, "the call runs");

        using Socket refused = await Wire.ConnectAsync(server.Tcp!);
        Assert.True(await Wire.ClosedByPeerAsync(refused, TimeSpan.FromSeconds(30)), "a connection over the limit was kept while the other was busy");
        server.Release();
        Assert.Equal(Wire.Accepted(1, 0, 0), await Wire.ReadRecordAsync(stream));
    }

    [Fact]
    public async Task Registration_can_leave_a_program_or_an_endpoint_out_of_rpcbind()
    {
        // A VXI-11-style server: the core channel registered, the abort channel (an endpoint of its own) not.
        await using RpcbindServer rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback, LocalSocketPath = null, MaxRegistrationsPerOwner = 64 });
        await using var server = new TestServer(Design(), udp: false);
        IPEndPoint abort = server.Server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        var binder = new RpcbindClient(IPAddress.Loopback, rpcbind.TcpEndPoint.Port, Quick);
        await server.Server.RegisterAsync(binder, (program, _, endPoint) => program.Version == 1 && !endPoint.Equals(abort));

        Assert.Equal(server.Tcp!.Port, (await binder.ResolveAsync(TestServer.Program, 1, RpcTransport.Tcp))!.Port);
        IReadOnlyList<RpcbMapping> mappings = [.. (await binder.DumpAsync()).Where(m => m.Prog == TestServer.Program)];
        Assert.Equal([(1u, "tcp", UniversalAddress.Format(server.Tcp!))], mappings.Select(m => (m.Vers, m.Netid, m.Address)));
        Assert.DoesNotContain(mappings, m => m.Address == UniversalAddress.Format(abort));
    }

    /// <summary>True: a thread per connection; false: the platform's default (epoll loops on Linux).</summary>
    protected abstract bool ThreadPerConnection { get; }

    private RpcServerOptions Design(RpcServerOptions? options = null) => (options ?? new RpcServerOptions()) with { ThreadPerConnection = ThreadPerConnection };

    private static async Task<(string Caller, long Id)> PeerAsync(RpcClient client)
    {
        string[] parts = (await client.CallAsync<XdrVoid, TextValue>(11, default)).Value.Split('|');
        return (parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary><see cref="ConnectionStateTests"/> on the epoll event loops (Linux; elsewhere the same as threads).</summary>
public sealed class ConnectionStateTestsOnEventLoops : ConnectionStateTests
{
    protected override bool ThreadPerConnection => false;
}

/// <summary><see cref="ConnectionStateTests"/> with a thread per connection, the design used without epoll.</summary>
public sealed class ConnectionStateTestsOnThreads : ConnectionStateTests
{
    protected override bool ThreadPerConnection => true;
}
