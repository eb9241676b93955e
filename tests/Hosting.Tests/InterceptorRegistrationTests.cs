using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>AddInterceptor: server interceptors resolved from the application's services, run in the order added.</summary>
public sealed class InterceptorRegistrationTests
{
    [Fact]
    public async Task Interceptors_added_through_di_are_resolved_with_their_dependencies_and_run_in_order()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CallLog>();
        builder.Services.AddRpcServer()
            .AddProgram<HundredService>()
            .AddInterceptor<Recording>()
            .AddInterceptor(services => new Tagging(services.GetRequiredService<CallLog>()));
        using IHost host = builder.Build();
        await host.StartAsync();
        await using (TestVersClient client = TestHost.Client(host))
        {
            Assert.Equal(100, await client.TestAsync());
        }

        CallLog log = host.Services.GetRequiredService<CallLog>();
        Assert.Equal(["recording>TEST_PROG/TEST", "tagging>TEST", "service", "recording<TestResult"], log.Entries);
        Assert.Equal(1, host.Services.GetRequiredService<Recording>().Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_interceptor_added_through_di_refuses_calls_before_the_service_is_made()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CallLog>();
        builder.Services.AddRpcServer().AddProgram<HundredService>().AddInterceptor<RefuseAll>();
        using IHost host = builder.Build();
        await host.StartAsync();
        await using (TestVersClient client = TestHost.Client(host))
        {
            RpcAuthenticationException denied = await Assert.ThrowsAsync<RpcAuthenticationException>(async () => await client.TestAsync());
            Assert.Equal(AuthStatus.RejectedCredential, denied.Status);
        }

        Assert.Equal(0, HundredService.Made(host.Services.GetRequiredService<CallLog>()));
        await host.StopAsync();
    }

    public sealed class CallLog
    {
        public ConcurrentQueue<string> Entries { get; } = new();
    }

    public sealed class HundredService(CallLog log) : TestVersServiceBase
    {
        public static int Made(CallLog log) => log.Entries.Count(e => e == "service");

        public override ValueTask<int> TestAsync(RpcCallContext context)
        {
            log.Entries.Enqueue("service");
            return ValueTask.FromResult(100);
        }
    }

    /// <summary>Notes the call and its result; a singleton, so the one resolved afterwards is the one that ran.</summary>
    public sealed class Recording(CallLog log) : RpcServerInterceptor
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            Interlocked.Increment(ref _calls);
            log.Entries.Enqueue($"recording>{context.ProgramName}/{context.ProcedureName}");
            TResult result = await next(arguments, context);
            log.Entries.Enqueue($"recording<{result.GetType().Name}");
            return result;
        }
    }

    /// <summary>Notes the call.</summary>
    public sealed class Tagging(CallLog log) : RpcServerInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            log.Entries.Enqueue($"tagging>{context.ProcedureName}");
            return next(arguments, context);
        }
    }

    public sealed class RefuseAll : RpcServerInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next) =>
            throw RpcReplyException.Denied(AuthStatus.RejectedCredential);
    }
}
