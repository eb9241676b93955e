using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// A server killed with SIGKILL under load and started again: clients ride it out (RetryOnConnectionLoss: TCP
/// reconnects and resends with the same XIDs, UDP retransmits), and the duplicate request cache's journal keeps
/// every call executed at most once. The server is a separate process (this test assembly, <c>crash-server</c>)
/// that writes each execution to a file before replying; the file is the ground truth.
/// </summary>
public class CrashRestartTests(ITestOutputHelper output)
{
    private const int Workers = 32;
    private const int CallsPerPhase = 3000;

    /// <summary>Calls the first server holds until it dies (ids -1 to -4): the kill surely finds them running.</summary>
    private const int Held = 4;

    [Theory]
    [InlineData(RpcTransport.Tcp)]
    [InlineData(RpcTransport.Udp)]
    public async Task A_server_killed_under_load_runs_no_call_twice_and_clients_recover(RpcTransport transport)
    {
        Run run = await RunAsync(transport, journal: true);
        Report(transport, run);

        // At most once: no call ran twice, whatever the client saw.
        Assert.Empty(run.RunTwice);

        // Clients recovered: every call answered, none lost to the restart. A call answered with its result ran
        // exactly once; the only failure is SYSTEM_ERR, for calls running when the server died (they may or may
        // not have run, and were not run again).
        Assert.All(run.Outcomes, o => Assert.Contains(o.Value, new[] { "ok", nameof(RpcSystemErrorException) }));
        Assert.All(run.Outcomes.Where(o => o.Value == "ok"), o => Assert.Equal(1, run.Executions.GetValueOrDefault(o.Key)));
        Assert.True(run.Outcomes.Count(o => o.Value == "ok") >= 2 * CallsPerPhase);

        // The kill hit calls in flight: the restarted server found them in its journal, and refused to run them again.
        Assert.All(Enumerable.Range(1, Held), i => Assert.Equal(nameof(RpcSystemErrorException), run.Outcomes[-i]));
        Assert.All(Enumerable.Range(1, Held), i => Assert.Equal(1, run.Executions[-i]));
        int refused = run.Outcomes.Count(o => o.Value == nameof(RpcSystemErrorException));
        Assert.InRange(refused, Held, Workers + Held);
        Assert.Contains(run.RestartLog, line => Regex.Match(line, "([0-9]+) of them possibly run") is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Without_the_journal_the_same_kill_runs_calls_twice()
    {
        // The control: it shows that the test above would catch a server that forgets what it ran.
        Run run = await RunAsync(RpcTransport.Tcp, journal: false);
        Report(RpcTransport.Tcp, run);

        Assert.Superset(Enumerable.Range(1, Held).Select(i => -i).ToHashSet(), run.RunTwice.ToHashSet());
    }

    private void Report(RpcTransport transport, Run run) =>
        output.WriteLine(
            $"{transport}: {run.Outcomes.Count} calls, {run.Outcomes.Count(o => o.Value == "ok")} answered, " +
            $"{run.Outcomes.Count(o => o.Value == nameof(RpcSystemErrorException))} SYSTEM_ERR, " +
            $"{run.Outcomes.Count(o => o.Value is not "ok" and not nameof(RpcSystemErrorException))} other failures; " +
            $"{run.Executions.Count} ids ran, {run.RunTwice.Length} ran twice; restarted server said: {string.Join(" | ", run.RestartLog)}");

    private static async Task<Run> RunAsync(RpcTransport transport, bool journal)
    {
        string directory = Directory.CreateTempSubdirectory("netrpc-crash-").FullName;
        try
        {
            await using var first = await CrashServerProcess.StartAsync(directory, 0, 0, journal, hold: true);
            IPEndPoint endPoint = transport == RpcTransport.Tcp ? first.Tcp : first.Udp;
            var options = new RpcClientOptions
            {
                RetryOnConnectionLoss = true,
                Timeout = TimeSpan.FromSeconds(60),
                RetransmitInterval = TimeSpan.FromMilliseconds(50),
                MaxRetransmitInterval = TimeSpan.FromMilliseconds(400),
                MaxInFlight = Workers + Held,
            };
            await using RpcClient client = transport == RpcTransport.Tcp
                ? RpcClient.CreateTcp(endPoint, CrashServer.Program, 1, options)
                : RpcClient.CreateUdp(endPoint, CrashServer.Program, 1, options);

            var outcomes = new ConcurrentDictionary<int, string>();
            int next = 0;
            int succeeded = 0;
            using var stop = new CancellationTokenSource();
            Task[] load = [.. Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    int id = Interlocked.Increment(ref next);
                    try
                    {
                        IntValue result = await client.CallAsync<IntValue, IntValue>(CrashServer.Apply, new IntValue(id));
                        outcomes[id] = result.Value == id + 1 ? "ok" : $"wrong result {result.Value}";
                        Interlocked.Increment(ref succeeded);
                    }
                    catch (RpcException e)
                    {
                        outcomes[id] = e.GetType().Name;
                    }
                }
            }))];

            await WaitUntilAsync(() => Volatile.Read(ref succeeded) >= CallsPerPhase, "calls flow before the kill");
            Task[] held = [.. Enumerable.Range(1, Held).Select(i => Task.Run(async () =>
            {
                try
                {
                    await client.CallAsync<IntValue, IntValue>(CrashServer.Apply, new IntValue(-i));
                    outcomes[-i] = "ok";
                }
                catch (RpcException e)
                {
                    outcomes[-i] = e.GetType().Name;
                }
            }))];
            await WaitUntilAsync(() => Enumerable.Range(1, Held).All(i => CrashServer.ReadExecutions(directory).ContainsKey(-i)), "the held calls run");
            first.Kill();
            await Task.Delay(300); // clients meet a closed port meanwhile: refused connections, ICMP unreachable
            await using var second = await CrashServerProcess.StartAsync(directory, first.Tcp.Port, first.Udp.Port, journal, hold: false);
            int before = Volatile.Read(ref succeeded);
            await WaitUntilAsync(() => Volatile.Read(ref succeeded) >= before + CallsPerPhase, "calls flow again after the restart");
            await stop.CancelAsync();
            await Task.WhenAll([.. load, .. held]);
            await second.StopAsync();

            Dictionary<int, int> executions = CrashServer.ReadExecutions(directory);
            return new Run(
                new Dictionary<int, string>(outcomes),
                executions,
                [.. executions.Where(e => e.Value > 1).Select(e => e.Key)],
                second.Log);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    private sealed record Run(Dictionary<int, string> Outcomes, Dictionary<int, int> Executions, int[] RunTwice, IReadOnlyList<string> RestartLog);

    /// <summary>The crash server as a child process, stopped by PID when disposed.</summary>
    private sealed class CrashServerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private CrashServerProcess(Process process, IPEndPoint tcp, IPEndPoint udp, IReadOnlyList<string> log)
        {
            _process = process;
            Tcp = tcp;
            Udp = udp;
            Log = log;
        }

        public IPEndPoint Tcp { get; }

        public IPEndPoint Udp { get; }

        /// <summary>What the server logged while starting (its journal's read-back, say).</summary>
        public IReadOnlyList<string> Log { get; }

        public static async Task<CrashServerProcess> StartAsync(string directory, int tcpPort, int udpPort, bool journal, bool hold)
        {
            var start = new ProcessStartInfo(Binding.RpcbindScenario.Dotnet)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { typeof(CrashServer).Assembly.Location, "crash-server", directory, tcpPort.ToString(CultureInfo.InvariantCulture), udpPort.ToString(CultureInfo.InvariantCulture), journal ? "journal" : "no-journal", hold ? "hold" : "no-hold" })
            {
                start.ArgumentList.Add(argument);
            }

            Process process = Process.Start(start)!;
            var log = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ready ", StringComparison.Ordinal))
                {
                    string[] ports = line.Split(' ');
                    return new CrashServerProcess(
                        process,
                        new IPEndPoint(IPAddress.Loopback, int.Parse(ports[1], CultureInfo.InvariantCulture)),
                        new IPEndPoint(IPAddress.Loopback, int.Parse(ports[2], CultureInfo.InvariantCulture)),
                        log);
                }

                log.Add(line);
            }

            process.Kill();
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"the crash server ended before it was ready: {string.Join('\n', log)}");
        }

        /// <summary>SIGKILL: no shutdown, no flush, no goodbye.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        /// <summary>A graceful stop: the server stops when its standard input closes.</summary>
        public async Task StopAsync()
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}

/// <summary>
/// The server the crash tests kill: program 0x20000777 version 1, procedure 1 APPLY(int id) int, which appends the
/// id to <c>executions</c> in its directory (one write(2), before replying), waits 2 ms (forever for a negative id,
/// when told to hold), and returns id + 1. Its
/// duplicate request caches (TCP and UDP) keep journals in the directory unless told not to. It prints
/// <c>ready TCPPORT UDPPORT</c> once serving, and stops when its standard input closes.
/// </summary>
internal static class CrashServer
{
    public const uint Program = 0x20000777;
    public const uint Apply = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string directory, string tcpPort, string udpPort, string journal, string hold])
        {
            await Console.Error.WriteLineAsync("usage: crash-server DIRECTORY TCPPORT UDPPORT journal|no-journal hold|no-hold");
            return 2;
        }

        bool holding = hold == "hold";
        bool journaled = journal == "journal";
        var logs = new TestLogs();
        var options = new RpcServerOptions
        {
            TcpDuplicateRequestCache = new DuplicateRequestCacheOptions { JournalPath = journaled ? Path.Combine(directory, "tcp.drc") : null },
            UdpDuplicateRequestCache = new DuplicateRequestCacheOptions { JournalPath = journaled ? Path.Combine(directory, "udp.drc") : null },
            LoggerFactory = logs,
        };
        using var executions = new FileStream(Path.Combine(directory, "executions"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var gate = new object();
        await using var server = new RpcServer(options);
        server.AddProgram(new RpcProgramBuilder(Program, 1, "CRASH")
            .AddProcedure<IntValue, IntValue>(Apply, "APPLY", async (id, _) =>
            {
                byte[] record = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(record, id.Value);
                lock (gate)
                {
                    executions.Write(record);
                }

                await Task.Delay(id.Value < 0 && holding ? Timeout.Infinite : 2);
                return new IntValue(id.Value + 1);
            })
            .Build());
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, int.Parse(tcpPort, CultureInfo.InvariantCulture)));
        IPEndPoint udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, int.Parse(udpPort, CultureInfo.InvariantCulture)));
        foreach (var entry in logs.Entries)
        {
            Console.WriteLine($"log {entry.Message}");
        }

        Console.WriteLine($"ready {tcp.Port} {udp.Port}");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <summary>How many times each id ran, from the executions file.</summary>
    public static Dictionary<int, int> ReadExecutions(string directory)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(directory, "executions"));
        var counts = new Dictionary<int, int>();
        for (int i = 0; i + 4 <= bytes.Length; i += 4)
        {
            int id = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i));
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }
}
