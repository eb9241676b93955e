using System.Reflection;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tool;

namespace NetRpc.RpcGen.Tool;

/// <summary>rpcgen's command line. Exit codes: 0 success, 1 diagnostics with errors, 2 bad command line.</summary>
internal static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, new FileSystemSources());

    internal static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Preprocessing.ISourceProvider sources)
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
            stdout.WriteLine($"rpcgen (NetRpc) {typeof(RpcgenCompiler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0"}");
            return 0;
        }

        CheckResult result = RpcgenCompiler.Check(commandLine.Input!, sources, new CompilerOptions { Preprocessor = commandLine.PreprocessorOptions });
        var lines = new SourceLines(sources);
        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            stderr.WriteLine(diagnostic.ToString());
            lines.WriteCaret(stderr, diagnostic.Location);
        }

        int errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        int warnings = result.Diagnostics.Count - errors;
        if (result.Diagnostics.Count > 0)
        {
            stderr.WriteLine($"{errors} error(s), {warnings} warning(s)");
        }

        return errors == 0 ? 0 : 1;
    }
}
