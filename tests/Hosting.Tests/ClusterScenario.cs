using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>
/// <c>cluster-scenario</c>, run by <see cref="ClusterTests"/> inside a network and mount namespace of its own: three
/// hosts, each a network namespace behind a veth pair (10.79.N.2), each running <c>cluster-server N</c>, a NetRpc
/// TEST_PROG server with a TCP duplicate request cache that answers its number and prints each call it runs. A client
/// from AddRpcClient, its servers from service discovery's configuration, calls them. Each step prints one line the
/// test checks; the servers' lines go to standard error for the record.
/// </summary>
internal static class ClusterScenario
{
    private const int Port = 7000;

    public static async Task<int> RunAsync()
    {
        Run("ip", "link", "set", "lo", "up");
        var servers = new Server[3];
        try
        {
            for (int n = 1; n <= 3; n++)
            {
                Network(n);
                servers[n - 1] = Server.Start(n);
            }

            foreach (Server server in servers)
            {
                await server.Ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }

            var settings = new Dictionary<string, string?>
            {
                ["NetRpc:Clients:TestProg:Service"] = "testprog",
                ["NetRpc:Clients:TestProg:RetryOnConnectionLoss"] = "true",
                ["NetRpc:Clients:TestProg:RetransmitInterval"] = "00:00:00.100",
                ["NetRpc:Clients:TestProg:MaxRetransmitInterval"] = "00:00:01",
                ["NetRpc:Clients:TestProg:Timeout"] = "00:01:00",
                ["NetRpc:Clients:TestProg:ReservedPort"] = "Never",
            };
            for (int n = 1; n <= 3; n++)
            {
                settings[$"Services:testprog:tcp:{n - 1}"] = $"{Address(n)}:{Port}";
            }

            HostApplicationBuilder builder = new(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProg");
            using IHost host = builder.Build();
            ITestVersClient client = host.Services.GetRequiredService<ITestVersClient>();

            // Round-robin: 30 calls one after another, 10 to each server.
            var answers = new List<int>();
            for (int i = 0; i < 30; i++)
            {
                answers.Add(await client.TestAsync());
            }

            // A server prints a call's line before it answers, but the line may reach this process after the answer.
            await Eventually.Until(() => servers.Sum(s => s.Executed.Count) >= 30);
            Console.WriteLine($"round-robin answers: {Counts(answers)}");
            Console.WriteLine($"round-robin runs: {string.Join(' ', servers.Select(s => s.Executed.Count))}");

            // Failover: six calls at once, two to each; server 1 holds its two (it never answers calls marked "hold")
            // and is killed. Its two go to the others with their XIDs.
            RpcCallOptions hold = Marked("hold");
            Task<int>[] calls = [.. Enumerable.Range(0, 6).Select(_ => client.TestAsync(hold))];
            await Eventually.Until(() => servers[0].Held.Count == 2 && calls.Count(c => c.IsCompletedSuccessfully) == 4);
            servers[0].Kill();
            int[] failedOverAnswers = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
            uint[] held = [.. servers[0].Held];
            await Eventually.Until(() => servers[1].Executed.Concat(servers[2].Executed).Count(held.Contains) >= held.Length);
            uint[] rerun = [.. servers[1].Executed.Concat(servers[2].Executed).Where(held.Contains)];
            Console.WriteLine($"failover answers: {Counts(failedOverAnswers)}");
            Console.WriteLine($"failover held on 1: {held.Length}, run elsewhere with the same XID: {rerun.Length}, distinct: {rerun.Distinct().Count()}, run on 1: {servers[0].Executed.Count(held.Contains)}");

            // At most once: a call the server runs, whose connection is cut (ss -K) before it answers. The client sends
            // it again with its XID on a new connection to the same server, whose cache answers without running it again.
            Task<int> cut = client.TestAsync(Marked("linger"));
            await Eventually.Until(() => servers.Any(s => s.Lingering.Count == 1));
            Server lingering = servers.Single(s => s.Lingering.Count == 1);
            uint xid = lingering.Lingering.Single();
            string killed = Run("ss", "-K", "-t", "dst", Address(lingering.Number), "dport", "=", Port.ToString(CultureInfo.InvariantCulture));
            int answer = await cut.WaitAsync(TimeSpan.FromSeconds(60));

            // The servers stop, and their last lines are in: a call run twice anywhere would show now.
            foreach (Server server in servers)
            {
                server.Stop();
            }

            Console.WriteLine($"cut connection: {(killed.Contains(Address(lingering.Number), StringComparison.Ordinal) ? "cut" : "not cut: " + killed)}");
            Console.WriteLine($"cut call answered by its server: {answer == lingering.Number}, runs: {lingering.Executed.Count(x => x == xid)}");

            // And over all: no call ran twice anywhere.
            uint[] all = [.. servers.SelectMany(s => s.Executed)];
            Console.WriteLine($"runs: {all.Length}, distinct XIDs: {all.Distinct().Count()}");
            return 0;
        }
        finally
        {
            foreach (Server? server in servers)
            {
                server?.Stop();
            }

            for (int n = 1; n <= 3; n++)
            {
                Run("ip", ["netns", "delete", $"c{n}"], check: false);
            }
        }
    }

    /// <summary><c>cluster-server N ADDRESS</c>: serves until standard input closes, printing READY, then a line per call.</summary>
    public static async Task<int> ServeAsync(int number, string address)
    {
        await using var server = new RpcServer(new RpcServerOptions { TcpDuplicateRequestCache = new DuplicateRequestCacheOptions() });
        server.AddProgram(new PrintingService(number).ToProgram());
        server.ListenTcp(new IPEndPoint(IPAddress.Parse(address), Port));
        Console.WriteLine("READY");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static RpcCallOptions Marked(string machine) => new() { Credential = RpcCredential.Sys(new AuthSysParameters { MachineName = machine }) };

    private static string Counts(IEnumerable<int> answers) =>
        string.Join(' ', Enumerable.Range(1, 3).Select(n => $"{n}:{answers.Count(a => a == n)}"));

    private static string Address(int n) => $"10.79.{n}.2";

    private static void Network(int n)
    {
        string host = $"c{n}";
        Run("ip", "link", "add", $"h{n}", "type", "veth", "peer", "name", $"s{n}");
        Run("ip", "netns", "add", host);
        Run("ip", "link", "set", $"s{n}", "netns", host);
        Run("ip", "addr", "add", $"10.79.{n}.1/24", "dev", $"h{n}");
        Run("ip", "link", "set", $"h{n}", "up");
        Run("ip", "netns", "exec", host, "ip", "link", "set", "lo", "up");
        Run("ip", "netns", "exec", host, "ip", "addr", "add", $"{Address(n)}/24", "dev", $"s{n}");
        Run("ip", "netns", "exec", host, "ip", "link", "set", $"s{n}", "up");
    }

    private static string Run(string program, params string[] arguments) => Run(program, arguments, check: true);

    private static string Run(string program, string[] arguments, bool check)
    {
        try
        {
            return NativeToolchain.Run(program, arguments, AppContext.BaseDirectory, timeoutSeconds: 60);
        }
        catch (InvalidOperationException) when (!check)
        {
            return string.Empty;
        }
    }

    /// <summary>TEST: prints "ran XID" and answers the number; a call marked "hold" is held on server 1, one marked "linger" answers only once its connection closes.</summary>
    private sealed class PrintingService(int number) : TestVersServiceBase
    {
        public override async ValueTask<int> TestAsync(RpcCallContext context)
        {
            string mark = context.AuthSys?.MachineName ?? string.Empty;
            if (mark == "hold" && number == 1)
            {
                Print("held", context);
                await Task.Delay(Timeout.Infinite, context.CallAborted);
            }

            Print("ran", context);
            if (mark == "linger")
            {
                Print("lingering", context);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CallAborted);
                }
                catch (OperationCanceledException)
                {
                    // The connection closed: the reply goes to the cache, and to nobody now.
                }
            }

            return number;
        }

        private static void Print(string what, RpcCallContext context) =>
            Console.WriteLine($"{what} {context.Header.Xid.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>One cluster-server in its namespace, its lines collected as they come.</summary>
    private sealed class Server
    {
        private readonly Process _process;
        private bool _stopped;

        private Server(int number, Process process)
        {
            Number = number;
            _process = process;
        }

        public int Number { get; }

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<uint> Executed { get; } = new();

        public ConcurrentQueue<uint> Held { get; } = new();

        public ConcurrentQueue<uint> Lingering { get; } = new();

        public static Server Start(int number)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { "netns", "exec", $"c{number}", NativeToolchain.Dotnet, typeof(ClusterScenario).Assembly.Location, "cluster-server", number.ToString(CultureInfo.InvariantCulture), Address(number) })
            {
                start.ArgumentList.Add(argument);
            }

            // ip netns exec execs the command: the process is the server itself, and killing it kills the server.
            var server = new Server(number, Process.Start(start) ?? throw new InvalidOperationException("could not start cluster-server"));
            server._process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
            server._process.BeginOutputReadLine();
            return server;
        }

        public void Kill() => _process.Kill();

        /// <summary>Closes its standard input, which stops it, and waits for its last line.</summary>
        public void Stop()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    _process.Kill();
                }
            }

            _process.WaitForExit(); // after the timed wait: this one also waits for standard output to end
            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            Console.Error.WriteLine($"server {Number}: {line}");
            string[] parts = line.Split(' ');
            switch (parts)
            {
                case ["READY"]:
                    Ready.TrySetResult();
                    break;
                case ["ran", string xid]:
                    Executed.Enqueue(uint.Parse(xid, CultureInfo.InvariantCulture));
                    break;
                case ["held", string xid]:
                    Held.Enqueue(uint.Parse(xid, CultureInfo.InvariantCulture));
                    break;
                case ["lingering", string xid]:
                    Lingering.Enqueue(uint.Parse(xid, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

}
