using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen;

/// <summary>What the compiler is told besides the input file.</summary>
public sealed record CompilerOptions
{
    /// <summary>Defaults: no -I or -D, PascalCase names, every warning a warning.</summary>
    public static CompilerOptions Default { get; } = new();

    /// <summary>-I and -D.</summary>
    public PreprocessorOptions Preprocessor { get; init; } = PreprocessorOptions.Default;

    /// <summary>How .x names become C# names; the checker reports names that would collide in this style.</summary>
    public NameStyle Names { get; init; } = NameStyle.Pascal;

    /// <summary>Which warnings are not reported and which are errors (<c>--nowarn</c>, <c>--warnaserror</c>, the project's <c>NoWarn</c> and <c>TreatWarningsAsErrors</c>).</summary>
    public WarningOptions Warnings { get; init; } = WarningOptions.Default;
}
