using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>
/// AddRpcClient with servers in this process on loopback: found through service discovery's configuration, through
/// a fixed list, through rpcbind; called in turn; a lost server's calls sent to another with their XIDs.
/// (ClusterTests does the same with server processes in network namespaces, one of them killed.)
/// </summary>
public sealed class ClientFactoryTests
{
    [Fact]
    public async Task Calls_go_to_the_servers_service_discovery_names_in_turn()
    {
        await using var servers = NumberedServers.Start(3);
        using IHost host = ClientHost(servers.Settings("testprog"), client => client.Service = "testprog");
        ITestVersClient client = host.Services.GetRequiredService<ITestVersClient>();

        var answers = new List<int>();
        for (int i = 0; i < 30; i++)
        {
            answers.Add(await client.TestAsync());
        }

        Assert.All(new[] { 1, 2, 3 }, n => Assert.Equal(10, answers.Count(a => a == n)));
        Assert.All(servers.Services, s => Assert.Equal(10, s.Executed.Count));
        // The same instance from the interface and the class, over the factory's one RpcClient.
        Assert.Same(host.Services.GetRequiredService<TestVersClient>(), client);
        Assert.Same(host.Services.GetRequiredService<RpcClientFactory>().GetClient("TestProg"), ((TestVersClient)client).Client);
    }

    [Fact]
    public async Task A_lost_servers_calls_go_to_another_with_their_xids_and_the_others_serve_on()
    {
        await using var servers = NumberedServers.Start(3);
        servers.Services[0].Hold = true; // server 1 takes calls and never answers
        using IHost host = ClientHost(servers.Settings("testprog"), client =>
        {
            client.RetryOnConnectionLoss = true;
            client.RetransmitInterval = TimeSpan.FromMilliseconds(50);
        });
        ITestVersClient client = host.Services.GetRequiredService<ITestVersClient>();

        Task<int>[] calls = [.. Enumerable.Range(0, 6).Select(_ => client.TestAsync())];
        await Eventually.Until(() => servers.Services[0].Held.Count == 2 && calls.Count(c => c.IsCompletedSuccessfully) == 4);
        uint[] held = [.. servers.Services[0].Held];

        await servers.StopAsync(0); // its connections close; nothing listens there any more

        int[] answers = await Task.WhenAll(calls);
        Assert.All(answers, a => Assert.InRange(a, 2, 3));
        uint[] failedOver = [.. servers.Services[1].Executed.Concat(servers.Services[2].Executed).Where(held.Contains)];
        Assert.Equal(held.Order(), failedOver.Order());
        Assert.Empty(servers.Services[0].Executed);

        // Later calls go to the two left, in turn.
        int[] later = [await client.TestAsync(), await client.TestAsync(), await client.TestAsync(), await client.TestAsync()];
        Assert.Equal(2, later.Count(a => a == 2));
        Assert.Equal(2, later.Count(a => a == 3));
    }

    [Fact]
    public async Task Over_udp_calls_go_to_the_servers_in_turn_and_an_unanswered_one_fails_over_with_its_xid()
    {
        await using var servers = NumberedServers.Start(3);
        var settings = servers.Settings("testprog", RpcTransport.Udp);
        using IHost host = ClientHost(settings, client =>
        {
            client.Transport = RpcTransport.Udp;
            client.Service = "testprog";
            client.RetryOnConnectionLoss = true;
            client.RetransmitInterval = TimeSpan.FromMilliseconds(20);
            client.MaxRetransmitInterval = TimeSpan.FromMilliseconds(80);
        });
        ITestVersClient client = host.Services.GetRequiredService<ITestVersClient>();

        var answers = new List<int>();
        for (int i = 0; i < 30; i++)
        {
            answers.Add(await client.TestAsync());
        }

        Assert.All(new[] { 1, 2, 3 }, n => Assert.Equal(10, answers.Count(a => a == n)));

        // Server 1 takes calls and never answers: its call goes on to server 2 with its XID once the wait is the longest.
        servers.Services[0].Hold = true;
        int[] next = [await client.TestAsync(), await client.TestAsync(), await client.TestAsync()];
        Assert.Equal([2, 2, 3], next.Order());
        uint held = Assert.Single(servers.Services[0].Held.Distinct());
        Assert.Contains(held, servers.Services[1].Executed);
        Assert.Empty(servers.Services[0].Executed.Skip(10));
    }

    [Fact]
    public async Task Hosts_without_a_port_are_asked_through_rpcbind_and_fixed_endpoints_need_no_discovery()
    {
        await using var servers = NumberedServers.Start(2);
        await using RpcbindServer rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback, LocalSocketPath = null, AllowRemoteRegistration = true });
        var binder = new RpcbindClient(IPAddress.Loopback, rpcbind.TcpEndPoint.Port, TestHost.Quick);
        await binder.RegisterAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Tcp, servers.EndPoints[1]);

        // A fixed list: no service discovery asked.
        using IHost host = ClientHost(new Dictionary<string, string?> { ["NetRpc:Clients:TestProg:Endpoints:0"] = servers.EndPoints[0].ToString() }, _ => { });
        int[] direct = await CallTwice(host);
        Assert.Equal([1, 1], direct);

        // UseRpcbind: every port given is an rpcbind's. Server 1's port has none (it is left out); localhost's rpcbind
        // (a name: each of its addresses is asked) knows server 2.
        var settings = new Dictionary<string, string?>
        {
            ["NetRpc:Clients:TestProg:Endpoints:0"] = servers.EndPoints[0].ToString(),
            ["NetRpc:Clients:TestProg:Endpoints:1"] = $"localhost:{rpcbind.TcpEndPoint.Port}",
        };
        using IHost viaRpcbind = ClientHost(settings, client => client.UseRpcbind = true);
        int[] looked = await CallTwice(viaRpcbind);
        Assert.Equal([2, 2], looked);

        static async Task<int[]> CallTwice(IHost host)
        {
            ITestVersClient client = host.Services.GetRequiredService<ITestVersClient>();
            return [await client.TestAsync(), await client.TestAsync()];
        }
    }

    [Fact]
    public async Task A_client_with_no_server_fails_with_a_clear_error_and_names_must_be_unique()
    {
        using IHost host = ClientHost(new Dictionary<string, string?> { ["Services:nothing:tcp:0"] = "127.0.0.1:1" }, client =>
        {
            client.Service = "nothing";
            client.Timeout = TimeSpan.FromSeconds(5);
        });
        RpcConnectionException e = await Assert.ThrowsAsync<RpcConnectionException>(() => host.Services.GetRequiredService<ITestVersClient>().TestAsync());
        Assert.Contains("127.0.0.1:1", e.Message, StringComparison.Ordinal);

        var services = new ServiceCollection();
        services.AddRpcClient<TestVersClient>("same");
        Assert.Throws<ArgumentException>(() => services.AddRpcClient<TestVersClient>("same"));
        Assert.Throws<InvalidOperationException>(() => RpcClientFactory.ParseEndpoint("host:port", "x"));
        Assert.Equal(new DnsEndPoint("nfs.example", 0), RpcClientFactory.ParseEndpoint("nfs.example", "x"));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 2049), RpcClientFactory.ParseEndpoint("[::1]:2049", "x"));
    }

    [Fact]
    public async Task Client_interceptors_and_options_come_from_the_applications_services()
    {
        await using var servers = NumberedServers.Start(1);
        var seen = new ConcurrentQueue<string>();
        var builder = TestHost.Builder(servers.Settings("testprog"));
        builder.Services.AddSingleton(seen);
        builder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProg", client => client.Service = "testprog")
            .AddInterceptor<RecordingInterceptor>()
            .ConfigureClientOptions((options, _) => options with { Credential = Runtime.Auth.RpcCredential.Sys(new Runtime.Auth.AuthSysParameters { MachineName = "factory", Uid = 7, Gid = 7 }) });
        using IHost host = builder.Build();
        Assert.Equal(1, await host.Services.GetRequiredService<ITestVersClient>().TestAsync());
        Assert.Equal(["TEST_PROG/TEST"], seen);
        Assert.Equal("factory", Assert.Single(servers.Services[0].Machines));
    }

    private static IHost ClientHost(IDictionary<string, string?> settings, Action<RpcClientFactoryOptions> configure)
    {
        HostApplicationBuilder builder = TestHost.Builder(settings);
        builder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProg", client =>
        {
            client.ReservedPort = ReservedPortUse.Never;
            client.Timeout = TimeSpan.FromSeconds(60);
            configure(client);
        });
        return builder.Build();
    }

    private sealed class RecordingInterceptor(ConcurrentQueue<string> seen) : RpcClientInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
        {
            seen.Enqueue($"{context.ProgramName}/{context.ProcedureName}");
            return next(arguments, context);
        }
    }
}

/// <summary>TEST answers the server's number, and records the XIDs it ran (and, when told to hold, those it will never answer).</summary>
internal sealed class NumberedService(int number) : TestVersServiceBase
{
    public ConcurrentQueue<uint> Executed { get; } = new();

    public ConcurrentQueue<uint> Held { get; } = new();

    public ConcurrentQueue<string> Machines { get; } = new();

    public volatile bool Hold;

    public override async ValueTask<int> TestAsync(RpcCallContext context)
    {
        if (context.AuthSys is { } sys)
        {
            Machines.Enqueue(sys.MachineName);
        }

        if (Hold)
        {
            Held.Enqueue(context.Header.Xid);
            await Task.Delay(Timeout.Infinite, context.CallAborted);
        }

        Executed.Enqueue(context.Header.Xid);
        return number;
    }
}

/// <summary>Servers 1..n of TEST_PROG on loopback over TCP and UDP, each a NumberedService with a duplicate request cache on both.</summary>
internal sealed class NumberedServers : IAsyncDisposable
{
    private readonly RpcServer?[] _servers;

    private NumberedServers(RpcServer[] servers, NumberedService[] services, IPEndPoint[] endPoints, IPEndPoint[] udpEndPoints)
    {
        _servers = servers;
        Services = services;
        EndPoints = endPoints;
        UdpEndPoints = udpEndPoints;
    }

    public NumberedService[] Services { get; }

    public IPEndPoint[] EndPoints { get; }

    public IPEndPoint[] UdpEndPoints { get; }

    public static NumberedServers Start(int count)
    {
        var servers = new RpcServer[count];
        var services = new NumberedService[count];
        var endPoints = new IPEndPoint[count];
        var udpEndPoints = new IPEndPoint[count];
        for (int i = 0; i < count; i++)
        {
            services[i] = new NumberedService(i + 1);
            // Stopping one is losing it: its connections close at once, without waiting for the calls it holds.
            servers[i] = new RpcServer(new RpcServerOptions { TcpDuplicateRequestCache = new DuplicateRequestCacheOptions(), ShutdownTimeout = TimeSpan.Zero });
            servers[i].AddProgram(services[i].ToProgram());
            endPoints[i] = servers[i].ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
            udpEndPoints[i] = servers[i].ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        }

        return new NumberedServers(servers, services, endPoints, udpEndPoints);
    }

    /// <summary>Service discovery's configuration: the servers under <c>Services:</c><paramref name="service"/><c>:tcp</c> (or <c>:udp</c>).</summary>
    public Dictionary<string, string?> Settings(string service, RpcTransport transport = RpcTransport.Tcp) =>
        (transport == RpcTransport.Udp ? UdpEndPoints : EndPoints).Select((e, i) => (e, i))
            .ToDictionary(x => $"Services:{service}:{(transport == RpcTransport.Udp ? "udp" : "tcp")}:{x.i}", x => (string?)x.e.ToString());

    public async Task StopAsync(int index)
    {
        if (_servers[index] is { } server)
        {
            _servers[index] = null;
            await server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < _servers.Length; i++)
        {
            await StopAsync(i);
        }
    }
}
