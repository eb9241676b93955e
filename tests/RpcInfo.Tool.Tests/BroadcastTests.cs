using Xunit.Abstractions;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>
/// rpcinfo -b in a namespace of its own, joined by a veth pair to a second one where an rpcbind that forwards runs
/// (native rpcbind -r, or netrpc-rpcbind -r): the broadcast goes out on the pair's network alone. IPv6 is off in both,
/// so that native rpcinfo broadcasts over IPv4 only, as netrpc-rpcinfo does. Native rpcinfo prints the answer to each
/// retransmission again; netrpc-rpcinfo each server once; so the distinct lines are compared.
/// </summary>
public sealed class BroadcastTests(ITestOutputHelper log)
{
    [NativeTheory(namespaced: true)]
    [InlineData("rpcbind -f -r")]
    [InlineData("netrpc")]
    public void Broadcast_finds_the_servers_native_rpcinfo_finds(string rpcbind)
    {
        string far = rpcbind == "netrpc" ? Namespace.NetRpcbind + " -r" : rpcbind;
        string setup = """
            sysctl -qw net.ipv6.conf.all.disable_ipv6=1
            ip link add rpcb0 type veth peer name rpcb1
            ip netns add far
            ip link set rpcb1 netns far
            ip addr add 10.231.0.1/24 brd + dev rpcb0
            ip link set rpcb0 up
            ip netns exec far sysctl -qw net.ipv6.conf.all.disable_ipv6=1
            ip netns exec far ip addr add 10.231.0.2/24 brd + dev rpcb1
            ip netns exec far ip link set rpcb1 up
            ip netns exec far ip link set lo up
            """ + $"\nip netns exec far unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && exec {far.Replace("'", "'\\''", StringComparison.Ordinal)}' >/dev/null 2>&1 & daemon=$!";
        using var space = new Namespace(setup, cleanup: "ip netns delete far");
        Namespace.WaitFor(() => space.Run("rpcinfo", "-p", "10.231.0.2").ExitCode == 0, "the far rpcbind answering");

        Outcome native = space.Native("-b", "100000", "2");
        Outcome ours = space.Ours("-b", "100000", "2");
        log.WriteLine($"native:\n{native}\nnetrpc-rpcinfo:\n{ours}");
        Assert.Contains("10.231.0.2.0.111\t", native.Output, StringComparison.Ordinal);
        Assert.Equal((native.ExitCode, native.Error, Distinct(native.Output)), (ours.ExitCode, ours.Error, Distinct(ours.Output)));
    }

    private static string Distinct(string output) =>
        string.Join('\n', output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
