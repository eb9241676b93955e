using System.Diagnostics;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// Interop/interop_server.c and interop_client.c, built once per test run with rpcgen (-M) + gcc + libtirpc into
/// a temporary directory that is deleted when the tests end.
/// </summary>
public sealed class InteropPrograms : IDisposable
{
    private readonly Lazy<(string Server, string Client)> _built;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"netrpc-interop-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public InteropPrograms() => _built = new Lazy<(string, string)>(Build);

    /// <summary>Starts the C server; it is stopped (SIGTERM, then killed) when the result is disposed.</summary>
    public NativeServer StartServer() => new(_built.Value.Server);

    /// <summary>Runs the C client against a server and returns its lines.</summary>
    public string[] RunClient(bool tcp, int port, bool authSys) =>
        NativeToolchain.Run(_built.Value.Client, [tcp ? "tcp" : "udp", port.ToString(System.Globalization.CultureInfo.InvariantCulture), authSys ? "sys" : "none"], _directory, timeoutSeconds: 60)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private (string, string) Build()
    {
        NativeToolchain.EnsureAvailable();
        Directory.CreateDirectory(_directory);
        foreach (string file in new[] { "interop.x", "interop_server.c", "interop_client.c" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Interop", file), Path.Combine(_directory, file));
        }

        string rpcgen = NativeToolchain.FindOnPath("rpcgen")!;
        NativeToolchain.Run(rpcgen, ["-M", "-h", "-o", "interop.h", "interop.x"], _directory);
        NativeToolchain.Run(rpcgen, ["-M", "-c", "-o", "interop_xdr.c", "interop.x"], _directory);
        NativeToolchain.Run(rpcgen, ["-M", "-m", "-o", "interop_svc.c", "interop.x"], _directory);
        string gcc = NativeToolchain.FindOnPath("gcc")!;
        // rpcgen's own output declares variables it does not use.
        string[] flags = ["-O1", "-Wall", "-Werror", "-Wno-unused-variable", "-Wno-unused-but-set-variable", "-I" + NativeToolchain.TirpcInclude];
        string server = Path.Combine(_directory, "interop_server");
        string client = Path.Combine(_directory, "interop_client");
        NativeToolchain.Run(gcc, [.. flags, "-o", server, "interop_server.c", "interop_svc.c", "interop_xdr.c", "-ltirpc"], _directory);
        NativeToolchain.Run(gcc, [.. flags, "-o", client, "interop_client.c", "interop_xdr.c", "-ltirpc"], _directory);
        return (server, client);
    }
}

/// <summary>A running interop_server: its ports, read from its READY line; stopped by PID on dispose.</summary>
public sealed partial class NativeServer : IDisposable
{
    private readonly Process _process;

    public NativeServer(string executable)
    {
        _process = Process.Start(new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not start {executable}");
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is not { } ready || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"{executable} did not start: {_process.StandardError.ReadToEnd()}");
        }

        Dictionary<string, int> ports = ready[6..].Split(' ').Select(f => f.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        TcpPort = ports["tcp"];
        UdpPort = ports["udp"];
    }

    public int TcpPort { get; }

    public int UdpPort { get; }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: the server exits at once on it.
            _ = kill(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
