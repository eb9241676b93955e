using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// What the rpcbind tests do inside a network namespace of their own (see <see cref="NetworkNamespace"/>), where
/// port 111 and /run belong to them: start an rpcbind (native, or NetRpc's as the netrpc-rpcbind command), put
/// NetRpc and C programs and the native tools in front of it, and print what each step saw as sections
/// (<c>== title</c>, then the lines). The tests read the sections; the scenario itself judges nothing.
/// </summary>
internal static partial class RpcbindScenario
{
    /// <summary>TEST_PROG of Native/my_proto.x.</summary>
    public const uint TestProgram = 0x31234567;

    /// <summary>Where the remote host of the security scenario lives (the far end of the veth pair).</summary>
    public const string HostAddress = "10.231.0.1";

    public const string RemoteAddress = "10.231.0.2";

    private static readonly StringBuilder Output = new();

    /// <summary>
    /// <c>interop KIND NATIVE_DIR RPCBIND_TOOL</c>, <c>security KIND NATIVE_DIR RPCBIND_TOOL</c> (KIND is native or
    /// netrpc), or <c>remote-set HOST</c> (run in the far namespace by the security scenario).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["interop", string kind, string natives, string tool]:
                    await InteropAsync(kind, natives, tool);
                    break;
                case ["security", string kind, _, string tool]:
                    await SecurityAsync(kind, tool);
                    break;
                case ["remote-set", string host]:
                    await RegistrationAttemptsAsync(IPAddress.Parse(host));
                    break;
                case ["quota", string kind, _, string tool]:
                    await QuotaAsync(kind, tool);
                    break;
                case ["statistics", string kind, _, string tool]:
                    await StatisticsAsync(kind, tool);
                    break;
                case ["flood", string path, string first]:
                    await FloodAsync(path, Convert.ToUInt32(first, 16));
                    break;
                case ["embedded-default", string natives]:
                    await EmbeddedDefaultAsync(natives);
                    break;
                case ["fallback"]:
                    // Without CAP_NET_BIND_SERVICE (what an ordinary user lacks) port 111 cannot be bound, so the
                    // embedded rpcbind takes the fallback port. The capability is dropped rather than the user
                    // changed, so that the test's files (perhaps in a folder only root may read) stay readable.
                    string unprivileged = Run("setpriv", "--bounding-set=-net_bind_service", "--inh-caps=-net_bind_service", Dotnet, typeof(RpcbindScenario).Assembly.Location, "rpcbind-scenario", "fallback-unprivileged");
                    if (unprivileged.StartsWith("== ", StringComparison.Ordinal))
                    {
                        Output.Append(unprivileged);
                    }
                    else
                    {
                        Section("scenario failed", unprivileged);
                    }

                    break;
                case ["fallback-unprivileged"]:
                    await FallbackAsync();
                    break;
                default:
                    Console.Error.WriteLine("usage: rpcbind-scenario interop|security|quota|statistics native|netrpc NATIVE_DIR RPCBIND_TOOL | remote-set HOST | flood loopback|local FIRST_PROGRAM | embedded-default NATIVE_DIR | fallback");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Section("scenario failed", e.ToString());
        }

        Console.Out.Write(Output.ToString());
        return 0;
    }

    private static async Task InteropAsync(string kind, string natives, string tool)
    {
        using Daemon rpcbind = await StartRpcbindAsync(kind, tool);

        await using (RpcServer server = NetRpcServer())
        {
            RpcbindClient registered = await server.RegisterAsync(startEmbedded: false);
            Section("netrpc server registered", $"rpcbind port {registered.Port}");
            foreach (string[] rpcinfo in new[]
            {
                new[] { "-p" }, ["-s"], [], ["-p", "127.0.0.1"],
                ["-T", "udp", "127.0.0.1", Decimal(TestProgram), "1"], ["-T", "tcp", "127.0.0.1", Decimal(TestProgram), "1"],
            })
            {
                Section("rpcinfo " + string.Join(' ', rpcinfo), Run("rpcinfo", rpcinfo));
            }

            foreach (string transport in new[] { "udp", "tcp" })
            {
                Section($"c client {transport}", Run(Path.Combine(natives, "my_proto_client"), "localhost", transport));
            }

            await server.StopAsync();
        }

        Section("rpcinfo -p after the netrpc server stopped", Run("rpcinfo", "-p"));

        using (Daemon server = Daemon.Start(Path.Combine(natives, "my_proto_server")))
        {
            var local = new RpcbindClient(IPAddress.Loopback);
            await Eventually(async () => await local.ResolveAsync(TestProgram, 1, RpcTransport.Tcp) is not null && await local.ResolveAsync(TestProgram, 1, RpcTransport.Udp) is not null);
            Section("rpcinfo -p with the c server", Run("rpcinfo", "-p"));
            foreach (RpcTransport transport in new[] { RpcTransport.Udp, RpcTransport.Tcp })
            {
                Section($"netrpc client {transport.ToString().ToLowerInvariant()}", await CallTestAsync(transport));
            }
        }

        Section("rpcinfo at the end", Run("rpcinfo"));
        Section("rpcbind stopped", rpcbind.Stop());
    }

    private static async Task SecurityAsync(string kind, string tool)
    {
        // A second namespace, reached through a veth pair: a host on a network that is not loopback.
        Setup("link", "add", "rpcveth0", "type", "veth", "peer", "name", "rpcveth1");
        Setup("netns", "add", "remote");
        Setup("link", "set", "rpcveth1", "netns", "remote");
        Setup("addr", "add", HostAddress + "/24", "dev", "rpcveth0");
        Setup("link", "set", "rpcveth0", "up");
        Setup("netns", "exec", "remote", "ip", "addr", "add", RemoteAddress + "/24", "dev", "rpcveth1");
        Setup("netns", "exec", "remote", "ip", "link", "set", "rpcveth1", "up");
        Setup("netns", "exec", "remote", "ip", "link", "set", "lo", "up");
        try
        {
            using Daemon rpcbind = await StartRpcbindAsync(kind, tool);
            string self = typeof(RpcbindScenario).Assembly.Location;
            Section("remote", Run("ip", "netns", "exec", "remote", Dotnet, self, "rpcbind-scenario", "remote-set", HostAddress));
            Section("rpcinfo -p after the remote attempts", Run("rpcinfo", "-p"));

            Section("hostile", await HostileTraffic.SendAsync(new IPEndPoint(IPAddress.Loopback, RpcbindClient.StandardPort)));
            Section("healthy after the hostile traffic", await HealthCheckAsync(IPAddress.Loopback));
            Section("remote healthy after the hostile traffic", Run("ip", "netns", "exec", "remote", "rpcinfo", "-p", HostAddress));
            Section("rpcbind stopped", rpcbind.Stop());
        }
        finally
        {
            Run("ip", "netns", "delete", "remote");
        }
    }

    /// <summary>
    /// Local users other than root fill the registry as far as it lets them: nobody over loopback (owner "unknown")
    /// and over the local socket (its uid), then twelve more uids over the local socket; then root registers a
    /// server the way servers do (RpcbindClient, through the local socket). Each flood is a process of that user.
    /// </summary>
    private static async Task QuotaAsync(string kind, string tool)
    {
        using Daemon rpcbind = await StartRpcbindAsync(kind, tool);
        string assembly = ReadableBy(65534);
        Section("nobody over loopback", AsUser(65534, assembly, "loopback", 0x40000000));
        Section("nobody over the local socket", AsUser(65534, assembly, "local", 0x40010000));
        var others = new List<string>();
        for (uint uid = 60000; uid < 60012; uid++)
        {
            others.Add($"{uid}: {AsUser(uid, assembly, "local", 0x40020000 + ((uid - 60000) << 16))}");
        }

        Section("other users over the local socket", string.Join('\n', others));
        try
        {
            await new RpcbindClient(IPAddress.Loopback).RegisterAsync(TestProgram, 1, RpcTransport.Tcp, new IPEndPoint(IPAddress.Any, 4242));
            Section("root registers after the flood", "registered");
        }
        catch (Exception e) when (e is RpcException or RpcbindRegistrationException)
        {
            Section("root registers after the flood", $"{e.GetType().Name}: {e.Message}");
        }

        using (var dump = new RpcbindV4Client(RpcClient.CreateTcp(new System.Net.Sockets.UnixDomainSocketEndPoint("/run/rpcbind.sock"), Rpcbind.Program, 4, new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) })))
        {
            IReadOnlyList<RpcbMapping> mappings = await DumpAsync(dump);
            Section("registrations by owner", string.Join('\n', mappings.GroupBy(m => m.Owner).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
            Section("owner of the root server's registration", string.Join(' ', mappings.Where(m => m.Prog == TestProgram).Select(m => m.Owner)));
        }

        Section("rpcbind stopped", rpcbind.Stop());
    }

    private static async Task<IReadOnlyList<RpcbMapping>> DumpAsync(RpcbindV4Client client)
    {
        var mappings = new List<RpcbMapping>();
        for (RpcbMappingList? entry = await client.DumpAsync(); entry is not null; entry = entry.Next)
        {
            mappings.Add(entry.Mapping);
        }

        return mappings;
    }

    /// <summary>SETs of programs from <paramref name="first"/> on, over loopback UDP or the local socket, until one is refused (4097 at most).</summary>
    private static async Task FloodAsync(string path, uint first)
    {
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) };
        using var v4 = new RpcbindV4Client(path == "local"
            ? RpcClient.CreateTcp(new System.Net.Sockets.UnixDomainSocketEndPoint("/run/rpcbind.sock"), Rpcbind.Program, 4, options)
            : RpcClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, RpcbindClient.StandardPort), Rpcbind.Program, 4, options));
        int accepted = 0;
        bool refused = false;
        for (uint i = 0; i <= 4096 && !refused; i++)
        {
            refused = !await v4.SetAsync(new RpcbMapping { Prog = first + i, Vers = 1, Netid = path == "local" ? "tcp" : "udp", Address = "127.0.0.1.16.1", Owner = "flood" });
            accepted += refused ? 0 : 1;
        }

        Output.Append(CultureInfo.InvariantCulture, $"accepted {accepted}, then {(refused ? "FALSE" : "no refusal")}\n");
    }

    /// <summary>Runs a flood as <paramref name="uid"/> (and its group), with the privileges of no other user.</summary>
    private static string AsUser(uint uid, string assembly, string path, uint first) =>
        Run("setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_TELEMETRY_OPTOUT=1",
            Dotnet, assembly, "rpcbind-scenario", "flood", path, first.ToString("x", CultureInfo.InvariantCulture)).TrimEnd('\n');

    /// <summary>
    /// This assembly where <paramref name="uid"/> can run it: here, or, where the tests' folder is closed to other
    /// users, a copy of it in this namespace's private /run.
    /// </summary>
    private static string ReadableBy(uint uid)
    {
        string assembly = typeof(RpcbindScenario).Assembly.Location;
        if (!Run("setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "sh", "-c", "test -r \"$0\" && echo readable", assembly).StartsWith("readable", StringComparison.Ordinal))
        {
            string copy = "/run/netrpc-scenario";
            Run("cp", "-r", AppContext.BaseDirectory, copy);
            Run("chmod", "-R", "a+rX", copy);
            assembly = Path.Combine(copy, Path.GetFileName(assembly));
        }

        return assembly;
    }

    /// <summary>No rpcbind on the host: a NetRpc server starts the embedded one on 111 and native programs use it.</summary>
    private static async Task EmbeddedDefaultAsync(string natives)
    {
        Section("rpcbind before", await RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, RpcbindClient.StandardPort, TimeSpan.FromSeconds(1)) ? "answering" : "none");
        await using (RpcServer server = NetRpcServer())
        {
            RpcbindClient registered = await server.RegisterAsync();
            Section("netrpc server registered", $"rpcbind port {registered.Port}");
            Section("rpcinfo -p", Run("rpcinfo", "-p"));
            Section("c client udp", Run(Path.Combine(natives, "my_proto_client"), "localhost", "udp"));
            Section("netrpc client tcp", await CallTestAsync(RpcTransport.Tcp));
            await server.StopAsync();
        }

        Section("rpcbind after the server stopped", await RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, RpcbindClient.StandardPort, TimeSpan.FromSeconds(1)) ? "answering" : "none");
    }

    /// <summary>Run by a user who may not bind port 111: the embedded rpcbind goes to the fallback port, where NetRpc clients look too.</summary>
    private static async Task FallbackAsync()
    {
        Section("may bind port 111", MayBind(RpcbindClient.StandardPort) ? "yes" : "no");
        await using RpcServer server = NetRpcServer();
        RpcbindClient registered = await server.RegisterAsync();
        Section("netrpc server registered", $"rpcbind port {registered.Port}");
        Section("netrpc client udp", await CallTestAsync(RpcTransport.Udp));
        Section("netrpc client tcp", await CallTestAsync(RpcTransport.Tcp));
        await server.StopAsync();
    }

    private static bool MayBind(int port)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task<string> CallTestAsync(RpcTransport transport)
    {
        try
        {
            using RpcClient client = await RpcClient.CreateAsync("localhost", TestProgram, 1, transport);
            IntValue result = await client.CallAsync<XdrVoid, IntValue>(1, default);
            return $"The result from RPC is {result.Value}";
        }
        catch (RpcException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>SET and UNSET of every version over UDP and TCP, and lookups, from wherever this runs.</summary>
    private static async Task RegistrationAttemptsAsync(IPAddress host)
    {
        var rpcbind = new IPEndPoint(host, RpcbindClient.StandardPort);
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) };
        var lines = new List<string>();
        foreach (bool tcp in new[] { false, true })
        {
            string transport = tcp ? "tcp" : "udp";
            using var v2 = new PortmapperV2Client(tcp ? RpcClient.CreateTcp(rpcbind, Rpcbind.Program, 2, options) : RpcClient.CreateUdp(rpcbind, Rpcbind.Program, 2, options));
            using var v3 = new RpcbindV3Client(tcp ? RpcClient.CreateTcp(rpcbind, Rpcbind.Program, 3, options) : RpcClient.CreateUdp(rpcbind, Rpcbind.Program, 3, options));
            using var v4 = new RpcbindV4Client(tcp ? RpcClient.CreateTcp(rpcbind, Rpcbind.Program, 4, options) : RpcClient.CreateUdp(rpcbind, Rpcbind.Program, 4, options));
            var mapping = new PortMapping { Prog = TestProgram, Vers = 7, Protocol = tcp ? 6u : 17u, Port = 4242 };
            var rpcbMapping = new RpcbMapping { Prog = TestProgram, Vers = 7, Netid = transport, Address = "10.231.0.2.16.146", Owner = "intruder" };
            lines.Add($"v2 SET {transport}: {await Outcome(() => v2.SetAsync(mapping))}");
            lines.Add($"v3 SET {transport}: {await Outcome(() => v3.SetAsync(rpcbMapping))}");
            lines.Add($"v4 SET {transport}: {await Outcome(() => v4.SetAsync(rpcbMapping))}");
            lines.Add($"v2 UNSET {transport}: {await Outcome(() => v2.UnsetAsync(new PortMapping { Prog = Rpcbind.Program, Vers = 2, Protocol = 17 }))}");
            lines.Add($"v4 UNSET {transport}: {await Outcome(() => v4.UnsetAsync(new RpcbMapping { Prog = Rpcbind.Program, Vers = 4, Netid = transport, Address = string.Empty, Owner = string.Empty }))}");
            lines.Add($"v2 GETPORT {transport}: {await Outcome(() => v2.GetPortAsync(new PortMapping { Prog = Rpcbind.Program, Vers = 2, Protocol = tcp ? 6u : 17u }))}");
            // Answered with the address of the host's interface on the caller's network (the veth's), not loopback's.
            lines.Add($"v4 GETADDR {transport}: {await Outcome(() => v4.GetAddrAsync(new RpcbMapping { Prog = Rpcbind.Program, Vers = 4, Netid = transport, Address = string.Empty, Owner = string.Empty }))}");
        }

        Output.AppendJoin('\n', lines).Append('\n');
    }

    private static async Task<string> Outcome<T>(Func<Task<T>> call)
    {
        try
        {
            return (await call())?.ToString()?.ToLowerInvariant() ?? "null";
        }
        catch (RpcAuthenticationException e)
        {
            return $"AUTH_ERROR {e.Status}";
        }
        catch (RpcException e)
        {
            return e.GetType().Name;
        }
    }

    private static async Task<string> HealthCheckAsync(IPAddress host)
    {
        var lines = new List<string>();
        foreach (RpcTransport transport in new[] { RpcTransport.Udp, RpcTransport.Tcp })
        {
            IPEndPoint? self = await new RpcbindClient(host, options: new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) }).ResolveAsync(Rpcbind.Program, 4, transport);
            lines.Add($"GETADDR rpcbind v4 over {transport.ToString().ToLowerInvariant()}: port {self?.Port.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }

        return string.Join('\n', lines);
    }

    /// <summary>A NetRpc server of TEST_PROG version 1 (TEST answers 100) on every IPv4 address, TCP and UDP.</summary>
    private static RpcServer NetRpcServer()
    {
        var server = new RpcServer();
        server.AddProgram(new RpcProgramBuilder(TestProgram, 1, "TEST_PROG")
            .AddProcedure<XdrVoid, IntValue>(1, "TEST", (_, _) => ValueTask.FromResult(new IntValue(100)))
            .Build());
        server.ListenTcp(new IPEndPoint(IPAddress.Any, 0));
        server.ListenUdp(new IPEndPoint(IPAddress.Any, 0));
        return server;
    }

    /// <summary>
    /// Starts an rpcbind and waits until it answers; <paramref name="quietly"/>, until it listens on its local socket
    /// and on TCP, without calling it (both create their UDP socket before those), so that its statistics count
    /// only the scenario's calls.
    /// </summary>
    private static async Task<Daemon> StartRpcbindAsync(string kind, string tool, bool quietly = false)
    {
        Daemon daemon = kind switch
        {
            "native" => Daemon.Start("rpcbind", "-f"),
            "netrpc" => Daemon.Start(Dotnet, tool),
            _ => throw new ArgumentException($"no rpcbind kind '{kind}'", nameof(kind)),
        };
        await Eventually(async () => File.Exists("/run/rpcbind.sock") && (quietly ? await AcceptsAsync() : await RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, RpcbindClient.StandardPort, TimeSpan.FromSeconds(1))));
        Section("rpcbind started", kind);
        return daemon;

        static async Task<bool> AcceptsAsync()
        {
            using var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, RpcbindClient.StandardPort));
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the condition did not hold within 10 s");
    }

    private static string Decimal(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The dotnet host running this scenario.</summary>
    public static string Dotnet => NativeToolchain.Dotnet;

    private static void Section(string title, string text) =>
        Output.Append("== ").Append(title).Append('\n').Append(text.TrimEnd('\n')).Append('\n');

    /// <summary>A step the scenario cannot go on without: its failure ends the scenario, reported as such.</summary>
    private static void Setup(params string[] arguments) => NativeToolchain.Run("ip", arguments, AppContext.BaseDirectory, timeoutSeconds: 30);

    /// <summary>Runs a program to its end (30 s at most) and returns its output, or why it failed (exit code, error output).</summary>
    private static string Run(string program, params string[] arguments)
    {
        try
        {
            return NativeToolchain.Run(program, arguments, AppContext.BaseDirectory, timeoutSeconds: 30);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return e.Message;
        }
    }

    /// <summary>A background program, stopped by PID (SIGTERM, then SIGKILL) when disposed.</summary>
    private sealed class Daemon : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        private Daemon(Process process)
        {
            _process = process;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public static Daemon Start(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new Daemon(Process.Start(start)!);
        }

        /// <summary>Stops it and says how it ended: still running until SIGTERM is what a healthy daemon shows.</summary>
        public string Stop()
        {
            if (_process.HasExited)
            {
                return $"had already exited with {_process.ExitCode}: {_stderr.Result}";
            }

            return NativeServer.Terminate(_process, TimeSpan.FromSeconds(10)) ? "ran until stopped" : "ran until stopped; did not stop on SIGTERM";
        }

        public void Dispose()
        {
            NativeServer.Terminate(_process, TimeSpan.FromSeconds(10));
            _ = _stdout.Wait(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
    }
}
