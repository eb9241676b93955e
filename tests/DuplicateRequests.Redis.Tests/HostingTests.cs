using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetRpc.DuplicateRequests.Redis.Tests.Support;
using NetRpc.Hosting;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>The store from configuration, taken by NetRpc.Hosting's server.</summary>
public sealed class HostingTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [RedisFact]
    public async Task The_store_is_bound_from_configuration_and_the_hosted_server_keeps_its_calls_in_it()
    {
        string prefix = $"hosted:{Guid.NewGuid():N}:";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NetRpc:Server:Endpoints:0:Transport"] = "Tcp",
            ["NetRpc:Server:Endpoints:0:Port"] = "0",
            ["NetRpc:Server:DuplicateRequestStore:Redis:Configuration"] = redis.Server.Configuration,
            ["NetRpc:Server:DuplicateRequestStore:Redis:KeyPrefix"] = prefix,
            ["NetRpc:Server:DuplicateRequestStore:Redis:LeaseTime"] = "00:00:02",
            ["NetRpc:Server:DuplicateRequestStore:Redis:ReplyLifetime"] = "00:05:00",
        }).Build();
        int executions = 0;
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddRedisDuplicateRequestStore(builder.Configuration);
        builder.Services.AddRpcServer().AddProgram(_ => new RpcProgramBuilder(0x20000996, 1, "HOSTED")
            .AddProcedure<IntValue, IntValue>(1, "ADD", (value, _) => ValueTask.FromResult(new IntValue(Interlocked.Increment(ref executions) + value.Value)))
            .Build());
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<RedisDuplicateRequestStore>();
            Assert.Same(store, host.Services.GetRequiredService<DuplicateRequestStore>());
            RedisDuplicateRequestStoreOptions options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisDuplicateRequestStoreOptions>>().Value;
            Assert.Equal((prefix, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5)), (options.KeyPrefix, options.LeaseTime, options.ReplyLifetime));

            await using RpcClient client = RpcClient.CreateTcp(host.Services.GetRequiredService<RpcServerHost>().TcpEndPoints[0], 0x20000996, 1);
            Assert.Equal(11, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(10))).Value);

            // The call is in the store, under the prefix configured: another server of the fleet would know it.
            await using StackExchange.Redis.ConnectionMultiplexer connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
            var server = connection.GetServers()[0];
            Assert.Single(server.Keys(pattern: prefix + "call:*"));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
