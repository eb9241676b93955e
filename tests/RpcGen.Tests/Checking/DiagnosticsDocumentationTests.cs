using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>docs/diagnostics.md lists exactly the codes the compiler has, with their severity and title.</summary>
public class DiagnosticsDocumentationTests
{
    [Fact]
    public void Every_code_is_documented_and_every_documented_code_exists()
    {
        string docs = File.ReadAllText(Path.Combine(Corpus.RepositoryRoot!, "docs", "diagnostics.md"));
        DiagnosticDescriptor[] descriptors = [.. typeof(DiagnosticDescriptors).GetProperties().Select(p => (DiagnosticDescriptor)p.GetValue(null)!)];

        string[] rows = [.. docs.Split('\n').Where(l => l.StartsWith("| RPCG", StringComparison.Ordinal))];
        string[] expected = [.. descriptors.OrderBy(d => d.Code, StringComparer.Ordinal)
            .Select(d => $"| {d.Code} | {d.Severity} | {d.Title.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)} |")];
        Assert.Equal(expected, rows);
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Code).Distinct().Count());
    }
}
