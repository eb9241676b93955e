using Antlr4.Runtime;
using NetRpc.RpcGen.Checking;
using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Grammar;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Parsing;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen;

/// <summary>
/// The .x compiler's front end: preprocess, parse, bind and check. Text in, model and diagnostics out; files
/// are read only through the <see cref="ISourceProvider"/> given.
/// </summary>
public static class RpcgenCompiler
{
    /// <summary>
    /// The version of this compiler, which is the version of every NetRpc package (NetRpc.Runtime included):
    /// the assembly's informational version without its <c>+commit</c> part, such as <c>0.1.0</c>.
    /// </summary>
    public static string Version { get; } = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(RpcgenCompiler).Assembly)?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Reads, parses and checks a .x file and everything it includes.</summary>
    /// <param name="path">The input file.</param>
    /// <param name="sources">Where files are read from.</param>
    /// <param name="options">-I, -D, the naming style and what to make of warnings; null means <see cref="CompilerOptions.Default"/>.</param>
    /// <returns>The checked model and the diagnostics.</returns>
    public static CheckResult Check(string path, ISourceProvider sources, CompilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(sources);
        options ??= CompilerOptions.Default;
        var diagnostics = new DiagnosticBag();

        PreprocessedSource preprocessed = Preprocessor.Run(path, sources, options.Preprocessor, diagnostics);
        Specification? specification = null;
        if (!diagnostics.IsFull)
        {
            var lexer = new RpclLexer(CharStreams.fromString(preprocessed.Text));
            lexer.RemoveErrorListeners();
            var tokenSource = new RpclTokenSource(lexer, preprocessed, diagnostics);
            var tokens = new CommonTokenStream(tokenSource);
            var parser = new RpclParser(tokens) { ErrorHandler = new RpclErrorStrategy(preprocessed, diagnostics, tokenSource) };
            parser.RemoveErrorListeners();
            RpclParser.SpecificationContext tree = parser.specification();

            specification = new Binder(preprocessed, tokens, diagnostics).Bind(tree, path);
            if (!diagnostics.IsFull)
            {
                ModelChecks.Run(specification, options.Names, diagnostics);
            }
        }

        return new CheckResult(specification, options.Warnings.Apply(diagnostics.All));
    }

    /// <summary>Checks a .x file and generates C# from it: types and codecs, client, server, samples (see <see cref="GenerationOptions"/>).</summary>
    /// <param name="path">The input file.</param>
    /// <param name="sources">Where files are read from.</param>
    /// <param name="options">-I, -D, the naming style and what to make of warnings; null means <see cref="CompilerOptions.Default"/>.</param>
    /// <param name="generation">Which files, the namespace and the accessibility; null means <see cref="GenerationOptions.Default"/>.</param>
    /// <returns>The files (none when the input has errors, warnings made errors included) and the diagnostics.</returns>
    public static GenerateResult Generate(string path, ISourceProvider sources, CompilerOptions? options = null, GenerationOptions? generation = null)
    {
        options ??= CompilerOptions.Default;
        generation ??= GenerationOptions.Default;
        CheckResult checkResult = Check(path, sources, options);
        if (checkResult.HasErrors || checkResult.Specification is not { } specification)
        {
            return new GenerateResult([], checkResult.Diagnostics);
        }

        var diagnostics = new DiagnosticBag();
        List<GeneratedFile> files = CSharpGenerator.Generate(specification, options, generation, diagnostics);
        IReadOnlyList<Diagnostic> generationDiagnostics = options.Warnings.Apply(diagnostics.All);
        bool failed = generationDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return new GenerateResult(failed ? [] : files, [.. checkResult.Diagnostics, .. generationDiagnostics]);
    }

    /// <summary>
    /// Compares two versions of a .x file and reports every change as wire-breaking, wire-compatible for new readers
    /// only, or source-breaking (docs/breaking.md; codes RPCG5001-RPCG5099). Both files are checked first, with the
    /// same -I and -D; programs, versions and procedures are matched by number, the types they reach by structure,
    /// and the rest by name, with typedefs, constants and the preprocessor resolved, so a change that is only textual
    /// is not reported.
    /// </summary>
    /// <param name="oldPath">The old version (the baseline).</param>
    /// <param name="newPath">The new version; findings are located in it.</param>
    /// <param name="sources">Where files are read from.</param>
    /// <param name="options">-I and -D for both files, and what to make of the findings that are warnings (<see cref="CompilerOptions.Warnings"/>:
    /// suppressed codes are left out, warnings made errors are reported as errors); null means <see cref="CompilerOptions.Default"/>.
    /// The files' own warnings stay warnings, so that a setting meant for the findings cannot stop the comparison.</param>
    /// <returns>Both check results and the findings; no findings when either file has errors (see <see cref="CompatibilityResult.Compared"/>).</returns>
    /// <exception cref="ArgumentNullException">A path or <paramref name="sources"/> is null.</exception>
    public static CompatibilityResult CompareCompatibility(string oldPath, string newPath, ISourceProvider sources, CompilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(oldPath);
        ArgumentNullException.ThrowIfNull(newPath);
        ArgumentNullException.ThrowIfNull(sources);
        options ??= CompilerOptions.Default;
        CompilerOptions checking = options with { Warnings = WarningOptions.Default };
        CheckResult old = Check(oldPath, sources, checking);
        CheckResult @new = Check(newPath, sources, checking);
        if (old.HasErrors || @new.HasErrors || old.Specification is not { } oldSpecification || @new.Specification is not { } newSpecification)
        {
            return new CompatibilityResult(old, @new, []);
        }

        var findings = new List<CompatibilityFinding>();
        foreach (CompatibilityFinding finding in SpecificationComparer.Compare(oldSpecification, newSpecification))
        {
            if (options.Warnings.Apply([finding.Diagnostic]) is [var reported])
            {
                findings.Add(finding with { Diagnostic = reported });
            }
        }

        return new CompatibilityResult(old, @new, findings);
    }
}
