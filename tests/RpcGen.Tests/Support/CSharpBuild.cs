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
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        SyntaxTree[] trees = [.. files.Where(f => f.Name.EndsWith(".cs", StringComparison.Ordinal)).Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Name))];
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error, warningLevel: 9999);
        CSharpCompilation compilation = CSharpCompilation.Create(assemblyName, trees, s_references.Value, options);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        return [.. result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).Select(d => d.ToString())];
    }
}
