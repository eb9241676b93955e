namespace NetRpc.Xdr.Tests.Support;

/// <summary>
/// Interop/xdrcheck.c, built once per test run with rpcgen + gcc + libtirpc from alltypes.x and
/// bench.x into a temporary directory that is deleted when the tests end.
/// </summary>
public sealed class XdrCheckProgram : IDisposable
{
    private readonly Lazy<string> _executable;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"netrpc-xdrcheck-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public XdrCheckProgram() => _executable = new Lazy<string>(Build);

    /// <summary>Runs xdrcheck with one input per line and returns one output per line.</summary>
    public string[] Run(IReadOnlyList<string> lines, params string[] arguments)
    {
        string output = NativeToolchain.Run(_executable.Value, arguments, _directory, string.Join('\n', lines) + "\n");
        string[] result = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Count, result.Length);
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Build()
    {
        NativeToolchain.EnsureAvailable();
        Directory.CreateDirectory(_directory);
        string source = Path.Combine(AppContext.BaseDirectory, "Interop");
        foreach (string file in new[] { "alltypes.x", "bench.x", "xdrcheck.c", "quadruple.h", "quadruple.c" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(_directory, file));
        }

        string rpcgen = NativeToolchain.FindOnPath("rpcgen")!;
        foreach (string protocol in new[] { "alltypes", "bench" })
        {
            NativeToolchain.Run(rpcgen, ["-h", "-o", protocol + ".h", protocol + ".x"], _directory);
            NativeToolchain.Run(rpcgen, ["-c", "-o", protocol + "_xdr.c", protocol + ".x"], _directory);
        }

        string executable = Path.Combine(_directory, "xdrcheck");
        NativeToolchain.Run(NativeToolchain.FindOnPath("gcc")!,
            ["-O1", "-Wall", "-Werror", "-Wno-unused-variable", "-I" + NativeToolchain.TirpcInclude, "-include", "quadruple.h",
             "-o", executable, "xdrcheck.c", "quadruple.c", "alltypes_xdr.c", "bench_xdr.c", "-ltirpc"],
            _directory);
        return executable;
    }
}
