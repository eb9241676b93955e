using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using NetRpc.Hosting;
using NetRpc.Runtime;
using NetRpc.Runtime.Client;

namespace MyProto;

/// <summary>
/// samples/my_proto in a .NET generic host. With no arguments it starts the host (which serves TEST_PROG and
/// registers it with rpcbind), calls TEST over UDP and then TCP through clients from DI (AddRpcClient), and stops the host (which
/// unregisters and finishes calls in flight). <c>server</c> only serves, until Ctrl+C. Settings come from
/// appsettings.json and environment variables (<c>NetRpc__Server__Endpoints__0__Port=5000</c>).
/// </summary>
public static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                [] => await RunExampleAsync(args),
                ["server", ..] => await ServeAsync(args[1..]),
                _ => Fail("usage: my_proto_hosted [server]", 2),
            };
        }
        catch (RpcException e)
        {
            return Fail($"my_proto_hosted: {e.Message}", 1);
        }
    }

    /// <summary>The host's services: the server with TEST_PROG, its health check, and its clients over UDP and TCP.</summary>
    /// <param name="args">Command-line configuration (<c>--NetRpc:Server:Rpcbind:Register=false</c>).</param>
    /// <returns>The builder, for more configuration (tests add theirs).</returns>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        // appsettings.json beside the program, wherever it is started from (dotnet run --project keeps the caller's directory).
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer().AddProgram<TestService>();
        builder.Services.AddHealthChecks().AddRpcServerCheck();
        // Two clients of TEST_PROG, found through rpcbind as clnt_create finds them (NetRpc:Clients:TestProgUdp and :TestProgTcp).
        builder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProgUdp", client => client.Transport = RpcTransport.Udp);
        builder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProgTcp");
        return builder;
    }

    /// <summary>Start, call TEST over UDP and TCP through clients from DI, stop: what my_proto does with no arguments.</summary>
    /// <param name="host">A host made from <see cref="CreateBuilder"/>.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="cancellationToken">Abandons it.</param>
    /// <returns>A task that completes when the host has stopped.</returns>
    public static async Task RunExampleAsync(IHost host, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(output);
        await host.StartAsync(cancellationToken);
        try
        {
            RpcServerHost server = host.Services.GetRequiredService<RpcServerHost>();
            string registered = server.Rpcbind is { } rpcbind ? $", registered with rpcbind on port {rpcbind.Port}" : string.Empty;
            await output.WriteLineAsync($"TEST_PROG version TEST_VERS serves on TCP {string.Join(", ", server.TcpEndPoints)} and UDP {string.Join(", ", server.UdpEndPoints)}{registered}.");
            HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
            if (health.Status != HealthStatus.Healthy)
            {
                throw new InvalidOperationException($"The server reports {health.Status}.");
            }

            foreach (string name in new[] { "TestProgUdp", "TestProgTcp" })
            {
                // The client belongs to the host's services, which dispose it.
                ITestVersClient client = host.Services.GetRequiredKeyedService<ITestVersClient>(name);
                int result = await client.TestAsync(cancellationToken);
                await output.WriteLineAsync($"The result from RPC is {result}");
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None); // unregisters TEST_PROG, then finishes calls in flight
        }
    }

    private static async Task<int> RunExampleAsync(string[] args)
    {
        using IHost host = CreateBuilder(args).Build();
        await RunExampleAsync(host, Console.Out);
        return 0;
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        using IHost host = CreateBuilder(args).Build();
        await host.StartAsync();
        RpcServerHost server = host.Services.GetRequiredService<RpcServerHost>();
        Console.WriteLine($"TEST_PROG version TEST_VERS serves on TCP {string.Join(", ", server.TcpEndPoints)} and UDP {string.Join(", ", server.UdpEndPoints)}. Ctrl+C stops the server.");
        await host.WaitForShutdownAsync(); // the host handles SIGINT and SIGTERM, and stops the server
        return 0;
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine(message);
        return exitCode;
    }
}
