using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetRpc.RpcGen.Emit;

namespace NetRpc.RpcGen.Tests.Support;

/// <summary>
/// Compiles generated C# in memory against the .NET runtime, NetRpc.Xdr and NetRpc.Runtime, as a project with
/// nullable reference types on, XML documentation checked and every warning an error would.
/// </summary>
internal static class CSharpBuild
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(NetRpc.Xdr.XdrReader).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(NetRpc.Runtime.Client.RpcClient).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILoggerFactory).Assembly.Location),
    ]);

    /// <summary>The errors and warnings of compiling <paramref name="files"/> (.cs files only), as text.</summary>
    public static string[] Diagnostics(IEnumerable<GeneratedFile> files, string assemblyName = "Generated")
    {
        using var stream = new MemoryStream();
        return Compile(files, assemblyName, stream);
    }

    /// <summary>Compiles <paramref name="files"/> and loads the assembly, to run the generated code.</summary>
    /// <exception cref="InvalidOperationException">It did not compile cleanly.</exception>
    public static System.Reflection.Assembly Load(IEnumerable<GeneratedFile> files, string assemblyName)
    {
        using var stream = new MemoryStream();
        string[] diagnostics = Compile(files, assemblyName, stream);
        if (diagnostics.Length > 0)
        {
            throw new InvalidOperationException(string.Join('\n', diagnostics));
        }

        stream.Position = 0;
        return System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(stream);
    }

    private static string[] Compile(IEnumerable<GeneratedFile> files, string assemblyName, MemoryStream stream)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        SyntaxTree[] trees = [.. files.Where(f => f.Name.EndsWith(".cs", StringComparison.Ordinal)).Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Name))];
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error, warningLevel: 9999);
        CSharpCompilation compilation = CSharpCompilation.Create(assemblyName, trees, s_references.Value, options);
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        return [.. result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).Select(d => d.ToString())];
    }
}
