using System.Diagnostics;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// Runs <see cref="RpcbindScenario"/> in a network and mount namespace of its own (<c>unshare -n -m</c>, loopback
/// up, a private /run), so port 111, /run/rpcbind.sock and the veth pair never touch the host's. Needs root,
/// unshare, ip, rpcbind and rpcinfo besides the C toolchain.
/// </summary>
internal static class NetworkNamespace
{
    /// <summary>Runs a scenario and returns its sections by title.</summary>
    public static IReadOnlyDictionary<string, string> Run(params string[] scenario)
    {
        if (NativeToolchain.NamespaceMissingReason is { } reason)
        {
            throw new InvalidOperationException(reason + " (NETRPC_REQUIRE_NATIVE=1 makes this a failure)");
        }

        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-n", "-m", "--propagation", "private", "sh", "-c", "ip link set lo up && mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"", RpcbindScenario.Dotnet, typeof(RpcbindScenario).Assembly.Location, "rpcbind-scenario" }.Concat(scenario))
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rpcbind scenario {string.Join(' ', scenario)} did not finish in 3 minutes");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rpcbind scenario {string.Join(' ', scenario)} exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        }

        var sections = new Dictionary<string, string>();
        string? title = null;
        var text = new List<string>();
        foreach (string line in stdout.Result.Split('\n'))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                Flush();
                title = line[3..].TrimEnd();
            }
            else
            {
                text.Add(line);
            }
        }

        Flush();
        return sections;

        void Flush()
        {
            if (title is not null)
            {
                sections[title] = string.Join('\n', text).TrimEnd('\n');
            }

            text.Clear();
        }
    }
}
