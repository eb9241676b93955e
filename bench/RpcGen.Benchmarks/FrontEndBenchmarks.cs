using BenchmarkDotNet.Attributes;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Benchmarks;

/// <summary>
/// The front end on libnfs's nfs4.x (64 KB, RFC 3530's NFSv4.0), warm: preprocessing alone, and the whole of
/// RpcgenCompiler.Check (preprocess, lex, parse, bind, check). The text is in memory, so no disk time counts.
/// </summary>
[MemoryDiagnoser]
public class FrontEndBenchmarks
{
    private const string Path = "libnfs-nfs4.x";
    private readonly MemorySource _sources = new(Path, File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, Path)));

    /// <summary>Fails the run if the benchmark would measure a broken compile.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CheckResult result = RpcgenCompiler.Check(Path, _sources);
        if (result.HasErrors || result.Specification is null)
        {
            throw new InvalidOperationException("libnfs-nfs4.x does not check clean: " + string.Join('\n', result.Diagnostics));
        }
    }

    /// <summary>Preprocessing only.</summary>
    [Benchmark]
    public int Preprocess() => Preprocessor.Run(Path, _sources, PreprocessorOptions.Default, new DiagnosticBag()).LineCount;

    /// <summary>Parse and check: the Done-when figure.</summary>
    [Benchmark]
    public int ParseAndCheck() => RpcgenCompiler.Check(Path, _sources).Specification!.Definitions.Length;

    /// <summary>Everything rpcgen -a makes: check, then types and codecs, client, service and samples.</summary>
    [Benchmark]
    public int GenerateAll() => RpcgenCompiler.Generate(Path, _sources, generation: new Emit.GenerationOptions { Outputs = Emit.GeneratedOutputs.All }).Files.Sum(f => f.Text.Length);

    private sealed class MemorySource(string path, string text) : ISourceProvider
    {
        public string? ReadFile(string p) => p == path ? text : null;
    }
}
