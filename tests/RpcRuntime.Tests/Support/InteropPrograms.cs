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
        string[] flags = NativeToolchain.RpcgenCFlags;
        string server = Path.Combine(_directory, "interop_server");
        string client = Path.Combine(_directory, "interop_client");
        NativeToolchain.Run(gcc, [.. flags, "-o", server, "interop_server.c", "interop_svc.c", "interop_xdr.c", "-ltirpc"], _directory);
        NativeToolchain.Run(gcc, [.. flags, "-o", client, "interop_client.c", "interop_xdr.c", "-ltirpc"], _directory);
        return (server, client);
    }
}
