using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>AddProgram&lt;TService&gt;: each call is served by an instance from a scope of its own, disposed when the call is done.</summary>
public sealed class ScopePerCallTests
{
    [Fact]
    public async Task Each_call_gets_its_own_scope_which_is_disposed_when_the_call_completes()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<ProbeLog>();
        builder.Services.AddScoped<ScopedProbe>();
        builder.Services.AddRpcServer().AddProgram<ProbedService>();
        using IHost host = builder.Build();
        await host.StartAsync();
        ProbeLog log = host.Services.GetRequiredService<ProbeLog>();
        await using (TestVersClient client = TestHost.Client(host))
        {
            Assert.Equal(1, await client.TestAsync());
            Assert.Equal(2, await client.TestAsync());
        }

        Assert.Equal(2, log.Probes.Count);
        Assert.NotSame(log.Probes[0], log.Probes[1]);
        foreach (ScopedProbe probe in log.Probes)
        {
            await probe.Disposed.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(probe.SawContext);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task A_method_that_throws_is_answered_system_err_and_its_scope_is_still_disposed()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<ProbeLog>();
        builder.Services.AddScoped<ScopedProbe>();
        builder.Services.AddRpcServer().AddProgram<ThrowingService>();
        using IHost host = builder.Build();
        await host.StartAsync();
        await using (TestVersClient client = TestHost.Client(host))
        {
            await Assert.ThrowsAnyAsync<NetRpc.Runtime.Client.RpcException>(async () => await client.TestAsync());
        }

        ScopedProbe probe = Assert.Single(host.Services.GetRequiredService<ProbeLog>().Probes);
        await probe.Disposed.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();
    }

    /// <summary>Every probe made, in order.</summary>
    public sealed class ProbeLog
    {
        private readonly List<ScopedProbe> _probes = [];

        public IReadOnlyList<ScopedProbe> Probes
        {
            get
            {
                lock (_probes)
                {
                    return [.. _probes];
                }
            }
        }

        public int Add(ScopedProbe probe)
        {
            lock (_probes)
            {
                _probes.Add(probe);
                return _probes.Count;
            }
        }
    }

    /// <summary>A scoped dependency that says when its scope ends.</summary>
    public sealed class ScopedProbe(ProbeLog log, RpcCallContextAccessor call) : IAsyncDisposable
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Disposed => _disposed.Task;

        public bool SawContext { get; private set; }

        /// <summary>Registers this probe; returns how many there are.</summary>
        public int Use()
        {
            SawContext = call.Context is { Header.Procedure: TestProg.TestVers.Test };
            return log.Add(this);
        }

        public ValueTask DisposeAsync()
        {
            _disposed.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    public sealed class ProbedService(ScopedProbe probe) : TestVersServiceBase
    {
        public override async ValueTask<int> TestAsync(RpcCallContext context)
        {
            await Task.Yield(); // completes later, so the scope outlives the handler's first return
            return probe.Use();
        }
    }

    public sealed class ThrowingService(ScopedProbe probe) : TestVersServiceBase
    {
        public override ValueTask<int> TestAsync(RpcCallContext context)
        {
            probe.Use();
            throw new InvalidOperationException("fails on purpose");
        }
    }
}
