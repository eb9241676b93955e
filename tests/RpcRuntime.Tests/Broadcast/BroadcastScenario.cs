using System.Diagnostics;
using System.Net;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Broadcast;

/// <summary>
/// <c>broadcast-scenario</c>, run inside a network and mount namespace of its own (see <see cref="BroadcastTests"/>):
/// two hosts on two networks, each behind a veth pair of this namespace's: host b runs native rpcbind (forwarding, -r)
/// and native rpc.rstatd; host c runs netrpc-rpcbind (forwarding) and a NetRpc rstatd-style server on UDP port 4711.
/// From here, native rup broadcasts, and so does NetRpc's <see cref="RpcBroadcast"/>, through the binders and straight
/// to the servers' ports. Each case prints one line naming who answered.
/// <c>broadcast-host native|netrpc TOOL</c> is one host (run in its namespace by the scenario): it starts its daemons,
/// prints READY, and stops them when its standard input closes.
/// </summary>
internal static class BroadcastScenario
{
    public const int NetRpcPort = 4711;
    private static readonly IPAddress HostB = IPAddress.Parse("10.78.1.2");
    private static readonly IPAddress HostC = IPAddress.Parse("10.78.2.2");

    public static async Task<int> RunAsync(string tool)
    {
        Ip("link", "set", "lo", "up");
        Network("b", "va", "vb", "10.78.1");
        Network("c", "vc", "vd", "10.78.2");
        string self = typeof(BroadcastScenario).Assembly.Location;
        using Process native = StartHost("b", self, "native", tool);
        using Process netrpc = StartHost("c", self, "netrpc", tool);
        try
        {
            // rup with no host broadcasts RSTATPROC_STATS through the binders (CALLIT) and prints a line per host.
            string rup = NativeToolchain.Run("stdbuf", ["-oL", "rup"], AppContext.BaseDirectory, timeoutSeconds: 120);
            Console.WriteLine($"rup: {Hosts(rup.Split('\n').Select(line => line.Split(' ', 2)[0]))}");
            Console.WriteLine($"rup NetRpc's line: {(rup.Split('\n').FirstOrDefault(l => l.StartsWith(HostC.ToString(), StringComparison.Ordinal)) is { } line && line.Contains("load 1.00 2.00 3.00", StringComparison.Ordinal) && line.Contains("2 days", StringComparison.Ordinal) ? "uptime 2 days, load 1.00 2.00 3.00" : rup)}");

            await BroadcastAsync("portmapper", new RpcBroadcastOptions { Route = RpcBroadcastRoute.Portmapper }, HostB, HostC);
            await BroadcastAsync("rpcbind", new RpcBroadcastOptions { Route = RpcBroadcastRoute.Rpcbind }, HostB, HostC);
            await BroadcastAsync("direct to NetRpc's port", new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct, Port = NetRpcPort }, HostC);
            IPEndPoint rstatd = await new RpcbindClient(HostB).ResolveAsync(Rstat.Program, Rstat.Version, RpcTransport.Udp) ?? throw new InvalidOperationException("rpc.rstatd is not registered on host b");
            await BroadcastAsync("direct to rpc.rstatd's port", new RpcBroadcastOptions { Route = RpcBroadcastRoute.Direct, Port = rstatd.Port }, HostB);
        }
        finally
        {
            StopHost(native);
            StopHost(netrpc);
            Ip("netns", "delete", "b");
            Ip("netns", "delete", "c");
        }

        return 0;
    }

    /// <summary>One host: its daemons until standard input closes.</summary>
    public static async Task<int> HostAsync(string kind, string tool)
    {
        var children = new List<Process>();
        RpcServer? server = null;
        try
        {
            if (kind == "native")
            {
                children.Add(Daemons.Start("rpcbind", "-w", "-r", "-f"));
                await WaitAsync(() => RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, 111, TimeSpan.FromSeconds(2)));
                Daemons.Start("/usr/sbin/rpc.rstatd").WaitForExit(); // it makes itself a daemon: found below by its name, in this namespace
                await WaitAsync(async () => await new RpcbindClient(IPAddress.Loopback).ResolveAsync(Rstat.Program, Rstat.Version, RpcTransport.Udp) is not null);
            }
            else
            {
                children.Add(Daemons.Start(Binding.RpcbindScenario.Dotnet, tool, "-p", "111", "-r"));
                await WaitAsync(() => RpcbindClient.IsAnsweringAsync(IPAddress.Loopback, 111, TimeSpan.FromSeconds(2)));
                server = new RpcServer();
                server.AddProgram(Rstat.Service());
                server.ListenUdp(new IPEndPoint(IPAddress.Any, NetRpcPort));
                await server.RegisterAsync(startEmbedded: false);
            }

            Console.WriteLine("READY");
            await Console.In.ReadToEndAsync();
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            foreach (int pid in DaemonsInThisNamespace("rpc.rstatd"))
            {
                using Process daemon = Process.GetProcessById(pid);
                NativeServer.Terminate(daemon, TimeSpan.FromSeconds(10));
            }

            children.ForEach(c => NativeServer.Terminate(c, TimeSpan.FromSeconds(10)));
        }

        return 0;
    }

    private static async Task BroadcastAsync(string route, RpcBroadcastOptions options, params IPAddress[] expected)
    {
        // Collected until every expected host has answered (or the timeout, generous for a busy machine, passes). The
        // NetRpc server's answers say where it serves (port 4711) whether they came from it or its binder.
        var answered = new List<RpcBroadcastReply<StatsTime>>();
        await foreach (RpcBroadcastReply<StatsTime> reply in RpcBroadcast.CallAsync<XdrVoid, StatsTime>(Rstat.Program, Rstat.Version, Rstat.Stats, default, options with { Timeout = TimeSpan.FromSeconds(60) }))
        {
            answered.Add(reply);
            if (expected.All(host => answered.Any(a => a.Responder.Address.Equals(host))))
            {
                break;
            }
        }

        IEnumerable<string> who = answered.Select(a => $"{a.Responder.Address}{(a.Server.Port == NetRpcPort && a.Server.Address.Equals(a.Responder.Address) ? " port 4711" : string.Empty)}");
        Console.WriteLine($"{route}: {string.Join(", ", who.Order(StringComparer.Ordinal))}");
    }

    private static string Hosts(IEnumerable<string> words) => string.Join(", ", words.Where(w => IPAddress.TryParse(w, out _)).Distinct().Order(StringComparer.Ordinal));

    private static void Network(string host, string near, string far, string prefix)
    {
        Ip("link", "add", near, "type", "veth", "peer", "name", far);
        Ip("netns", "add", host);
        Ip("link", "set", far, "netns", host);
        Ip("addr", "add", $"{prefix}.1/24", "brd", "+", "dev", near);
        Ip("link", "set", near, "up");
        Ip("netns", "exec", host, "ip", "link", "set", "lo", "up");
        Ip("netns", "exec", host, "ip", "addr", "add", $"{prefix}.2/24", "brd", "+", "dev", far);
        Ip("netns", "exec", host, "ip", "link", "set", far, "up");
    }

    private static Process StartHost(string host, string self, string kind, string tool)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["netns", "exec", host, "unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"", Binding.RpcbindScenario.Dotnet, self, "broadcast-host", kind, tool])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && line != "READY")
        {
        }

        if (line is null)
        {
            throw new InvalidOperationException($"host {host} ({kind}) ended before it was ready");
        }

        return process;
    }

    private static void StopHost(Process host)
    {
        host.StandardInput.Close();
        if (!host.WaitForExit(60_000))
        {
            NativeServer.Terminate(host, TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The processes of that name in this network namespace (daemons that left their parent), as pgrep finds them.</summary>
    private static IEnumerable<int> DaemonsInThisNamespace(string name)
    {
        string found;
        try
        {
            found = NativeToolchain.Run("pgrep", ["--ns", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--nslist", "net", "-x", name], AppContext.BaseDirectory, timeoutSeconds: 30);
        }
        catch (InvalidOperationException)
        {
            return []; // pgrep exits 1 when there is none
        }

        return [.. found.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("a daemon did not come up within 60 s");
            }

            await Task.Delay(100);
        }
    }

    private static void Ip(params string[] arguments) => NativeToolchain.Run("ip", arguments, AppContext.BaseDirectory, timeoutSeconds: 30);
}
