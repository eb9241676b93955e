using Microsoft.Build.Framework;
using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tool;

namespace NetRpc.RpcGen.MSBuild;

/// <summary>
/// Generates C# from .x files, in MSBuild's process, with the same compiler as <c>dotnet rpcgen</c>. For each
/// source it writes <c>stem_xdr.cs</c>, and <c>stem_clnt.cs</c> and <c>stem_svc.cs</c> as its
/// <c>Services</c> metadata asks, into its <c>OutputDirectory</c>, then its <c>DependencyFile</c>: the files
/// it read (the .x and what it includes), one full path a line, which the targets read back as inputs. The
/// targets (build/NetRpc.RpcGen.MSBuild.targets) fill in the metadata; docs/msbuild.md describes them.
/// </summary>
public sealed class GenerateRpcCode : Microsoft.Build.Utilities.Task
{
    /// <summary>The files whose outputs are named from the .x file's: stem_xdr.cs, stem_clnt.cs, stem_svc.cs.</summary>
    private static readonly (GeneratedOutputs Output, string Suffix)[] s_outputs =
    [
        (GeneratedOutputs.Types, "_xdr.cs"),
        (GeneratedOutputs.Client, "_clnt.cs"),
        (GeneratedOutputs.Server, "_svc.cs"),
        (GeneratedOutputs.Wireshark, ".lua"),
    ];

    /// <summary>
    /// The .x files, with the metadata <c>OutputDirectory</c> and <c>DependencyFile</c> (required), and
    /// <c>Services</c> (Both, Client, Server or None), <c>Namespace</c>, <c>Access</c> (Public or Internal),
    /// <c>Names</c> (Pascal or Keep), <c>Wireshark</c> (true: also stem.lua, a Wireshark dissector), <c>IncludeDirectories</c>, <c>Defines</c>, <c>StreamedProcedures</c>, <c>PooledOpaque</c>
    /// (<c>true</c> for all variable-length opaque data, or typedef names and <c>Type.member</c> paths), <c>NoWarn</c>, and
    /// <c>Baseline</c>: an earlier version of the .x file, which it is compared with (docs/breaking.md) (optional).
    /// </summary>
    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    /// <summary>The directory that relative paths (the sources, <c>IncludeDirectories</c>) are relative to.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The namespace of a source without <c>Namespace</c> metadata: the project's RootNamespace. Where it is empty
    /// or no C# namespace name (a project named <c>my-proto</c>), one made from the .x file's name.
    /// </summary>
    public string? DefaultNamespace { get; set; }

    /// <summary>The project's <c>NoWarn</c>: codes of warnings not reported, separated by <c>;</c> or <c>,</c> (other tools' codes are ignored).</summary>
    public string? NoWarn { get; set; }

    /// <summary>
    /// The project's <c>TreatWarningsAsErrors</c>: every warning is an error, which generates nothing. MSBuild itself
    /// applies the property only to the C# compiler's warnings, not to a task's.
    /// </summary>
    public bool TreatWarningsAsErrors { get; set; }

    /// <summary>The project's <c>WarningsAsErrors</c>: codes of warnings that are errors.</summary>
    public string? WarningsAsErrors { get; set; }

    /// <summary>The project's <c>WarningsNotAsErrors</c>: codes of warnings that stay warnings under <see cref="TreatWarningsAsErrors"/>.</summary>
    public string? WarningsNotAsErrors { get; set; }

    /// <summary>The files written: the generated C# of every source.</summary>
    [Output]
    public ITaskItem[] GeneratedFiles { get; private set; } = [];

    /// <summary>The stem a file's outputs are named after: <c>my_proto.x</c> gives <c>my_proto</c>.</summary>
    /// <param name="outputDirectory">The directory the outputs go to.</param>
    /// <param name="stem">The .x file's name without its extension.</param>
    /// <param name="outputs">Which outputs.</param>
    /// <returns>The paths, in the order types, client, server.</returns>
    internal static IEnumerable<(GeneratedOutputs Output, string Path)> OutputPaths(string outputDirectory, string stem, GeneratedOutputs outputs) =>
        s_outputs.Where(o => (outputs & o.Output) != 0).Select(o => (o.Output, Path.Combine(outputDirectory, stem + o.Suffix)));

    /// <inheritdoc/>
    public override bool Execute()
    {
        var generated = new List<ITaskItem>();
        var stems = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (ITaskItem source in Sources)
        {
            string input = Path.GetFullPath(source.ItemSpec, ProjectDirectory);
            string outputDirectory = source.GetMetadata("OutputDirectory");
            string key = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(input));
            if (!stems.TryAdd(key, input))
            {
                Error("RPCG9004", $"{input} and {stems[key]} would both generate {Path.GetFileNameWithoutExtension(input)}_*.cs in {outputDirectory}: rename one, or give it another OutputDirectory");
                continue;
            }

            if (Settings.Read(source, this, ProjectWarnings) is { } settings)
            {
                generated.AddRange(Generate(input, settings));
            }
        }

        GeneratedFiles = [.. generated];
        return !Log.HasLoggedErrors;
    }

    /// <summary>What the project says of warnings, before an item's own <c>NoWarn</c>.</summary>
    private WarningOptions ProjectWarnings => new()
    {
        Suppressed = WarningOptions.Codes(NoWarn),
        AllAsErrors = TreatWarningsAsErrors,
        AsErrors = WarningOptions.Codes(WarningsAsErrors),
        NotAsErrors = WarningOptions.Codes(WarningsNotAsErrors),
    };

    private List<ITaskItem> Generate(string input, Settings settings)
    {
        var sources = new RecordingSources(new FileSystemSources());
        GenerateResult result = RpcgenCompiler.Generate(input, sources, settings.Compiler, settings.Generation);
        bool hadErrors = Log.HasLoggedErrors;
        LogDiagnostics(result.Diagnostics);
        if (!result.HasErrors && settings.Baseline is { } baseline)
        {
            Compare(baseline, input, sources, settings);
        }

        // MSBuild may log a warning as an error itself (dotnet build -warnaserror, MSBuildWarningsAsErrors): then too
        // nothing is written, so that the next build does not skip the generation and lose the diagnostic.
        if (result.HasErrors || (Log.HasLoggedErrors && !hadErrors))
        {
            return []; // the old outputs stay older than the .x file, so the next build tries again
        }

        var written = new List<ITaskItem>();
        string inputName = Path.GetFileName(input);
        string stem = Path.GetFileNameWithoutExtension(input);
        try
        {
            Directory.CreateDirectory(settings.OutputDirectory);
            foreach ((GeneratedOutputs output, string path) in OutputPaths(settings.OutputDirectory, stem, settings.Generation.Outputs))
            {
                // rpcgen writes no file that would hold nothing (no client for a .x without programs); the
                // build writes one anyway, so that its outputs are known before it runs and it can be skipped.
                string comment = output == GeneratedOutputs.Wireshark ? "--" : "//";
                string text = result.Files.FirstOrDefault(f => f.Output == output)?.Text
                    ?? $"{comment} <auto-generated/>\n{comment} Generated by NetRpc rpcgen from {inputName}: nothing, as it declares no {(output == GeneratedOutputs.Types ? "constant, type or program" : "program")}.\n";
                File.WriteAllText(path, text);
                written.Add(new Microsoft.Build.Utilities.TaskItem(path));
            }

            // Last: it is an output too, so a build stopped half way leaves it older than the inputs, and the next runs again.
            File.WriteAllLines(settings.DependencyFile, sources.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error("RPCG9005", $"cannot write the code generated from {input}: {e.Message}");
        }

        Log.LogMessage(MessageImportance.Low, $"rpcgen: {input} -> {string.Join(", ", written.Select(w => w.ItemSpec))}");
        return written;
    }

    private void LogDiagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (Diagnostic diagnostic in diagnostics)
        {
            SourceLocation at = diagnostic.Location;
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                Log.LogError(null, diagnostic.Code, null, at.Path, at.Line, at.Column, 0, 0, diagnostic.Message);
            }
            else
            {
                Log.LogWarning(null, diagnostic.Code, null, at.Path, at.Line, at.Column, 0, 0, diagnostic.Message);
            }
        }
    }

    /// <summary>
    /// The item's <c>Baseline</c>: the .x file compared with that earlier version, as <c>rpcgen breaking</c> does. Wire-breaking
    /// changes are errors, so the build fails and generates nothing; the others are warnings, which the project's warning
    /// settings may silence or make errors. The baseline is read through the recording sources, so editing it, or a file
    /// it includes, runs the generation again.
    /// </summary>
    private void Compare(string baseline, string input, ISourceProvider sources, Settings settings)
    {
        CompatibilityResult comparison = RpcgenCompiler.CompareCompatibility(baseline, input, sources, settings.Compiler);
        if (!comparison.Compared)
        {
            Error("RPCG9007", $"RpcGen '{input}': its Baseline '{baseline}' does not compile, so nothing was compared");
            LogDiagnostics(comparison.Old.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            return;
        }

        LogDiagnostics(comparison.Findings.Select(f => f.Diagnostic));
        Log.LogMessage(MessageImportance.Low,
            $"rpcgen: {input} against {baseline}: {comparison.Count(CompatibilityCategory.WireBreaking)} wire-breaking, {comparison.Count(CompatibilityCategory.NewReadersOnly)} compatible for new readers only, {comparison.Count(CompatibilityCategory.SourceBreaking)} source-breaking change(s)");
    }

    /// <summary>An error about the task's inputs, reported at the task in the project file.</summary>
    internal void Error(string code, string message) =>
        Log.LogError(null, code, null, BuildEngine?.ProjectFileOfTaskNode, BuildEngine?.LineNumberOfTaskNode ?? 0, BuildEngine?.ColumnNumberOfTaskNode ?? 0, 0, 0, message);

    /// <summary>One source's metadata, checked.</summary>
    private sealed record Settings(CompilerOptions Compiler, GenerationOptions Generation, string OutputDirectory, string DependencyFile, string? Baseline)
    {
        public static Settings? Read(ITaskItem source, GenerateRpcCode task, WarningOptions projectWarnings)
        {
            string projectDirectory = task.ProjectDirectory;
            string name = source.ItemSpec;
            bool valid = true;
            GeneratedOutputs services = GeneratedOutputs.Types | (Choose(source, "Services", "Both", ["Both", "Client", "Server", "None"]) switch
            {
                "Client" => GeneratedOutputs.Client,
                "Server" => GeneratedOutputs.Server,
                "None" => GeneratedOutputs.None,
                _ => GeneratedOutputs.Client | GeneratedOutputs.Server,
            });
            if (Choose(source, "Wireshark", "false", ["true", "false"]) == "true")
            {
                services |= GeneratedOutputs.Wireshark; // stem.lua, copied to the output folder by the targets
            }

            var access = Choose(source, "Access", "Public", ["Public", "Internal"]) == "Internal" ? GeneratedAccess.Internal : GeneratedAccess.Public;
            var names = Choose(source, "Names", "Pascal", ["Pascal", "Keep"]) == "Keep" ? NameStyle.Keep : NameStyle.Pascal;

            // PooledOpaque: true (all), false or empty (none), or names separated by ; or , (the compiler checks them).
            string pooledValue = source.GetMetadata("PooledOpaque").Trim();
            bool allPooled = pooledValue.Equals("true", StringComparison.OrdinalIgnoreCase);
            string[] pooled = allPooled || pooledValue.Equals("false", StringComparison.OrdinalIgnoreCase)
                ? []
                : pooledValue.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            string? @namespace = source.GetMetadata("Namespace").Trim() is { Length: > 0 } given ? given : null;
            if (@namespace is not null && !GenerationOptions.IsValidNamespace(@namespace))
            {
                task.Error("RPCG9002", $"RpcGen '{name}': Namespace '{@namespace}' is not a C# namespace name, such as My.Protocol");
                valid = false;
            }

            if (@namespace is null && task.DefaultNamespace?.Trim() is { Length: > 0 } root && GenerationOptions.IsValidNamespace(root))
            {
                @namespace = root;
            }

            string outputDirectory = source.GetMetadata("OutputDirectory");
            string dependencyFile = source.GetMetadata("DependencyFile");
            if (outputDirectory.Length == 0 || dependencyFile.Length == 0)
            {
                task.Error("RPCG9003", $"RpcGen '{name}': the OutputDirectory and DependencyFile metadata are required (NetRpc.RpcGen.MSBuild.targets sets them)");
                valid = false;
            }

            var preprocessor = new PreprocessorOptions
            {
                IncludeDirectories = [.. List(source, "IncludeDirectories").Select(d => Path.GetFullPath(d, projectDirectory))],
                Defines = [.. List(source, "Defines").Select(PreprocessorOptions.ParseDefine)],
            };
            return valid
                ? new Settings(
                    new CompilerOptions
                    {
                        Preprocessor = preprocessor,
                        Names = names,
                        Warnings = projectWarnings with { Suppressed = [.. projectWarnings.Suppressed, .. WarningOptions.Codes(source.GetMetadata("NoWarn"))] },
                    },
                    new GenerationOptions
                    {
                        Outputs = services,
                        Namespace = @namespace,
                        Access = access,
                        StreamedProcedures = [.. List(source, "StreamedProcedures")],
                        AllOpaquePooled = allPooled,
                        PooledOpaque = pooled,
                    },
                    Path.GetFullPath(outputDirectory, projectDirectory),
                    Path.GetFullPath(dependencyFile, projectDirectory),
                    source.GetMetadata("Baseline").Trim() is { Length: > 0 } baseline ? Path.GetFullPath(baseline, projectDirectory) : null)
                : null;

            string Choose(ITaskItem item, string metadata, string fallback, string[] allowed)
            {
                string value = item.GetMetadata(metadata).Trim();
                if (value.Length == 0)
                {
                    return fallback;
                }

                if (allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase)) is { } known)
                {
                    return known;
                }

                task.Error("RPCG9001", $"RpcGen '{name}': {metadata} is '{value}'; it takes {string.Join(", ", allowed[..^1])} or {allowed[^1]}");
                valid = false;
                return fallback;
            }
        }

        private static IEnumerable<string> List(ITaskItem item, string metadata) =>
            item.GetMetadata(metadata).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
