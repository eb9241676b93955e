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

        string[] unshare = ["-n", "-m", "--propagation", "private", "sh", "-c", "ip link set lo up && mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"", RpcbindScenario.Dotnet, typeof(RpcbindScenario).Assembly.Location, "rpcbind-scenario", .. scenario];
        string output = NativeToolchain.Run("unshare", unshare, AppContext.BaseDirectory, timeoutSeconds: 180);

        var sections = new Dictionary<string, string>();
        string? title = null;
        var text = new List<string>();
        foreach (string line in output.Split('\n'))
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
