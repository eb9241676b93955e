using System.Globalization;
using Xunit.Abstractions;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>
/// netrpc-rpcinfo beside native rpcinfo: the same command, against the same rpcbind (native rpcbind, then
/// netrpc-rpcbind, each in a namespace of its own), one after the other; standard output, standard error and exit
/// code must be the same, line for line. Nothing is normalised: both ask the same rpcbind at the same moment, so even
/// the servers' ports agree. Only -m differs, by the one GETSTAT the second run adds.
/// </summary>
public sealed class NativeComparisonTests(Rpcbinds rpcbinds, ITestOutputHelper log) : IClassFixture<Rpcbinds>
{
    public static TheoryData<string, string> Commands()
    {
        string[] commands =
        [
            "", "-p", "-s", "127.0.0.1", "-p 127.0.0.1", "-s 127.0.0.1", "-s localhost", "-T udp 127.0.0.1", "-T tcp6 ::1", "-T tcp6 127.0.0.1", "-T local 127.0.0.1",
            "-l 127.0.0.1 100000 4", $"-l 127.0.0.1 {Rpcbinds.Served} 1", $"-l -T udp 127.0.0.1 {Rpcbinds.Served} 2", "-l ::1 100000 3", $"-l 127.0.0.1 {Rpcbinds.Dead} 1", "-l 127.0.0.1 100003 3",
            $"-T tcp 127.0.0.1 {Rpcbinds.Served}", $"-T udp 127.0.0.1 {Rpcbinds.Served} 2", $"-t 127.0.0.1 {Rpcbinds.Served}", $"-u 127.0.0.1 {Rpcbinds.Served} 1",
            $"-T tcp 127.0.0.1 {Rpcbinds.Served} 7", "-T udp 127.0.0.1 100000 7", "-t 127.0.0.1 100000", "-T udp6 ::1 100000",
            "-T udp 127.0.0.1 100003", "-T tcp 127.0.0.1 100003 3", "-t 127.0.0.1 100003 3", "-u 127.0.0.1 100003",
            $"-T tcp 127.0.0.1 {Rpcbinds.Dead} 1", $"-T udp 127.0.0.1 {Rpcbinds.Dead} 1", $"-t 127.0.0.1 {Rpcbinds.Dead}", $"-u 127.0.0.1 {Rpcbinds.Dead} 1",
            "-T local 127.0.0.1 100000 2", "-T rawip 127.0.0.1 100000 2", "-a 127.0.0.1.0.111 -T udp 100000", "-a 127.0.0.1.0.111 -T tcp 100000 3", "-a 127.0.0.1.0.9 -T udp 100000 2", "-a 1.2.3 -T tcp 100000 2",
            "-Ttcp 127.0.0.1 portmapper 2", "-T tcp 127.0.0.1 rpcbind", "-T tcp 127.0.0.1 12x 2", "-T tcp 127.0.0.1 12- 2", "-T tcp 127.0.0.1 100000 x",
            "-T tcp nosuchhost.invalid 100000", "-t nosuchhost.invalid 100000", "-p nosuchhost.invalid", "nosuchhost.invalid", "-l nosuchhost.invalid 100000 2",
            "-x", "--help", "--version", "-T", "-px", "-ps", "-p -n 5", "-p 127.0.0.1 extra", "-b 100000", "-d 100000", "-d -T foo 1 1", "-T foo 127.0.0.1", "-l -T foo 127.0.0.1 100000 2",
            "-T tcp 127.0.0.1 100000 -1", "-n x -t 127.0.0.1 100000", "-a 127.0.0.1.0.111 -T foo 100000",
        ];
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "native", "netrpc" })
        {
            foreach (string command in commands)
            {
                data.Add(kind, command);
            }
        }

        return data;
    }

    [NativeTheory(namespaced: true)]
    [MemberData(nameof(Commands))]
    public void Prints_what_native_rpcinfo_prints(string rpcbind, string command)
    {
        Namespace space = rpcbinds.Of(rpcbind);
        string[] args = Split(command);
        Outcome native = space.Native(args);
        Outcome ours = space.Ours(args);
        log.WriteLine($"native:\n{native}\nnetrpc-rpcinfo:\n{ours}");
        Assert.Equal(native, ours);
    }

    public static TheoryData<string> WithoutRpcbind() =>
    [
        "", "-p", "-s", "-m", "127.0.0.1", "-p 127.0.0.1", "-s 127.0.0.1", "-m 127.0.0.1", "-T udp 127.0.0.1", "-l 127.0.0.1 100000 2",
        "-T tcp 127.0.0.1 100000 2", "-T udp 127.0.0.1 100000", "-t 127.0.0.1 100000", "-u 127.0.0.1 100000 2", "-T local 127.0.0.1 100000 2",
        "-a 127.0.0.1.0.111 -T tcp 100000 2", "-a 127.0.0.1.0.111 -T udp 100000 2", "-d 100000 2",
        // getopt takes the word after -T whatever it is, a -- too (the netid "--"), where System.CommandLine would end the options.
        "-T --", "-T -- 127.0.0.1", "-pT --",
    ];

    [NativeTheory(namespaced: true)]
    [MemberData(nameof(WithoutRpcbind))]
    public void Fails_as_native_rpcinfo_fails_where_no_rpcbind_runs(string command)
    {
        Namespace space = rpcbinds.Of("none");
        string[] args = Split(command);
        Outcome native = space.Native(args);
        Outcome ours = space.Ours(args);
        log.WriteLine($"native:\n{native}\nnetrpc-rpcinfo:\n{ours}");
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(native, ours);
    }

    [NativeTheory(namespaced: true)]
    [InlineData("native", "")]
    [InlineData("native", "127.0.0.1")]
    [InlineData("netrpc", "")]
    [InlineData("netrpc", "127.0.0.1")]
    public void Statistics_are_native_rpcinfos_but_for_the_GETSTAT_it_adds(string rpcbind, string host)
    {
        Namespace space = rpcbinds.Of(rpcbind);
        string[] args = ["-m", .. Split(host)];
        Outcome native = space.Native(args);
        Outcome ours = space.Ours(args);
        log.WriteLine($"native:\n{native}\nnetrpc-rpcinfo:\n{ours}");
        Assert.Equal((0, "", 0), (native.ExitCode, native.Error, ours.ExitCode));
        Assert.Equal("", ours.Error);

        // The counts under VERADDR INDRECT GETLIST GETSTAT: the same, with one GETSTAT more (the last column, 8 wide).
        string[] expected = native.Output.Split('\n');
        int counts = Array.FindIndex(expected, line => line.StartsWith("VERADDR", StringComparison.Ordinal)) + 1;
        int column = expected[counts - 1].IndexOf("GETSTAT", StringComparison.Ordinal);
        int getstat = int.Parse(expected[counts][column..].Trim(), CultureInfo.InvariantCulture);
        expected[counts] = expected[counts][..column] + (getstat + 1).ToString(CultureInfo.InvariantCulture).PadRight(8);
        Assert.Equal(string.Join('\n', expected), ours.Output);
    }

    [NativeTheory(namespaced: true)]
    [InlineData("native")]
    [InlineData("netrpc")]
    public void Delete_removes_a_registration_as_native_rpcinfo_does(string rpcbind)
    {
        Namespace space = rpcbinds.Of(rpcbind);
        string self = Path.Combine(AppContext.BaseDirectory, "NetRpc.RpcInfo.Tool.Tests.dll");
        var outcomes = new List<string>();
        foreach (Func<string[], Outcome> rpcinfo in new Func<string[], Outcome>[] { space.Native, space.Ours })
        {
            foreach ((string netId, string address) in new[] { ("udp", "127.0.0.1.0.10"), ("tcp", "127.0.0.1.0.10") })
            {
                Assert.Equal(0, space.Run(Namespace.Dotnet, self, "set", "536870980", "1", netId, address).ExitCode);
            }

            Outcome udpOnly = rpcinfo(["-d", "-T", "udp", "536870980", "1"]);
            string afterUdp = space.Native("-p").Output;
            Outcome all = rpcinfo(["-d", "536870980", "1"]);
            string afterAll = space.Native("-p").Output;
            outcomes.Add($"{udpOnly}\n{Lines(afterUdp, "536870980")}\n{all}\n{Lines(afterAll, "536870980")}");
        }

        log.WriteLine(string.Join("\n=====\n", outcomes));
        Assert.Contains("tcp", outcomes[0], StringComparison.Ordinal);
        Assert.Equal(outcomes[0], outcomes[1]);
    }

    private static string Lines(string output, string program) =>
        string.Join('\n', output.Split('\n').Where(line => line.TrimStart().StartsWith(program, StringComparison.Ordinal)));

    private static string[] Split(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
