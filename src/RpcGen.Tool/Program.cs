using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tool;

/// <summary>
/// rpcgen's command line. Exit codes: 0 success, 1 errors in the input (or a file it will not overwrite), 2 bad command line.
/// <c>rpcgen breaking OLD.x NEW.x</c>: 0 nothing breaks the wire, 1 something does, 2 bad command line or a file with errors.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, new FileSystemSources());

    internal static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, ISourceProvider sources)
    {
        CommandLine commandLine = CommandLine.Parse(args);
        if (commandLine.Error is { } error)
        {
            stderr.WriteLine($"rpcgen: {error}");
            stderr.WriteLine(CommandLine.Usage);
            return 2;
        }

        if (commandLine.Help)
        {
            stdout.WriteLine(CommandLine.Usage);
            return 0;
        }

        if (commandLine.Version)
        {
            stdout.WriteLine($"rpcgen (NetRpc) {RpcgenCompiler.Version}");
            return 0;
        }

        if (commandLine.Breaking)
        {
            return Breaking(commandLine, stdout, stderr, sources);
        }

        string input = commandLine.Input!;
        var options = new CompilerOptions { Preprocessor = commandLine.PreprocessorOptions, Names = commandLine.Names, Warnings = commandLine.Warnings };
        IReadOnlyList<Diagnostic> diagnostics;
        IReadOnlyList<GeneratedFile> files = [];
        if (commandLine.Check)
        {
            diagnostics = RpcgenCompiler.Check(input, sources, options).Diagnostics;
        }
        else
        {
            var generation = new GenerationOptions
            {
                Outputs = commandLine.Single ?? (commandLine.All ? GeneratedOutputs.All : GeneratedOutputs.Default),
                Namespace = commandLine.Namespace,
                Access = commandLine.Access,
                StreamedProcedures = commandLine.StreamedProcedures,
                AllOpaquePooled = commandLine.AllOpaquePooled,
                PooledOpaque = commandLine.PooledOpaque,
            };
            GenerateResult result = RpcgenCompiler.Generate(input, sources, options, generation);
            diagnostics = result.Diagnostics;
            files = result.Files;
        }

        if (Report(diagnostics, stderr, sources))
        {
            return 1;
        }

        return commandLine.Check ? 0 : Write(commandLine, files, stdout, stderr);
    }

    /// <summary>
    /// <c>rpcgen breaking OLD.x NEW.x</c>: one line per change, in the compiler's diagnostic form, on standard output, then a
    /// summary. Wire-breaking changes fail (status 1), and so do the ones --strict and --source add, and any warning
    /// --warnaserror makes an error. A file that does not compile is status 2, with its errors on standard error.
    /// </summary>
    private static int Breaking(CommandLine commandLine, TextWriter stdout, TextWriter stderr, ISourceProvider sources)
    {
        var options = new CompilerOptions { Preprocessor = commandLine.PreprocessorOptions, Warnings = commandLine.Warnings };
        CompatibilityResult result = RpcgenCompiler.CompareCompatibility(commandLine.Baseline!, commandLine.Input!, sources, options);
        if (!result.Compared)
        {
            foreach ((string which, string path, CheckResult check) in new[] { ("old", commandLine.Baseline!, result.Old), ("new", commandLine.Input!, result.New) })
            {
                if (check.HasErrors || check.Specification is null)
                {
                    stderr.WriteLine($"rpcgen: the {which} file '{path}' does not compile; nothing was compared");
                    Report([.. check.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)], stderr, sources);
                }
            }

            return 2;
        }

        foreach (CompatibilityFinding finding in result.Findings)
        {
            stdout.WriteLine(finding.ToString());
        }

        int wire = result.Count(CompatibilityCategory.WireBreaking);
        int newReaders = result.Count(CompatibilityCategory.NewReadersOnly);
        int source = result.Count(CompatibilityCategory.SourceBreaking);
        stdout.WriteLine($"{wire} wire-breaking, {newReaders} compatible for new readers only, {source} source-breaking change(s): {commandLine.Baseline} -> {commandLine.Input}");
        bool fails = result.Findings.Any(f => f.Diagnostic.Severity == DiagnosticSeverity.Error
            || (commandLine.FailOnNewReadersOnly && f.Category == CompatibilityCategory.NewReadersOnly)
            || (commandLine.FailOnSourceBreaking && f.Category == CompatibilityCategory.SourceBreaking));
        return fails ? 1 : 0;
    }

    /// <summary>Prints the diagnostics; true when there were errors.</summary>
    private static bool Report(IReadOnlyList<Diagnostic> diagnostics, TextWriter stderr, ISourceProvider sources)
    {
        var lines = new SourceLines(sources);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            stderr.WriteLine(diagnostic.ToString());
            lines.WriteCaret(stderr, diagnostic.Location);
        }

        int errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (diagnostics.Count > 0)
        {
            stderr.WriteLine($"{errors} error(s), {diagnostics.Count - errors} warning(s)");
        }

        return errors > 0;
    }

    /// <summary>Writes the files as rpcgen would: one to standard output or -o (never overwritten), or all beside the input.</summary>
    private static int Write(CommandLine commandLine, IReadOnlyList<GeneratedFile> files, TextWriter stdout, TextWriter stderr)
    {
        if (commandLine.Single is not null)
        {
            string text = files.Count == 0 ? string.Empty : files[0].Text;
            if (commandLine.Output is not { } output)
            {
                stdout.Write(text);
                return 0;
            }

            if (File.Exists(output))
            {
                stderr.WriteLine($"rpcgen: file '{output}' already exists and may be overwritten");
                return 1;
            }

            return TryWrite(output, text, stderr) ? 0 : 1;
        }

        string directory = Path.GetDirectoryName(commandLine.Input) ?? string.Empty;
        // Samples are edited by hand: -a refuses to overwrite one, before it writes anything.
        foreach (GeneratedFile file in files.Where(f => f.Output is GeneratedOutputs.SampleClient or GeneratedOutputs.SampleServer or GeneratedOutputs.SampleProject))
        {
            string path = Path.Combine(directory, file.Name);
            if (File.Exists(path))
            {
                stderr.WriteLine($"rpcgen: file '{path}' already exists and may be overwritten");
                return 1;
            }
        }

        foreach (GeneratedFile file in files)
        {
            if (!TryWrite(Path.Combine(directory, file.Name), file.Text, stderr))
            {
                return 1;
            }
        }

        return 0;
    }

    private static bool TryWrite(string path, string text, TextWriter stderr)
    {
        try
        {
            File.WriteAllText(path, text);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rpcgen: cannot write '{path}': {e.Message}");
            return false;
        }
    }
}
