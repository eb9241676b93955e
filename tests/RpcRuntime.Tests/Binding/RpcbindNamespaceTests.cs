using NetRpc.Runtime.Binding;
using Xunit.Abstractions;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// Builds Native/my_proto's C server (rpcgen's main: svc_register) and C client (clnt_create) once, and runs each
/// rpcbind scenario once, against native rpcbind and against netrpc-rpcbind, in namespaces of their own.
/// </summary>
public sealed class RpcbindScenarios : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"netrpc-rpcbind-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Lazy<string> _natives;
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, string>>> _runs = new();

    public RpcbindScenarios() => _natives = new Lazy<string>(Build);

    /// <summary>The sections of a scenario (interop or security) against an rpcbind (native or netrpc).</summary>
    public IReadOnlyDictionary<string, string> Of(string scenario, string rpcbind) =>
        Once($"{scenario} {rpcbind}", () => NetworkNamespace.Run(scenario, rpcbind, _natives.Value, Path.Combine(AppContext.BaseDirectory, "netrpc-rpcbind.dll")));

    /// <summary>The sections of the scenario with no rpcbind running: the NetRpc server brings its own.</summary>
    public IReadOnlyDictionary<string, string> EmbeddedDefault => Once("embedded-default", () => NetworkNamespace.Run("embedded-default", _natives.Value));

    /// <summary>The sections of the scenario run by a user who may not bind port 111.</summary>
    public IReadOnlyDictionary<string, string> Fallback => Once("fallback", () => NetworkNamespace.Run("fallback"));

    private IReadOnlyDictionary<string, string> Once(string key, Func<IReadOnlyDictionary<string, string>> run) =>
        _runs.GetOrAdd(key, _ => new Lazy<IReadOnlyDictionary<string, string>>(run)).Value;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Build()
    {
        NativeToolchain.EnsureAvailable();
        Directory.CreateDirectory(_directory);
        foreach (string file in new[] { "my_proto.x", "my_proto_server.c", "my_proto_client.c" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Binding", "Native", file), Path.Combine(_directory, file));
        }

        // rpcgen's default set: my_proto.h, _xdr.c, _clnt.c and _svc.c with rpcgen's own main.
        NativeToolchain.Run(NativeToolchain.FindOnPath("rpcgen")!, ["my_proto.x"], _directory);
        string gcc = NativeToolchain.FindOnPath("gcc")!;
        string[] flags = NativeToolchain.RpcgenCFlags;
        NativeToolchain.Run(gcc, [.. flags, "-o", "my_proto_server", "my_proto_server.c", "my_proto_svc.c", "-ltirpc"], _directory);
        NativeToolchain.Run(gcc, [.. flags, "-o", "my_proto_client", "my_proto_client.c", "my_proto_clnt.c", "-ltirpc"], _directory);
        return _directory;
    }
}

/// <summary>
/// NetRpc against native rpcbind (Debian's, started by the test) and against its own netrpc-rpcbind, each in a
/// network namespace of its own: registrations in rpcinfo, NULL calls by rpcinfo, C clients finding NetRpc
/// servers and the reverse, nothing left behind, remote SET refused, hostile traffic survived, and the same calls
/// over the local socket, TCP and UDP answered and counted (rpcinfo -m) alike.
/// </summary>
public class RpcbindNamespaceTests(RpcbindScenarios scenarios, ITestOutputHelper output) : IClassFixture<RpcbindScenarios>
{
    private const string TestProgram = "824395111"; // 0x31234567

    /// <summary>Every test checks both: native rpcbind, then netrpc-rpcbind.</summary>
    private static readonly string[] Rpcbinds = ["native", "netrpc"];

    [NativeFact(namespaced: true)]
    public void A_netrpc_servers_registrations_appear_in_rpcinfo_p_and_s()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Interop(rpcbind);
            Assert.Equal("rpcbind port 111", run["netrpc server registered"]);
            string[] ports = Lines(run["rpcinfo -p"], TestProgram);
            Assert.Equal(2, ports.Length);
            Assert.Contains(ports, l => Regex.IsMatch(l, $@"^\s*{TestProgram}\s+1\s+tcp\s+\d+$"));
            Assert.Contains(ports, l => Regex.IsMatch(l, $@"^\s*{TestProgram}\s+1\s+udp\s+\d+$"));
            Assert.Equal(run["rpcinfo -p"], run["rpcinfo -p 127.0.0.1"]);
            // UDP registered first, as rpcgen's svc main does: rpcinfo -s then lists tcp,udp, as it does for rpcgen's C server.
            Assert.Matches($@"^\s*{TestProgram}\s+1\s+tcp,udp\s+-\s+superuser$", Assert.Single(Lines(run["rpcinfo -s"], TestProgram)));
        }
    }

    [NativeFact(namespaced: true)]
    public void Rpcinfo_null_calls_over_udp_and_tcp_reach_the_netrpc_server()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Interop(rpcbind);
            Assert.Equal($"program {TestProgram} version 1 ready and waiting", run[$"rpcinfo -T udp 127.0.0.1 {TestProgram} 1"]);
            Assert.Equal($"program {TestProgram} version 1 ready and waiting", run[$"rpcinfo -T tcp 127.0.0.1 {TestProgram} 1"]);
        }
    }

    [NativeFact(namespaced: true)]
    public void A_c_client_using_clnt_create_finds_and_calls_the_netrpc_server()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Interop(rpcbind);
            Assert.Equal("The result from RPC is 100", run["c client udp"]);
            Assert.Equal("The result from RPC is 100", run["c client tcp"]);
        }
    }

    [NativeFact(namespaced: true)]
    public void A_netrpc_client_finds_and_calls_a_c_server_registered_with_svc_register()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Interop(rpcbind);
            Assert.Equal(2, Lines(run["rpcinfo -p with the c server"], TestProgram).Length);
            Assert.Equal("The result from RPC is 100", run["netrpc client udp"]);
            Assert.Equal("The result from RPC is 100", run["netrpc client tcp"]);
        }
    }

    [NativeFact(namespaced: true)]
    public void Stopping_the_netrpc_server_leaves_no_registration_behind()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Interop(rpcbind);
            Assert.NotEmpty(Lines(run["rpcinfo -p"], TestProgram));
            Assert.Empty(Lines(run["rpcinfo -p after the netrpc server stopped"], TestProgram));
            Assert.Equal(6, Lines(run["rpcinfo -p after the netrpc server stopped"], "100000").Length);
            Assert.Equal("ran until stopped", run["rpcbind stopped"]);
        }
    }

    [NativeFact(namespaced: true)]
    public void Native_tools_cannot_tell_netrpc_rpcbind_from_native_rpcbind()
    {
        IReadOnlyDictionary<string, string> native = Interop("native");
        IReadOnlyDictionary<string, string> netrpc = Interop("netrpc");
        foreach (string section in new[] { "rpcinfo", "rpcinfo -p", "rpcinfo -s", "rpcinfo -p after the netrpc server stopped", "rpcinfo -p with the c server", "rpcinfo at the end" })
        {
            // Only the ports the servers happened to get may differ.
            Assert.Equal(WithoutPorts(native[section]), WithoutPorts(netrpc[section]));
        }
    }

    [NativeFact(namespaced: true)]
    public void Getaddr_and_the_other_lookups_over_the_local_socket_tcp_and_udp_answer_as_native_rpcbind_does()
    {
        IReadOnlyDictionary<string, string> native = Statistics("native");
        IReadOnlyDictionary<string, string> netrpc = Statistics("netrpc");

        // Native rpcbind, as docs/rpcbind.md records it: over the local socket it answers for netid local, whatever
        // r_netid asks, with the registration's own address; over TCP and UDP with the caller's interface's address.
        string[] calls = native["calls"].Split('\n');
        Assert.Contains("v4 GETADDR over local Portmapper 4 netid 'tcp': \"/run/rpcbind.sock\"", calls);
        Assert.Contains("v3 GETADDR over local OnLocal 1 netid '': \"/run/a.sock\"", calls);
        Assert.Contains("v4 GETADDR over local OnTcpAndUdp 1 netid 'tcp': \"\"", calls);
        Assert.Contains("v4 GETADDR over tcp OnTcpElsewhere 1 hint '': \"127.0.0.1.4.3\"", calls);
        Assert.Contains("v4 GETADDRLIST over tcp OnUnix 1: no reply", calls);
        Assert.Equal(native["calls"], netrpc["calls"]);
    }

    [NativeFact(namespaced: true)]
    public void Rpcinfo_m_after_the_same_calls_prints_what_native_rpcbind_prints()
    {
        IReadOnlyDictionary<string, string> native = Statistics("native");
        IReadOnlyDictionary<string, string> netrpc = Statistics("netrpc");

        // Lookups over the local socket count under netid local; nothing differs, so nothing is normalised.
        Assert.Matches(@"(?m)^portmapper\s+4\s+local\s+\d+\s+\d+\s*$", native["rpcinfo -m"]);
        Assert.Matches(@"(?m)^PMAP_RMTCALL call statistics$", native["rpcinfo -m"]);
        Assert.Equal(native["rpcinfo -m"], netrpc["rpcinfo -m"]);
        Assert.Equal(native["rpcinfo"], netrpc["rpcinfo"]);
        Assert.Equal(native["rpcinfo -p"], netrpc["rpcinfo -p"]);
        Assert.Equal("ran until stopped", netrpc["rpcbind stopped"]);
    }

    [NativeFact(namespaced: true)]
    public void Set_and_unset_from_a_non_loopback_address_are_refused_as_native_rpcbind_refuses_them()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Security(rpcbind);
            string[] attempts = run["remote"].Split('\n');
            Assert.Equal(14, attempts.Length);
            Assert.All(attempts.Where(a => a.Contains("SET", StringComparison.Ordinal)), a => Assert.EndsWith(": AUTH_ERROR TooWeak", a, StringComparison.Ordinal));
            Assert.All(attempts.Where(a => a.Contains("GETPORT", StringComparison.Ordinal)), a => Assert.EndsWith(": 111", a, StringComparison.Ordinal));
            Assert.All(attempts.Where(a => a.Contains("GETADDR", StringComparison.Ordinal)), a => Assert.EndsWith($": {RpcbindScenario.HostAddress}.0.111", a, StringComparison.Ordinal));
            Assert.Empty(Lines(run["rpcinfo -p after the remote attempts"], TestProgram));
            Assert.Equal(6, Lines(run["rpcinfo -p after the remote attempts"], "100000").Length);
        }

        Assert.Equal(Security("native")["remote"], Security("netrpc")["remote"]);
    }

    [NativeFact(namespaced: true)]
    public void Malformed_and_oversized_requests_neither_crash_rpcbind_nor_stop_it_answering_others()
    {
        foreach (string rpcbind in Rpcbinds)
        {
            IReadOnlyDictionary<string, string> run = Security(rpcbind);
            Assert.Contains("NULL over udp while a half record hangs: answered", run["hostile"], StringComparison.Ordinal);
            Assert.Contains("NULL over tcp while a half record hangs: answered", run["hostile"], StringComparison.Ordinal);
            Assert.Equal("GETADDR rpcbind v4 over udp: port 111\nGETADDR rpcbind v4 over tcp: port 111", run["healthy after the hostile traffic"]);
            Assert.Equal(6, Lines(run["remote healthy after the hostile traffic"], "100000").Length);
            Assert.Equal("ran until stopped", run["rpcbind stopped"]);
        }
    }

    [NativeFact(namespaced: true)]
    public void Local_users_filling_netrpc_rpcbind_get_their_quotas_and_root_still_registers()
    {
        // The defaults: 4096 registrations, 256 per owner, 1024 only the superuser may take.
        IReadOnlyDictionary<string, string> run = Logged(scenarios.Of("quota", "netrpc"), "quota against netrpc rpcbind");
        Assert.Equal("accepted 256, then FALSE", run["nobody over loopback"]);
        Assert.Equal("accepted 256, then FALSE", run["nobody over the local socket"]);
        int[] others = [.. run["other users over the local socket"].Split('\n').Select(l => int.Parse(Regex.Match(l, @"accepted (\d+), then FALSE$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(12, others.Length);
        Assert.All(others, n => Assert.InRange(n, 0, 256));
        Assert.Equal(4096 - 1024, 256 + 256 + others.Sum());
        Assert.Equal("registered", run["root registers after the flood"]);
        Assert.Equal("superuser", run["owner of the root server's registration"]);
        Assert.Contains("65534 256", run["registrations by owner"], StringComparison.Ordinal);
        Assert.Contains("unknown 256", run["registrations by owner"], StringComparison.Ordinal);
        Assert.Equal("ran until stopped", run["rpcbind stopped"]);
    }

    [NativeFact(namespaced: true)]
    public void Where_no_rpcbind_runs_a_netrpc_server_starts_the_embedded_one_on_111_for_native_programs_too()
    {
        IReadOnlyDictionary<string, string> run = Logged(scenarios.EmbeddedDefault, "embedded-default");
        Assert.Equal("none", run["rpcbind before"]);
        Assert.Equal("rpcbind port 111", run["netrpc server registered"]);
        Assert.Equal(2, Lines(run["rpcinfo -p"], TestProgram).Length);
        Assert.Equal(6, Lines(run["rpcinfo -p"], "100000").Length);
        Assert.Equal("The result from RPC is 100", run["c client udp"]);
        Assert.Equal("The result from RPC is 100", run["netrpc client tcp"]);
        Assert.Equal("none", run["rpcbind after the server stopped"]);
    }

    [NativeFact(namespaced: true)]
    public void Where_port_111_is_out_of_reach_the_embedded_rpcbind_takes_the_fallback_port_and_netrpc_clients_find_it()
    {
        IReadOnlyDictionary<string, string> run = Logged(scenarios.Fallback, "fallback");
        Assert.Equal("no", run["may bind port 111"]);
        Assert.Equal($"rpcbind port {RpcbindClient.FallbackPort}", run["netrpc server registered"]);
        Assert.Equal("The result from RPC is 100", run["netrpc client udp"]);
        Assert.Equal("The result from RPC is 100", run["netrpc client tcp"]);
    }

    private static string[] Lines(string text, string program) =>
        [.. text.Split('\n').Where(l => l.TrimStart().StartsWith(program + " ", StringComparison.Ordinal))];

    /// <summary>The text with the servers' ephemeral ports, and the column padding that depends on their width, taken out.</summary>
    private static string WithoutPorts(string text) =>
        Regex.Replace(Regex.Replace(Regex.Replace(text, @"(\d+\.\d+\.\d+\.\d+)\.\d+\.\d+", "$1.P.P"), @"\s\d{4,5}$", " PORT", RegexOptions.Multiline), " +", " ");

    private IReadOnlyDictionary<string, string> Interop(string rpcbind) => Logged("interop", rpcbind);

    private IReadOnlyDictionary<string, string> Security(string rpcbind) => Logged("security", rpcbind);

    private IReadOnlyDictionary<string, string> Statistics(string rpcbind) => Logged("statistics", rpcbind);

    private IReadOnlyDictionary<string, string> Logged(string scenario, string rpcbind) => Logged(scenarios.Of(scenario, rpcbind), $"{scenario} against {rpcbind} rpcbind");

    private IReadOnlyDictionary<string, string> Logged(IReadOnlyDictionary<string, string> run, string what)
    {
        Assert.False(run.ContainsKey("scenario failed"), run.GetValueOrDefault("scenario failed"));
        output.WriteLine($"# {what}");
        foreach ((string title, string text) in run)
        {
            output.WriteLine($"== {title}\n{text}");
        }

        return run;
    }
}
