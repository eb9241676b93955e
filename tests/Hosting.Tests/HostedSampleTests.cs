using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;

namespace NetRpc.Hosting.Tests;

/// <summary>
/// samples/my_proto_hosted as it runs: its appsettings.json, an environment variable and a command-line value
/// configure it; it starts, registers with a private rpcbind (never this host's port 111), answers through its client
/// from DI, and on stop unregisters.
/// </summary>
public sealed class HostedSampleTests
{
    [Fact]
    public async Task The_hosted_sample_starts_calls_through_a_client_from_di_and_stops_unregistered()
    {
        await using RpcbindServer rpcbindServer = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback });
        string port = rpcbindServer.TcpEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        // The sample reads every environment variable (Host.CreateApplicationBuilder); these keys are read by no other test.
        // Its clients ask this rpcbind (a port given with UseRpcbind is an rpcbind's) rather than port 111's.
        string[] clientSettings = [.. new[] { "TestProgUdp", "TestProgTcp" }.SelectMany(c => new[] { $"NetRpc__Clients__{c}__Endpoints__0", $"NetRpc__Clients__{c}__UseRpcbind" })];
        foreach (string key in clientSettings)
        {
            Environment.SetEnvironmentVariable(key, key.EndsWith("UseRpcbind", StringComparison.Ordinal) ? "true" : $"localhost:{port}");
        }

        try
        {
            using IHost host = MyProto.Program.CreateBuilder(["--NetRpc:Server:Rpcbind:Address=127.0.0.1", $"--NetRpc:Server:Rpcbind:Port={port}"]).Build();
            var output = new StringWriter();
            var rpcbind = new RpcbindClient(IPAddress.Loopback, rpcbindServer.TcpEndPoint.Port, TestHost.Quick);
            RpcServerHost server = host.Services.GetRequiredService<RpcServerHost>();

            await MyProto.Program.RunExampleAsync(host, output);

            string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("TEST_PROG version TEST_VERS serves on TCP 127.0.0.1:", lines[0], StringComparison.Ordinal);
            Assert.EndsWith($"registered with rpcbind on port {port}.", lines[0], StringComparison.Ordinal);
            Assert.Equal(["The result from RPC is 100", "The result from RPC is 100"], lines[1..]);
            Assert.Equal(2, host.Services.GetRequiredService<CallCounter>().Count);
            Assert.Equal(RpcServerHostState.Stopped, server.State);
            Assert.Null(await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Tcp));
            Assert.Null(await rpcbind.ResolveAsync(TestProg.Program, TestProg.TestVers.Version, RpcTransport.Udp));
        }
        finally
        {
            foreach (string key in clientSettings)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }
    }
}
