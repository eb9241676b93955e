using System.Globalization;

namespace NetRpc.Interop.Tests.Support;

/// <summary>
/// The C side, built once per test run with rpcgen + gcc + libtirpc from Protocols/*.x and Native/*.c into a
/// temporary directory deleted at the end: rich_check (samples and round trips), rich_server, rich_client,
/// my_proto_server, my_proto_client.
/// </summary>
public sealed class NativePrograms : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"netrpc-interop-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Lazy<string> _built;

    public NativePrograms() => _built = new Lazy<string>(Build);

    public NativeServer StartRichServer() => new(Path.Combine(_built.Value, "rich_server"));

    public NativeServer StartMyProtoServer() => new(Path.Combine(_built.Value, "my_proto_server"));

    public string[] RichClient(bool tcp, int port) => Lines(Run("rich_client", [tcp ? "tcp" : "udp", Port(port)]));

    public string[] MyProtoClient(bool tcp, int port) => Lines(Run("my_proto_client", [tcp ? "tcp" : "udp", Port(port)]));

    /// <summary>rich_check sample N: the hex of everything sample N as libtirpc encodes it.</summary>
    public string Sample(int n) => Run("rich_check", ["sample", Port(n)]).Trim();

    /// <summary>rich_check roundtrip TYPE: for each hex line, libtirpc's decode and encode again (or "ERROR ...").</summary>
    public string[] RoundTrip(string type, params string[] hex) => Lines(Run("rich_check", ["roundtrip", type], string.Join('\n', hex) + "\n"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Run(string program, IEnumerable<string> arguments, string? stdin = null) =>
        NativeToolchain.Run(Path.Combine(_built.Value, program), arguments, _directory, stdin, timeoutSeconds: 120);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private string Build()
    {
        NativeToolchain.EnsureAvailable();
        Directory.CreateDirectory(_directory);
        foreach (string folder in new[] { "Protocols", "Native" })
        {
            foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, folder)))
            {
                File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
            }
        }

        string rpcgen = NativeToolchain.FindOnPath("rpcgen")!;
        string gcc = NativeToolchain.FindOnPath("gcc")!;
        // rich.x has procedures of several arguments, which need rpcgen -N; -M gives thread-safe signatures.
        // "-i 0": rpcgen's inline code for a fixed array of bool declares a C type 'bool' that does not exist.
        Rpcgen(rpcgen, "rich.x", ["-N", "-M"], inlineOff: true);
        Rpcgen(rpcgen, "my_proto.x", ["-M"], inlineOff: false);
        string[] flags = NativeToolchain.RpcgenCFlags;
        string[] quad = ["-include", "quadruple.h"];
        Gcc(gcc, "rich_check", [.. flags, .. quad, "rich_check.c", "rich_samples.c", "rich_xdr.c", "quadruple.c"]);
        Gcc(gcc, "rich_server", [.. flags, .. quad, .. Server("RICH_PROG", "RICH_V1", "rich_prog_1", "rich.h"), "server_main.c", "rich_server.c", "rich_svc.c", "rich_xdr.c", "quadruple.c"]);
        Gcc(gcc, "rich_client", [.. flags, .. quad, "rich_client.c", "rich_samples.c", "rich_clnt.c", "rich_xdr.c", "quadruple.c"]);
        Gcc(gcc, "my_proto_server", [.. flags, .. Server("TEST_PROG", "TEST_VERS", "test_prog_1", "my_proto.h"), "server_main.c", "my_proto_server.c", "my_proto_svc.c", "my_proto_xdr.c"]);
        Gcc(gcc, "my_proto_client", [.. flags, "my_proto_client.c", "my_proto_clnt.c", "my_proto_xdr.c"]);
        return _directory;
    }

    private void Rpcgen(string rpcgen, string file, string[] style, bool inlineOff)
    {
        string stem = Path.GetFileNameWithoutExtension(file);
        NativeToolchain.Run(rpcgen, [.. style, "-h", "-o", stem + ".h", file], _directory);
        NativeToolchain.Run(rpcgen, [.. style, .. inlineOff ? new[] { "-i", "0" } : [], "-c", "-o", stem + "_xdr.c", file], _directory);
        NativeToolchain.Run(rpcgen, [.. style, "-m", "-o", stem + "_svc.c", file], _directory);
        NativeToolchain.Run(rpcgen, [.. style, "-l", "-o", stem + "_clnt.c", file], _directory);
    }

    private void Gcc(string gcc, string output, string[] arguments) =>
        NativeToolchain.Run(gcc, [.. arguments, "-o", Path.Combine(_directory, output), "-ltirpc"], _directory);

    private static string[] Server(string program, string version, string dispatch, string header) =>
        [$"-DPROGRAM={program}", $"-DVERSION={version}", $"-DDISPATCH={dispatch}", $"-DHEADER=\"{header}\""];
}

/// <summary>The tests that run the C side share one build of it (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class NativeCollection : ICollectionFixture<NativePrograms>
{
    public const string Name = "native programs";
}
