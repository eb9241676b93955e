using System.Diagnostics;
using System.Globalization;

namespace NetRpc.Testing;

/// <summary>
/// A native test server: started, its ports read from its READY line (<c>READY tcp=PORT udp=PORT</c>), and
/// stopped by PID when disposed (SIGTERM, then SIGKILL).
/// </summary>
public sealed class NativeServer : IDisposable
{
    private readonly Process _process;

    public NativeServer(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is not { } ready || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"{executable} did not start: {_process.StandardError.ReadToEnd()}");
        }

        Dictionary<string, int> ports = ready[6..].Split(' ').Select(f => f.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        TcpPort = ports["tcp"];
        UdpPort = ports["udp"];
    }

    public int TcpPort { get; }

    public int UdpPort { get; }

    public void Dispose()
    {
        Terminate(_process, TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    /// <summary>Stops a process by its PID: SIGTERM, then SIGKILL after <paramref name="grace"/>. False when it needed SIGKILL.</summary>
    public static bool Terminate(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return true;
        }

        _ = kill(process.Id, 15);
        if (process.WaitForExit(grace))
        {
            return true;
        }

        process.Kill();
        process.WaitForExit();
        return false;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
