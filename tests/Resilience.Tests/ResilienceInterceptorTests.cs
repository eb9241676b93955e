using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace NetRpc.Resilience.Tests;

/// <summary>
/// RpcResilienceInterceptor against a real server on loopback: retries of idempotent procedures only, on transient
/// failures only, and a timeout that cancels an attempt. Back-off delays are zero and timeouts either never expire or
/// expire on calls that never answer, so nothing depends on how fast the machine is.
/// </summary>
public sealed class ResilienceInterceptorTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(60), ReservedPort = ReservedPortUse.Never };

    private static RpcRetryStrategyOptions NoWait(int retries) => new() { MaxRetryAttempts = retries, Delay = TimeSpan.Zero, UseJitter = false };

    private static RpcClientOptions With(ResiliencePipeline pipeline, params uint[] idempotent)
    {
        var options = new RpcResilienceOptions();
        foreach (uint procedure in idempotent)
        {
            options.IdempotentProcedures.Add(procedure);
        }

        return Quick with { Interceptors = [new RpcResilienceInterceptor(pipeline, options)] };
    }

    [Fact]
    public async Task An_idempotent_procedure_is_retried_through_SYSTEM_ERR_until_it_succeeds()
    {
        await using var server = new FlakyServer(failFirst: 2);
        await using RpcClient client = server.Client(With(new ResiliencePipelineBuilder().AddRpcRetry(NoWait(3)).Build(), FlakyServer.Read));

        Assert.Equal(7, (await client.CallAsync<IntValue, IntValue>(FlakyServer.Read, new IntValue(7))).Value);
        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task A_procedure_not_marked_idempotent_runs_once_and_its_failure_is_the_callers()
    {
        await using var server = new FlakyServer(failFirst: 1);
        await using RpcClient client = server.Client(With(new ResiliencePipelineBuilder().AddRpcRetry(NoWait(3)).Build(), FlakyServer.Read));

        await Assert.ThrowsAsync<RpcSystemErrorException>(() => client.CallAsync<IntValue, IntValue>(FlakyServer.Append, new IntValue(1)).AsTask());
        Assert.Equal(1, server.Calls);

        // The server would answer now; the caller decides whether to call again.
        Assert.Equal(1, (await client.CallAsync<IntValue, IntValue>(FlakyServer.Append, new IntValue(1))).Value);
    }

    [Fact]
    public async Task NULL_is_retried_without_being_marked()
    {
        await using var server = new FlakyServer(failFirst: 1);
        await using RpcClient client = server.Client(With(new ResiliencePipelineBuilder().AddRpcRetry(NoWait(1)).Build()));

        await client.CallAsync<XdrVoid, XdrVoid>(0, default);
        Assert.Equal(2, server.Calls);
    }

    [Fact]
    public async Task A_failure_no_retry_mends_is_not_retried()
    {
        await using var server = new FlakyServer(failFirst: 0);
        await using RpcClient client = server.Client(With(new ResiliencePipelineBuilder().AddRpcRetry(NoWait(3)).Build(), 99));

        await Assert.ThrowsAsync<RpcProcedureUnavailableException>(() => client.CallAsync<IntValue, IntValue>(99, new IntValue(1)).AsTask());
        Assert.Equal(0, server.Calls); // PROC_UNAVAIL is answered before any interceptor, once
    }

    [Fact]
    public async Task A_plain_Polly_retry_cannot_send_a_non_idempotent_call_twice()
    {
        await using var server = new FlakyServer(failFirst: 1);
        ResiliencePipeline pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.Zero }).Build();
        await using RpcClient client = server.Client(With(pipeline));

        InvalidOperationException refused = await Assert.ThrowsAsync<InvalidOperationException>(() => client.CallAsync<IntValue, IntValue>(FlakyServer.Append, new IntValue(1)).AsTask());
        Assert.IsType<RpcSystemErrorException>(refused.InnerException);
        Assert.Contains("not idempotent", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task A_timeout_strategy_cancels_a_call_that_does_not_answer()
    {
        await using var server = new FlakyServer(failFirst: 0);
        await using RpcClient client = server.Client(With(new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromMilliseconds(200)).Build(), FlakyServer.Hang));

        // The first HANG waits until released, which this test never does: only the timeout can end the call.
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.CallAsync<IntValue, IntValue>(FlakyServer.Hang, new IntValue(1)).AsTask());
        Assert.Equal(0, client.InFlight);
        Assert.Equal(1, server.Hangs);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried_when_idempotent()
    {
        await using var server = new FlakyServer(failFirst: 0);
        int attempts = 0;
        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddRpcRetry(NoWait(1))
            .AddTimeout(new TimeoutStrategyOptions
            {
                // The first attempt hangs until its timeout; the second answers at once, and is given all the time it needs.
                TimeoutGenerator = _ => ValueTask.FromResult(Interlocked.Increment(ref attempts) == 1 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMinutes(1)),
            })
            .Build();
        await using RpcClient client = server.Client(With(pipeline, FlakyServer.Hang));

        Assert.Equal(5, (await client.CallAsync<IntValue, IntValue>(FlakyServer.Hang, new IntValue(5))).Value);
        Assert.Equal(2, server.Hangs);
    }

    [Fact]
    public async Task A_call_refused_for_want_of_a_server_is_retried_once_one_listens_on_the_port()
    {
        System.Net.IPEndPoint endPoint = FlakyServer.FreePort();
        FlakyServer? started = null;
        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddRpcRetry(new RpcRetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
                OnRetry = arguments =>
                {
                    // The first attempt found nothing listening; start the server before the second.
                    Assert.IsType<RpcConnectionException>(arguments.Outcome.Exception);
                    started = new FlakyServer(failFirst: 0, endPoint);
                    return default;
                },
            })
            .Build();
        await using RpcClient client = RpcClient.CreateTcp(endPoint, FlakyServer.Program, 1, With(pipeline, FlakyServer.Read));
        try
        {
            Assert.Equal(3, (await client.CallAsync<IntValue, IntValue>(FlakyServer.Read, new IntValue(3))).Value);
            Assert.Equal(1, started!.Calls);
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_call_and_its_idempotency_are_in_the_pipelines_context()
    {
        await using var server = new FlakyServer(failFirst: 0);
        var seen = new List<(uint Procedure, bool Idempotent)>();
        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddStrategy(_ => new Snoop(seen), new SnoopOptions())
            .Build();
        await using RpcClient client = server.Client(With(pipeline, FlakyServer.Read));

        await client.CallAsync<IntValue, IntValue>(FlakyServer.Read, new IntValue(1));
        await client.CallAsync<IntValue, IntValue>(FlakyServer.Append, new IntValue(1));

        Assert.Equal([(FlakyServer.Read, true), (FlakyServer.Append, false)], seen);
    }

    [Fact]
    public async Task AddRpcResilience_registers_the_pipeline_and_a_keyed_interceptor_over_it()
    {
        await using var server = new FlakyServer(failFirst: 1);
        var services = new ServiceCollection();
        services.AddRpcResilience("flaky", builder => builder.AddRpcRetry(NoWait(2)), idempotency => idempotency.IdempotentProcedureNames.Add("READ"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        RpcResilienceInterceptor interceptor = provider.GetRequiredKeyedService<RpcResilienceInterceptor>("flaky");
        Assert.Same(interceptor, provider.GetRequiredKeyedService<RpcResilienceInterceptor>("flaky"));

        RpcClientOptions options = Quick with { ProcedureNames = new Dictionary<uint, string> { [1] = "READ", [2] = "APPEND" }, Interceptors = [interceptor] };
        await using RpcClient client = server.Client(options);

        Assert.Equal(4, (await client.CallAsync<IntValue, IntValue>(FlakyServer.Read, new IntValue(4))).Value);
        Assert.Equal(2, server.Calls);
    }

    [Theory]
    [InlineData(typeof(RpcSystemErrorException), true)]
    [InlineData(typeof(TimeoutRejectedException), true)]
    [InlineData(typeof(RpcGarbageArgumentsException), false)]
    [InlineData(typeof(OperationCanceledException), false)]
    [InlineData(typeof(InvalidOperationException), false)]
    public void Transient_failures_are_those_another_attempt_can_mend(Type type, bool transient) =>
        Assert.Equal(transient, RpcTransientFailures.IsTransient((Exception)Activator.CreateInstance(type)!));

    [Fact]
    public void Connection_failures_are_transient_and_the_deadline_and_refusals_are_not()
    {
        Assert.True(RpcTransientFailures.IsTransient(new RpcConnectionException("reset")));
        Assert.False(RpcTransientFailures.IsTransient(new RpcTimeoutException(TimeSpan.FromSeconds(1))));
        Assert.False(RpcTransientFailures.IsTransient(new RpcAuthenticationException(AuthStatus.TooWeak)));
        Assert.False(RpcTransientFailures.IsTransient(new RpcProcedureUnavailableException(3)));
        Assert.False(RpcTransientFailures.IsTransient(new RpcSendFailedException("no route", SocketError.HostUnreachable)));
    }

    private sealed class SnoopOptions : ResilienceStrategyOptions;

    /// <summary>Notes what the interceptor put in each call's context, and lets the call through.</summary>
    private sealed class Snoop(List<(uint, bool)> seen) : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            Assert.True(context.Properties.TryGetValue(RpcResilienceProperties.Call, out RpcClientCallContext? call));
            lock (seen)
            {
                seen.Add((call!.Procedure, RpcResilienceProperties.IsIdempotent(context)));
            }

            return callback(context, state);
        }
    }
}
