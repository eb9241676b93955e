using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime.Client;

namespace NetRpc.Hosting.Tests;

/// <summary>Hosts made for one test: no default sources, only the configuration the test gives.</summary>
internal static class TestHost
{
    public static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30), ReservedPort = ReservedPortUse.Never };

    /// <summary>A host whose configuration is exactly <paramref name="settings"/>, with TCP on a free loopback port unless they say otherwise.</summary>
    public static HostApplicationBuilder Builder(IDictionary<string, string?>? settings = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>
        {
            ["NetRpc:Server:Endpoints:0:Transport"] = "Tcp",
            ["NetRpc:Server:Endpoints:0:Address"] = "127.0.0.1",
            ["NetRpc:Server:Endpoints:0:Port"] = "0",
        });
        return builder;
    }

    /// <summary>A client of the host's TEST_PROG over TCP.</summary>
    public static TestVersClient Client(IHost host)
    {
        IPEndPoint tcp = host.Services.GetRequiredService<RpcServerHost>().TcpEndPoints[0];
        return new TestVersClient(RpcClient.CreateTcp(tcp, TestProg.Program, TestProg.TestVers.Version, Quick));
    }
}
