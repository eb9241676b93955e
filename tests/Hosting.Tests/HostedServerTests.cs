using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>The hosted service's life: listen on start, register with rpcbind, unregister and drain on stop; and the health checks.</summary>
public sealed class HostedServerTests
{
    [Fact]
    public async Task Stop_waits_for_the_call_in_flight_then_closes_the_port()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<Gate>();
        builder.Services.AddRpcServer(o => o.ShutdownTimeout = TimeSpan.FromMinutes(5)).AddProgram<GatedService>();
        using IHost host = builder.Build();
        await host.StartAsync();
        RpcServerHost server = host.Services.GetRequiredService<RpcServerHost>();
        IPEndPoint tcp = server.TcpEndPoints[0];
        Gate gate = host.Services.GetRequiredService<Gate>();

        await using TestVersClient client = TestHost.Client(host);
        Task<int> inFlight = client.TestAsync();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));

        Task stopping = host.StopAsync();
        await Eventually.Until(() => server.State == RpcServerHostState.Stopping, seconds: 30);
        Assert.False(stopping.IsCompleted); // the handler has not been let go: stopping cannot have finished

        gate.Release();
        Assert.Equal(TestService.Answer, await inFlight);
        await stopping;
        Assert.Equal(RpcServerHostState.Stopped, server.State);

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        SocketException refused = await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync(tcp));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Programs_are_registered_with_rpcbind_on_start_and_unregistered_on_stop()
    {
        await using RpcbindServer rpcbindServer = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback });
        int port = rpcbindServer.TcpEndPoint.Port;
        HostApplicationBuilder builder = TestHost.Builder(new Dictionary<string, string?>
        {
            ["NetRpc:Server:Endpoints:0:Transport"] = "Tcp",
            ["NetRpc:Server:Endpoints:1:Transport"] = "Udp",
            ["NetRpc:Server:Rpcbind:Register"] = "true",
            ["NetRpc:Server:Rpcbind:Address"] = "127.0.0.1",
            ["NetRpc:Server:Rpcbind:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer().AddProgram<TestService>();
        using IHost host = builder.Build();
        await host.StartAsync();
        RpcServerHost server = host.Services.GetRequiredService<RpcServerHost>();
        var rpcbind = new RpcbindClient(IPAddress.Loopback, port, TestHost.Quick);

        Assert.Equal(server.TcpEndPoints[0], await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Tcp));
        Assert.Equal(server.UdpEndPoints[0], await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Udp));

        await host.StopAsync();
        Assert.Null(await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Tcp));
        Assert.Null(await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Udp));
    }

    [Fact]
    public async Task The_server_check_is_healthy_only_while_listening()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer().AddProgram<TestService>();
        builder.Services.AddHealthChecks().AddRpcServerCheck();
        using IHost host = builder.Build();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
        await host.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        await host.StopAsync();
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task The_program_check_calls_null_and_is_unhealthy_when_nothing_answers()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer().AddProgram<TestService>();
        using IHost host = builder.Build();
        await host.StartAsync();
        IPEndPoint tcp = host.Services.GetRequiredService<RpcServerHost>().TcpEndPoints[0];
        var check = new RpcProgramHealthCheck(new RpcProgramHealthCheckOptions { Host = "127.0.0.1", Port = tcp.Port, Program = TestProg.Program, Version = TestProg.TestVers.Version });
        var wrongVersion = new RpcProgramHealthCheck(new RpcProgramHealthCheckOptions { Host = "127.0.0.1", Port = tcp.Port, Program = TestProg.Program, Version = 99 });
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("test", check, HealthStatus.Unhealthy, null) };

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        Assert.Equal(0, host.Services.GetRequiredService<CallCounter>().Count); // NULL reaches no method of the service
        Assert.Equal(HealthStatus.Unhealthy, (await wrongVersion.CheckHealthAsync(context)).Status);

        await host.StopAsync();
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context)).Status);
    }

    [Fact]
    public async Task Starting_without_an_endpoint_fails_clearly_and_the_check_says_so()
    {
        HostApplicationBuilder builder = TestHost.Builder(new Dictionary<string, string?>());
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer().AddProgram<TestService>();
        builder.Services.AddHealthChecks().AddRpcServerCheck();
        using IHost host = builder.Build();
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("NetRpc:Server:Endpoints", e.Message, StringComparison.Ordinal);
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Same(e, report.Entries["netrpc-server"].Exception);
    }

    /// <summary>Holds TEST's handler until the test lets it go.</summary>
    public sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public Task Released => _released.Task;

        public void Enter() => _entered.TrySetResult();

        public void Release() => _released.TrySetResult();
    }

    public sealed class GatedService(Gate gate) : TestVersServiceBase
    {
        public override async ValueTask<int> TestAsync(RpcCallContext context)
        {
            gate.Enter();
            await gate.Released;
            return TestService.Answer;
        }
    }
}
