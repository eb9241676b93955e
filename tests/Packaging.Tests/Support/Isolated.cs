namespace NetRpc.Packaging.Tests.Support;

/// <summary>
/// Runs a program that serves RPC and registers with rpcbind where it touches nothing of the host's: as root, in a
/// network namespace of its own (unshare -n) with only the loopback interface up, so that the embedded rpcbind
/// may take port 111 there; otherwise with NetRpc's rpcbind on a free port of its own (NETRPC_RPCBIND_PORT).
/// </summary>
internal static class Isolated
{
    public static CommandResult Run(string program, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var withPort = new Dictionary<string, string?>(environment) { ["NETRPC_RPCBIND_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        TimeSpan timeout = TimeSpan.FromMinutes(1);
        if (Environment.UserName == "root" && Which("unshare") is { } unshare && Which("ip") is { } ip)
        {
            return Command.Run(unshare, ["-n", "sh", "-c", $"{ip} link set lo up && exec \"$0\" \"$@\"", program, .. arguments], workingDirectory, withPort, timeout);
        }

        return Command.Run(program, arguments, workingDirectory, withPort, timeout);
    }

    /// <summary>A TCP port free on loopback now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
