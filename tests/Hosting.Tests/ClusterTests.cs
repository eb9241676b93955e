using System.Runtime.CompilerServices;

namespace NetRpc.Hosting.Tests;

/// <summary>
/// AddRpcClient against three server processes on three hosts (network namespaces this test makes): the client
/// factory calls them in turn; a killed server's calls fail over with their XIDs; a call whose connection is cut after
/// its server ran it is answered by that server's duplicate request cache; nothing runs twice. See <see cref="ClusterScenario"/>.
/// </summary>
public sealed class ClusterTests
{
    [NamespaceFact]
    public void Three_servers_called_in_turn_a_killed_one_failed_over_and_every_call_run_at_most_once()
    {
        string output = NativeToolchain.Run(
            "unshare",
            ["-n", "-m", "--propagation", "private", "sh", "-c", "ip link set lo up && mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"", NativeToolchain.Dotnet, typeof(ClusterScenario).Assembly.Location, "cluster-scenario"],
            AppContext.BaseDirectory,
            timeoutSeconds: 300);
        Dictionary<string, string> lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);

        Assert.Equal("1:10 2:10 3:10", lines["round-robin answers"]);
        Assert.Equal("10 10 10", lines["round-robin runs"]);
        // All six answered, none by the killed server; which of 2 and 3 took the two failed over is up to the turn.
        int[] failover = [.. lines["failover answers"].Split(' ').Select(c => int.Parse(c[2..], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(0, failover[0]);
        Assert.Equal(6, failover[1] + failover[2]);
        Assert.Equal("2, run elsewhere with the same XID: 2, distinct: 2, run on 1: 0", lines["failover held on 1"]);
        Assert.Equal("cut", lines["cut connection"]);
        Assert.Equal("True, runs: 1", lines["cut call answered by its server"]);
        string[] runs = lines["runs"].Split(", distinct XIDs: ");
        Assert.Equal(runs[0], runs[1]);
        Assert.Equal("37", runs[0]); // 30 + 4 + the 2 failed over + the cut one

    }
}

/// <summary>
/// A test that makes network namespaces of its own (root, unshare, ip, ss). Where it cannot it is skipped, with the
/// reason in its name; where NETRPC_REQUIRE_NATIVE=1 (as .ci/run sets) it runs anyway and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NamespaceFactAttribute : FactAttribute
{
    public NamespaceFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        if (NativeToolchain.NetworkNamespaceMissingReason is { } reason && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]";
        }
    }
}
