using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// Client and server interceptors over real loopback sockets: their order, what they see of a call, its result and its
/// failure, and the calls they answer themselves. The server's run in both designs (the subclasses below). Every wait
/// is for a call's outcome, never for time.
/// </summary>
public abstract class InterceptorTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static readonly RpcCallOptions Root = new() { Credential = RpcCredential.Sys(new AuthSysParameters { MachineName = "admin", Uid = 0, Gid = 0, Gids = [4, 27] }) };

    private static readonly RpcCallOptions User = new() { Credential = RpcCredential.Sys(new AuthSysParameters { MachineName = "desk", Uid = 1000, Gid = 100 }) };

    /// <summary>True: a thread per connection; false: the platform's default (epoll loops on Linux).</summary>
    protected abstract bool ThreadPerConnection { get; }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Server_interceptors_nest_in_the_order_they_are_listed(bool tcp)
    {
        var log = new ConcurrentQueue<string>();
        await using TestServer server = Serve(new Recorder("outer", log), new Recorder("inner", log));
        await using RpcClient client = server.Client(tcp, options: Quick);

        Assert.Equal(42, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(41))).Value);

        // The reply is written once the outermost is done, so the log is whole when the call returns.
        Assert.Equal(["outer>ADD_ONE", "inner>ADD_ONE", "inner<IntValue { Value = 42 }", "outer<IntValue { Value = 42 }"], log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_interceptor_sees_the_program_the_procedure_and_the_AUTH_SYS_identity(bool tcp)
    {
        var seen = new Snooper();
        await using TestServer server = Serve(seen);
        await using RpcClient client = server.Client(tcp, options: Quick);

        await client.CallAsync<XdrVoid, TextValue>(6, default, Root);

        RpcCallContext context = Assert.Single(seen.Contexts);
        Assert.Equal(TestServer.Program, context.Header.Program);
        Assert.Equal(1u, context.Header.Version);
        Assert.Equal(6u, context.Header.Procedure);
        Assert.Equal("TEST", context.ProgramName);
        Assert.Equal("WHOAMI", context.ProcedureName);
        Assert.Equal(AuthFlavor.Sys, context.Header.Credential.Flavor);
        Assert.Equal("admin", context.AuthSys!.MachineName);
        Assert.Equal(0u, context.AuthSys.Uid);
        Assert.Equal(0u, context.AuthSys.Gid);
        Assert.Equal([4u, 27u], context.AuthSys.Gids);
        Assert.Equal(tcp ? RpcTransport.Tcp : RpcTransport.Udp, context.Transport);
        Assert.Equal(IPAddress.Loopback, context.RemoteEndPoint!.Address);
        Assert.True(context.CallAborted.CanBeCanceled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_interceptor_sees_a_handlers_failure_and_the_reply_status_it_chose(bool tcp)
    {
        var log = new ConcurrentQueue<string>();
        await using TestServer server = Serve(new Recorder("only", log));
        await using RpcClient client = server.Client(tcp, options: Quick);

        // FAIL throws after an await, SYNC_FAIL before returning; both are answered SYSTEM_ERR.
        await Assert.ThrowsAsync<RpcSystemErrorException>(() => client.CallAsync<XdrVoid, XdrVoid>(3, default).AsTask());
        await Assert.ThrowsAsync<RpcSystemErrorException>(() => client.CallAsync<XdrVoid, XdrVoid>(8, default).AsTask());

        Assert.Equal(["only>FAIL", "only<InvalidOperationException", "only>SYNC_FAIL", "only<InvalidOperationException"], log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_interceptor_refuses_a_caller_with_AUTH_ERROR_and_the_handler_never_runs(bool tcp)
    {
        await using TestServer server = Serve(new RootOnly());
        await using RpcClient client = server.Client(tcp, options: Quick);

        RpcAuthenticationException denied = await Assert.ThrowsAsync<RpcAuthenticationException>(() => client.CallAsync<XdrVoid, IntValue>(5, default, User).AsTask());
        Assert.Equal(AuthStatus.TooWeak, denied.Status);
        await Assert.ThrowsAsync<RpcAuthenticationException>(() => client.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
        Assert.Equal(0, server.Counter);

        Assert.Equal(1, (await client.CallAsync<XdrVoid, IntValue>(5, default, Root)).Value);
        Assert.Equal(1, server.Counter);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_interceptor_answers_with_the_reply_status_it_throws(bool tcp)
    {
        await using TestServer server = Serve(new Hides(procedure: 2));
        await using RpcClient client = server.Client(tcp, options: Quick);

        RpcProcedureUnavailableException hidden = await Assert.ThrowsAsync<RpcProcedureUnavailableException>(() => client.CallAsync<TextValue, TextValue>(2, new TextValue("x")).AsTask());
        Assert.Equal(2u, hidden.Procedure);
        Assert.Equal(8, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(7))).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_interceptor_answers_from_its_own_cache_without_the_handler(bool tcp)
    {
        await using TestServer server = Serve(new CountIsAlways(99));
        await using RpcClient client = server.Client(tcp, options: Quick);

        Assert.Equal(99, (await client.CallAsync<XdrVoid, IntValue>(5, default)).Value);
        Assert.Equal(99, (await client.CallAsync<XdrVoid, IntValue>(5, default)).Value);
        Assert.Equal(0, server.Counter);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_streamed_reply_runs_through_the_server_interceptors(bool tcp)
    {
        var log = new ConcurrentQueue<string>();
        await using RpcServer server = ServeStreams(out IPEndPoint tcpEndPoint, out IPEndPoint udpEndPoint, new Recorder("outer", log), new RootOnly(), new Recorder("inner", log));
        await using RpcClient client = tcp ? RpcClient.CreateTcp(tcpEndPoint, StreamProgram, 1, Quick) : RpcClient.CreateUdp(udpEndPoint, StreamProgram, 1, Quick);

        var read = new List<int>();
        await foreach (IntValue element in client.CallStreamAsync<IntValue, IntValue>(1, new IntValue(tcp ? 5000 : 100), Root))
        {
            read.Add(element.Value);
        }

        Assert.Equal(Enumerable.Range(0, tcp ? 5000 : 100), read);
        Assert.Equal(["outer>UP_TO", "inner>UP_TO", $"inner<{read.Count} elements", $"outer<{read.Count} elements"], log);

        // The refusal comes before the stream's first element: an AUTH_ERROR reply, and the inner interceptor never ran.
        RpcAuthenticationException denied = await Assert.ThrowsAsync<RpcAuthenticationException>(async () =>
        {
            await foreach (IntValue _ in client.CallStreamAsync<IntValue, IntValue>(1, new IntValue(10), User))
            {
            }
        });
        Assert.Equal(AuthStatus.TooWeak, denied.Status);
        Assert.Equal(["outer>UP_TO", "inner>UP_TO", $"inner<{read.Count} elements", $"outer<{read.Count} elements", "outer>UP_TO", "outer<RpcReplyException"], log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Client_interceptors_nest_in_the_order_they_are_listed_and_see_results_and_failures(bool tcp)
    {
        var log = new ConcurrentQueue<string>();
        await using var server = new TestServer(new RpcServerOptions { ThreadPerConnection = ThreadPerConnection });
        RpcClientOptions options = Quick with
        {
            ProcedureNames = new Dictionary<uint, string> { [1] = "ADD_ONE", [3] = "FAIL" },
            Interceptors = [new ClientRecorder("outer", log), new ClientRecorder("inner", log)],
        };
        await using RpcClient client = server.Client(tcp, options: options);

        Assert.Equal(11, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(10))).Value);
        await Assert.ThrowsAsync<RpcSystemErrorException>(() => client.CallAsync<XdrVoid, XdrVoid>(3, default).AsTask());
        await Assert.ThrowsAsync<RpcProcedureUnavailableException>(() => client.CallAsync<XdrVoid, XdrVoid>(99, default).AsTask());

        Assert.Equal(
        [
            "outer>ADD_ONE", "inner>ADD_ONE", "inner<IntValue { Value = 11 }", "outer<IntValue { Value = 11 }",
            "outer>FAIL", "inner>FAIL", "inner<RpcSystemErrorException", "outer<RpcSystemErrorException",
            "outer>99", "inner>99", "inner<RpcProcedureUnavailableException", "outer<RpcProcedureUnavailableException",
        ], log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_interceptor_sees_the_call_its_credential_and_its_deadline(bool tcp)
    {
        var seen = new ClientSnooper();
        await using var server = new TestServer(new RpcServerOptions { ThreadPerConnection = ThreadPerConnection });
        RpcClientOptions options = Quick with { ProgramName = "TEST", ProcedureNames = new Dictionary<uint, string> { [6] = "WHOAMI" }, Interceptors = [seen] };
        await using RpcClient client = server.Client(tcp, options: options);
        using var cancellation = new CancellationTokenSource();

        DateTimeOffset before = DateTimeOffset.UtcNow;
        await client.CallAsync<XdrVoid, TextValue>(6, default, Root with { Timeout = TimeSpan.FromMinutes(5) }, cancellation.Token);
        DateTimeOffset after = DateTimeOffset.UtcNow;

        (RpcClientCallContext context, DateTimeOffset deadline) = Assert.Single(seen.Calls);
        Assert.Same(client, context.Client);
        Assert.Equal(TestServer.Program, context.Program);
        Assert.Equal(1u, context.Version);
        Assert.Equal(6u, context.Procedure);
        Assert.Equal("TEST", context.ProgramName);
        Assert.Equal("WHOAMI", context.ProcedureName);
        Assert.Equal(AuthFlavor.Sys, context.Flavor);
        Assert.Equal(0u, context.AuthSys!.Uid);
        Assert.Equal([4u, 27u], context.AuthSys.Gids);
        Assert.Equal(TimeSpan.FromMinutes(5), context.Timeout);
        Assert.Equal(cancellation.Token, context.CancellationToken);

        // The deadline is five minutes after the call was made; the clocks' rounding is allowed a second either way.
        Assert.InRange(deadline, before + TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), after + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        // Names the options do not give are null; AUTH_NONE has no identity.
        await client.CallAsync<IntValue, IntValue>(1, new IntValue(1));
        Assert.Null(seen.Calls.Last().Context.ProcedureName);
        Assert.Null(seen.Calls.Last().Context.AuthSys);
        Assert.Equal(Quick.Timeout, seen.Calls.Last().Context.Timeout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_interceptor_answers_a_call_itself_and_nothing_is_sent(bool tcp)
    {
        var xids = new Snooper();
        await using TestServer server = Serve(xids);
        await using RpcClient client = server.Client(tcp, options: Quick with { Interceptors = [new ClientCache(5, new IntValue(-1))] });

        Assert.Equal(-1, (await client.CallAsync<XdrVoid, IntValue>(5, default)).Value);
        Assert.Equal(0, server.Counter);
        Assert.Empty(xids.Contexts);
        Assert.Equal(3, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(2))).Value);
        Assert.Single(xids.Contexts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Calling_next_again_is_a_new_call_with_a_new_xid_and_another_credential_if_asked(bool tcp)
    {
        var seen = new Snooper();
        await using TestServer server = Serve(seen);
        await using RpcClient client = server.Client(tcp, options: Quick with { Interceptors = [new Twice(RpcCredential.Sys(new AuthSysParameters { MachineName = "second", Uid = 5, Gid = 6 }))] });

        Assert.Equal(2, (await client.CallAsync<XdrVoid, IntValue>(5, default)).Value);

        Assert.Equal(2, server.Counter);
        Assert.Equal(2, seen.Contexts.Count);
        Assert.NotEqual(seen.Contexts.First().Header.Xid, seen.Contexts.Last().Header.Xid);
        Assert.Null(seen.Contexts.First().AuthSys);
        Assert.Equal("second", seen.Contexts.Last().AuthSys!.MachineName);
    }

    [Fact]
    public async Task A_call_with_no_time_left_reaches_the_interceptor_and_fails_unsent_with_RpcTimeoutException()
    {
        var log = new ConcurrentQueue<string>();
        var seen = new Snooper();
        await using TestServer server = Serve(seen);
        await using RpcClient client = server.Client(tcp: true, options: Quick with { Interceptors = [new ClientRecorder("only", log)] });

        await Assert.ThrowsAsync<RpcTimeoutException>(() => client.CallAsync<XdrVoid, IntValue>(5, default, new RpcCallOptions { Deadline = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) }).AsTask());

        Assert.Equal(["only>5", "only<RpcTimeoutException"], log);
        Assert.Empty(seen.Contexts);
    }

    [Fact]
    public async Task A_client_interceptor_that_throws_before_awaiting_fails_the_call_it_intercepts()
    {
        await using TestServer server = Serve();
        await using RpcClient client = server.Client(tcp: true, options: Quick with { Interceptors = [new ThrowsAtOnce()] });

        ValueTask<IntValue> call = client.CallAsync<XdrVoid, IntValue>(5, default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.AsTask());
        Assert.Equal(0, server.Counter);
    }

    private const uint StreamProgram = 0x20000303;

    private TestServer Serve(params RpcServerInterceptor[] interceptors) =>
        new(new RpcServerOptions { ThreadPerConnection = ThreadPerConnection, Interceptors = interceptors });

    private RpcServer ServeStreams(out IPEndPoint tcp, out IPEndPoint udp, params RpcServerInterceptor[] interceptors)
    {
        var server = new RpcServer(new RpcServerOptions { ThreadPerConnection = ThreadPerConnection, Interceptors = interceptors });
        server.AddProgram(new RpcProgramBuilder(StreamProgram, 1, "STREAMS")
            .AddStreamedProcedure<IntValue, IntValue>(1, "UP_TO", (count, context) => UpTo(count.Value, context.CallAborted))
            .Build());
        tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    private static async IAsyncEnumerable<IntValue> UpTo(int count, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 1000 == 999)
            {
                await Task.Yield();
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return new IntValue(i);
        }
    }

    /// <summary>Notes each call going in ("name>PROCEDURE") and coming out ("name&lt;result" or "name&lt;ExceptionType").</summary>
    private sealed class Recorder(string name, ConcurrentQueue<string> log) : RpcServerInterceptor
    {
        public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            log.Enqueue($"{name}>{context.ProcedureName}");
            await Task.Yield();
            try
            {
                TResult result = await next(arguments, context);
                log.Enqueue($"{name}<{result}");
                return result;
            }
            catch (Exception e)
            {
                log.Enqueue($"{name}<{e.GetType().Name}");
                throw;
            }
        }

        public override async IAsyncEnumerable<TElement> InterceptStream<TArgs, TElement>(TArgs arguments, RpcCallContext context, RpcStreamHandler<TArgs, TElement> next)
        {
            log.Enqueue($"{name}>{context.ProcedureName}");
            int elements = 0;
            IAsyncEnumerator<TElement> stream;
            try
            {
                stream = next(arguments, context).GetAsyncEnumerator(context.CallAborted);
            }
            catch (Exception e)
            {
                log.Enqueue($"{name}<{e.GetType().Name}");
                throw;
            }

            try
            {
                while (true)
                {
                    try
                    {
                        if (!await stream.MoveNextAsync())
                        {
                            break;
                        }
                    }
                    catch (Exception e)
                    {
                        log.Enqueue($"{name}<{e.GetType().Name}");
                        throw;
                    }

                    elements++;
                    yield return stream.Current;
                }
            }
            finally
            {
                await stream.DisposeAsync();
            }

            log.Enqueue($"{name}<{elements} elements");
        }
    }

    /// <summary>Keeps the context of every call.</summary>
    private sealed class Snooper : RpcServerInterceptor
    {
        public ConcurrentQueue<RpcCallContext> Contexts { get; } = new();

        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            Contexts.Enqueue(context);
            return next(arguments, context);
        }
    }

    /// <summary>Authorization: only AUTH_SYS root may call, NULL aside; others are refused with AUTH_TOOWEAK.</summary>
    private sealed class RootOnly : RpcServerInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            Check(context);
            return next(arguments, context);
        }

        public override IAsyncEnumerable<TElement> InterceptStream<TArgs, TElement>(TArgs arguments, RpcCallContext context, RpcStreamHandler<TArgs, TElement> next)
        {
            Check(context);
            return next(arguments, context);
        }

        private static void Check(RpcCallContext context)
        {
            if (context.Header.Procedure != 0 && context.AuthSys is not { Uid: 0 })
            {
                throw RpcReplyException.Denied(AuthStatus.TooWeak);
            }
        }
    }

    /// <summary>Answers one procedure PROC_UNAVAIL, as if the program did not have it.</summary>
    private sealed class Hides(uint procedure) : RpcServerInterceptor
    {
        public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next)
        {
            await Task.Yield();
            return context.Header.Procedure == procedure ? throw RpcReplyException.WithStatus(AcceptStatus.ProcedureUnavailable) : await next(arguments, context);
        }
    }

    /// <summary>Answers COUNT (procedure 5) itself.</summary>
    private sealed class CountIsAlways(int value) : RpcServerInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next) =>
            context.Header.Procedure == 5 && new IntValue(value) is TResult cached ? ValueTask.FromResult(cached) : next(arguments, context);
    }

    private sealed class ClientRecorder(string name, ConcurrentQueue<string> log) : RpcClientInterceptor
    {
        public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
        {
            log.Enqueue($"{name}>{context.ProcedureName ?? context.Procedure.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            await Task.Yield();
            try
            {
                TResult result = await next(arguments, context);
                log.Enqueue($"{name}<{result}");
                return result;
            }
            catch (Exception e)
            {
                log.Enqueue($"{name}<{e.GetType().Name}");
                throw;
            }
        }
    }

    private sealed class ClientSnooper : RpcClientInterceptor
    {
        public ConcurrentQueue<(RpcClientCallContext Context, DateTimeOffset Deadline)> Calls { get; } = new();

        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
        {
            Calls.Enqueue((context, context.Deadline));
            return next(arguments, context);
        }
    }

    private sealed class ClientCache(uint procedure, IntValue value) : RpcClientInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next) =>
            context.Procedure == procedure && value is TResult cached ? ValueTask.FromResult(cached) : next(arguments, context);
    }

    /// <summary>Sends every call twice, the second time with another credential; returns the second's results.</summary>
    private sealed class Twice(RpcCredential second) : RpcClientInterceptor
    {
        public override async ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next)
        {
            await next(arguments, context);
            return await next(arguments, context.WithCredential(second));
        }
    }

    private sealed class ThrowsAtOnce : RpcClientInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcClientCallContext context, RpcClientContinuation<TArgs, TResult> next) =>
            throw new InvalidOperationException("refused before anything was sent");
    }
}

/// <summary><see cref="InterceptorTests"/> on the platform's default server design (epoll loops on Linux).</summary>
public sealed class InterceptorTestsOnEventLoops : InterceptorTests
{
    protected override bool ThreadPerConnection => false;
}

/// <summary><see cref="InterceptorTests"/> with a thread per connection.</summary>
public sealed class InterceptorTestsOnThreads : InterceptorTests
{
    protected override bool ThreadPerConnection => true;
}
