using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NetRpc.Runtime;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>Every server option reaches RpcServerOptions from configuration: JSON, in-memory, and environment variables.</summary>
public sealed class OptionsBindingTests
{
    [Fact]
    public void Every_bindable_option_reaches_the_server_options()
    {
        HostApplicationBuilder builder = TestHost.Builder(new Dictionary<string, string?>
        {
            ["NetRpc:Server:Endpoints:0:Transport"] = "Udp",
            ["NetRpc:Server:Endpoints:0:Address"] = "*",
            ["NetRpc:Server:Endpoints:0:Port"] = "5000",
            ["NetRpc:Server:MaxConnections"] = "11",
            ["NetRpc:Server:MaxConnectionsPerAddress"] = "12",
            ["NetRpc:Server:MaxRecordSize"] = "13",
            ["NetRpc:Server:IdleTimeout"] = "00:00:14",
            ["NetRpc:Server:RecordTimeout"] = "00:00:15",
            ["NetRpc:Server:WriteTimeout"] = "00:00:16",
            ["NetRpc:Server:MaxQueuedReplyBytesPerConnection"] = "17",
            ["NetRpc:Server:MaxQueuedReplyBytes"] = "18",
            ["NetRpc:Server:MaxDatagramSize"] = "1900",
            ["NetRpc:Server:UdpReceiveBufferSize"] = "0",
            ["NetRpc:Server:UdpSendBufferSize"] = "21",
            ["NetRpc:Server:MaxUdpCallsInFlight"] = "22",
            ["NetRpc:Server:MaxUdpCallsInFlightPerAddress"] = "23",
            ["NetRpc:Server:UdpReceiveThreads"] = "2",
            ["NetRpc:Server:MaxPendingCallsPerConnection"] = "25",
            ["NetRpc:Server:ShutdownTimeout"] = "00:00:26",
            ["NetRpc:Server:SpinBeforeSleep"] = "00:00:00",
            ["NetRpc:Server:UdpDuplicateRequestCache:Enabled"] = "false",
            ["NetRpc:Server:TcpDuplicateRequestCache:MaxEntries"] = "28",
            ["NetRpc:Server:TcpDuplicateRequestCache:MaxBytes"] = "29",
            ["NetRpc:Server:TcpDuplicateRequestCache:JournalPath"] = "/tmp/journal",
            ["NetRpc:Server:Rpcbind:Register"] = "true",
            ["NetRpc:Server:Rpcbind:Address"] = "127.0.0.2",
            ["NetRpc:Server:Rpcbind:Port"] = "1111",
            ["NetRpc:Server:Rpcbind:StartEmbedded"] = "true",
            ["NetRpc:Server:RpcsecGss:SequenceWindow"] = "256",
            ["NetRpc:Server:RpcsecGss:MaxContexts"] = "31",
        });
        builder.Services.AddRpcServer();
        using IHost host = builder.Build();
        RpcServerHostOptions bound = host.Services.GetRequiredService<IOptions<RpcServerHostOptions>>().Value;
        RpcServerOptions options = bound.ToServerOptions(new RpcServerOptions());

        RpcEndpointOptions endpoint = Assert.Single(bound.Endpoints);
        Assert.Equal(RpcTransport.Udp, endpoint.Transport);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Any, 5000), endpoint.ToEndPoint());
        Assert.Equal(11, options.MaxConnections);
        Assert.Equal(12, options.MaxConnectionsPerAddress);
        Assert.Equal(13, options.MaxRecordSize);
        Assert.Equal(TimeSpan.FromSeconds(14), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.RecordTimeout);
        Assert.Equal(TimeSpan.FromSeconds(16), options.WriteTimeout);
        Assert.Equal(17, options.MaxQueuedReplyBytesPerConnection);
        Assert.Equal(18, options.MaxQueuedReplyBytes);
        Assert.Equal(1900, options.MaxDatagramSize);
        Assert.Null(options.UdpReceiveBufferSize);
        Assert.Equal(21, options.UdpSendBufferSize);
        Assert.Equal(22, options.MaxUdpCallsInFlight);
        Assert.Equal(23, options.MaxUdpCallsInFlightPerAddress);
        Assert.Equal(2, options.UdpReceiveThreads);
        Assert.Equal(25, options.MaxPendingCallsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(26), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.Zero, options.SpinBeforeSleep);
        Assert.Null(options.UdpDuplicateRequestCache);
        Assert.Equal(new DuplicateRequestCacheOptions { MaxEntries = 28, MaxBytes = 29, JournalPath = "/tmp/journal" }, options.TcpDuplicateRequestCache);
        Assert.True(bound.Rpcbind.Register);
        Assert.Equal("127.0.0.2", bound.Rpcbind.Address);
        Assert.Equal(1111, bound.Rpcbind.Port);
        Assert.True(bound.Rpcbind.StartEmbedded);
        Assert.Equal(new NetRpc.Runtime.Auth.RpcsecGssServerOptions { SequenceWindow = 256, MaxContexts = 31 }, options.RpcsecGss);
    }

    [Fact]
    public void Unset_options_keep_the_runtime_defaults()
    {
        HostApplicationBuilder builder = TestHost.Builder(new Dictionary<string, string?>());
        builder.Services.AddRpcServer();
        using IHost host = builder.Build();
        RpcServerHostOptions bound = host.Services.GetRequiredService<IOptions<RpcServerHostOptions>>().Value;
        var defaults = new RpcServerOptions();

        Assert.Equal(defaults, bound.ToServerOptions(defaults));
        Assert.False(bound.Rpcbind.Register);
    }

    [Fact]
    public void Environment_variables_override_json()
    {
        // A prefix of this test's own: the process's environment is shared with every other test.
        string prefix = $"NETRPC_HOSTING_TEST_{Guid.NewGuid():N}_";
        string json = Path.Combine(Path.GetTempPath(), $"{prefix}appsettings.json");
        File.WriteAllText(json, """{ "NetRpc": { "Server": { "MaxRecordSize": 4096, "MaxConnections": 7, "Endpoints": [ { "Transport": "Tcp", "Port": 111 } ] } } }""");
        Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__MaxRecordSize", "8192");
        Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__Endpoints__0__Port", "2049");
        Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__TcpDuplicateRequestCache__Enabled", "true");
        try
        {
            HostApplicationBuilder builder = TestHost.Builder(new Dictionary<string, string?>());
            builder.Configuration.AddJsonFile(json).AddEnvironmentVariables(prefix);
            builder.Services.AddRpcServer();
            using IHost host = builder.Build();
            RpcServerHostOptions bound = host.Services.GetRequiredService<IOptions<RpcServerHostOptions>>().Value;
            RpcServerOptions options = bound.ToServerOptions(new RpcServerOptions());

            Assert.Equal(8192, options.MaxRecordSize);
            Assert.Equal(7, options.MaxConnections);
            Assert.Equal(2049, Assert.Single(bound.Endpoints).Port);
            Assert.Equal(new DuplicateRequestCacheOptions(), options.TcpDuplicateRequestCache);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__MaxRecordSize", null);
            Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__Endpoints__0__Port", null);
            Environment.SetEnvironmentVariable($"{prefix}NetRpc__Server__TcpDuplicateRequestCache__Enabled", null);
            File.Delete(json);
        }
    }
}
