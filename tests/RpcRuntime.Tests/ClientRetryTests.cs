using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// <see cref="RpcClientOptions.RetryOnConnectionLoss"/>: calls stranded by a broken connection go out again, with
/// their XIDs, on the next; calls made while the server is away wait for it until their deadline. (The same
/// against a server killed with SIGKILL, with the server's journal: <see cref="CrashRestartTests"/>.)
/// </summary>
public class ClientRetryTests
{
    private static readonly RpcClientOptions Retrying = new()
    {
        RetryOnConnectionLoss = true,
        Timeout = TimeSpan.FromSeconds(20),
        RetransmitInterval = TimeSpan.FromMilliseconds(20),
        MaxRetransmitInterval = TimeSpan.FromMilliseconds(160),
    };

    [Fact]
    public async Task Calls_a_server_hung_up_on_are_sent_again_with_their_xids_on_a_new_connection()
    {
        var seen = new ConcurrentDictionary<int, List<uint>>();
        await using var server = new ScriptedTcpServer(async (connection, stream) =>
        {
            List<uint> xids = seen.GetOrAdd(connection, _ => []);
            if (connection == 0)
            {
                // Take three calls, send half a reply, and hang up.
                for (int i = 0; i < 3; i++)
                {
                    xids.Add(Wire.WordAt((await Wire.ReadRecordAsync(stream))!, 0));
                }

                await stream.WriteAsync(Wire.Record(Wire.Accepted(xids[0], 0, 42)).AsMemory(0, 10));
                return;
            }

            while (await Wire.ReadRecordAsync(stream) is { } call)
            {
                xids.Add(Wire.WordAt(call, 0));
                await stream.WriteAsync(Wire.Record(Wire.Accepted(Wire.WordAt(call, 0), 0, 42)));
            }
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Retrying);

        IntValue[] results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.CallAsync<XdrVoid, IntValue>(1, default).AsTask()));

        Assert.All(results, r => Assert.Equal(42, r.Value));
        // The same calls, by XID, on the second connection; a loaded machine may see one resent there too before its
        // reply (TCP calls are resent on the retransmission timer until answered), which is the same call again.
        Assert.Equal(seen[0].Order(), seen[1].Distinct().Order());
        Assert.Equal(0, client.InFlight);
    }

    [Fact]
    public async Task Without_it_the_same_hang_up_fails_the_calls()
    {
        await using var server = new ScriptedTcpServer(async (connection, stream) =>
        {
            await Wire.ReadRecordAsync(stream);
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Retrying with { RetryOnConnectionLoss = false });

        await Assert.ThrowsAsync<RpcConnectionException>(() => client.CallAsync<XdrVoid, IntValue>(1, default).AsTask());
    }

    [Fact]
    public async Task A_call_to_a_server_that_never_comes_back_fails_by_its_deadline()
    {
        IPEndPoint nobody = UnusedPort();
        await using RpcClient client = RpcClient.CreateTcp(nobody, 1, 1, Retrying with { Timeout = TimeSpan.FromSeconds(1) });

        var clock = Stopwatch.StartNew();
        RpcException e = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<XdrVoid, IntValue>(1, default).AsTask());

        // Refused again and again until no back-off fits before the deadline (the last refusal), or cut by it: never
        // given up long before it. (The upper end only guards against a hang; how late it ends depends on the machine.)
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(60));
        Assert.True(e is RpcConnectionException or RpcTimeoutException, e.ToString());
        Assert.Equal(0, client.InFlight);
    }

    [Fact]
    public async Task A_connect_cut_short_by_the_calls_deadline_is_a_timeout()
    {
        // A listener whose backlog is full: connecting hangs (SYNs unanswered) until the call's deadline.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                fillers.Add(filler);
                try
                {
                    filler.Connect(listener.LocalEndPoint!);
                }
                catch (SocketException)
                {
                    // in progress, or already refused: either way the backlog fills
                }
            }

            // The precondition that makes this test mean something: a connect to it does not complete.
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                Task connecting = probe.ConnectAsync(listener.LocalEndPoint!);
                Assert.False(await Task.WhenAny(connecting, Task.Delay(500)) == connecting, "the full backlog let a connect through");
            }

            await using RpcClient client = RpcClient.CreateTcp((IPEndPoint)listener.LocalEndPoint!, 1, 1, new RpcClientOptions());
            RpcTimeoutException e = await Assert.ThrowsAsync<RpcTimeoutException>(() => client.CallAsync<XdrVoid, IntValue>(1, default, TimeSpan.FromMilliseconds(300), default).AsTask());
            Assert.Equal(TimeSpan.FromMilliseconds(300), e.Timeout);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task A_server_restarted_under_load_costs_no_call_and_runs_none_twice()
    {
        // Stopped abruptly (no time for calls in flight) and started again on the same port, with a TCP cache.
        var options = new RpcServerOptions { ShutdownTimeout = TimeSpan.Zero, TcpDuplicateRequestCache = new() };
        int executed = 0;
        RpcServer Start(IPEndPoint at)
        {
            var server = new RpcServer(options);
            server.AddProgram(new RpcProgramBuilder(TestServer.Program, 1, "TEST")
                .AddProcedure<IntValue, IntValue>(1, "ADD_ONE", (a, _) =>
                {
                    Interlocked.Increment(ref executed);
                    return ValueTask.FromResult(new IntValue(a.Value + 1));
                })
                .Build());
            server.ListenTcp(at);
            return server;
        }

        RpcServer first = Start(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint endPoint = first.TcpEndPoints[0];
        await using RpcClient client = RpcClient.CreateTcp(endPoint, TestServer.Program, 1, Retrying with { MaxInFlight = 32 });
        using var stop = new CancellationTokenSource();
        int succeeded = 0;
        Task[] load = [.. Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                Assert.Equal(n + 1, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(n))).Value);
                Interlocked.Increment(ref succeeded);
            }
        }))];

        await WaitUntilAsync(() => Volatile.Read(ref succeeded) > 1000);
        await first.DisposeAsync();
        await Task.Delay(200);
        await using RpcServer second = Start(endPoint);
        int before = Volatile.Read(ref succeeded);
        await WaitUntilAsync(() => Volatile.Read(ref succeeded) > before + 1000);
        await stop.CancelAsync();
        await Task.WhenAll(load); // every call of every loop succeeded: none failed across the restart

        // Calls in flight at the stop ran on the first server and, resent, again on the second (its cache is new):
        // at-most-once across a restart takes the journal (CrashRestartTests). Within one server, none ran twice.
        Assert.InRange(Volatile.Read(ref executed), Volatile.Read(ref succeeded), Volatile.Read(ref succeeded) + 32);
        Assert.Equal(0, client.InFlight);
    }

    private static IPEndPoint UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting for calls to flow");
            await Task.Delay(20);
        }
    }
}
