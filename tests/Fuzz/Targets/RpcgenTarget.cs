using System.Text;
using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Engine;
using NetRpc.RpcGen;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The .x compiler on mutated .x text: preprocess, parse, check, and, where that finds no error, generate every
/// output rpcgen -a makes. The compiler's contract is diagnostics for any input, never an exception. Includes are
/// read from memory: the input itself (main.x), one small valid file (inc.x), one that includes main.x back inside
/// an include guard (guard.x), and nothing else.
/// </summary>
internal sealed class RpcgenTarget : IFuzzTarget
{
    /// <summary>Inputs are cut at this length: twice the largest seed.</summary>
    public const int MaxInputLength = 16 * 1024;

    private const string Folder = "/fuzz";
    private const string MainPath = Folder + "/main.x";

    private static readonly CompilerOptions s_options = new()
    {
        Preprocessor = new PreprocessorOptions { IncludeDirectories = [Folder], Defines = [new("FUZZ", "1")] },
    };

    private static readonly GenerationOptions s_generation = new() { Outputs = GeneratedOutputs.All, Namespace = "Fuzz.Generated" };

    public string Name => "rpcgen";

    public string Contract => "RpcgenCompiler.Generate: no exception, diagnostics only";

    /// <summary>Pieces of the real .x files, then the shapes that once crashed or stalled the compiler (<see cref="RpcgenShapes"/>).</summary>
    public IReadOnlyList<byte[]> Seeds { get; } = [.. SeedFiles.XFiles().SelectMany(file => Pieces(file.Text)).Concat(RpcgenShapes.All).Select(Encoding.UTF8.GetBytes)];

    public IMutator Mutator { get; } = new TextMutator(MaxInputLength);

    /// <summary>
    /// 1 s an input (generating everything for all of nfs4.x, 64 KB, takes 11 ms). Memory: 1024 bytes for each byte
    /// of input plus 32 MiB. Real files cost up to about 300 bytes a byte (nfs4.x: 17.5 MB to generate from 64 KB,
    /// docs/perf/rpcgen.md) and the output is a fixed multiple of the definitions; the multiple leaves a factor of
    /// three above that, and the constant covers the parser's fixed tables. A macro that expands without bound, or
    /// output that grows faster than the input, breaks it.
    /// </summary>
    public Budget Budget { get; } = new(TimeSpan.FromSeconds(1), 1024, 32L << 20);

    public int HealthInterval => 0;

    public string Notes => string.Empty;

    public long Run(byte[] input)
    {
        _ = Generate(Encoding.UTF8.GetString(input));
        return 0;
    }

    /// <summary>What one input does: <paramref name="main"/> compiled as main.x, every output generated.</summary>
    public static GenerateResult Generate(string main) => RpcgenCompiler.Generate(MainPath, new Sources(main), s_options, s_generation);

    public string? CheckHealth() => null;

    public void Dispose()
    {
    }

    /// <summary>A .x file in pieces of about 4 KB, cut after a line that closes a definition: small enough for thousands of inputs a second.</summary>
    private static IEnumerable<string> Pieces(string text)
    {
        var piece = new StringBuilder();
        foreach (string line in text.Split('\n'))
        {
            piece.Append(line).Append('\n');
            if (piece.Length >= 4096 && line.TrimEnd().EndsWith("};", StringComparison.Ordinal))
            {
                yield return piece.ToString();
                piece.Clear();
            }
        }

        if (piece.Length > 0)
        {
            yield return piece.ToString();
        }
    }

    /// <summary>The input as main.x, one small include and one guarded include of main.x; every other path is missing.</summary>
    private sealed class Sources(string main) : ISourceProvider
    {
        private const string Include = "/* a small valid include */\nconst INC_SIZE = 16;\ntypedef opaque inc_data<INC_SIZE>;\nstruct inc_pair { int a; inc_data b; };\n";

        public string? ReadFile(string path) => Path.GetFullPath(path, Folder) switch
        {
            MainPath => main,
            Folder + "/inc.x" => Include,
            Folder + "/guard.x" => RpcgenShapes.GuardedInclude,
            _ => null,
        };
    }
}
