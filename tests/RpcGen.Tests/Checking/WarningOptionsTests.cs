using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>
/// What the hosts' NoWarn and warnings-as-errors settings do to the compiler's diagnostics: suppressed warnings go,
/// promoted ones are errors under their own code and stop generation, errors stay errors whatever is asked.
/// </summary>
public class WarningOptionsTests
{
    // RPCG3001 (uint32_t) and RPCG3002 (AUTH_SYS), both warnings.
    private const string Trusting = "struct s { uint32_t a; };\nunion u switch (int d) { case AUTH_SYS: void; default: void; };\n";

    [Fact]
    public void Debian_yp_x_generates_with_every_warning_an_error()
    {
        string yp = Path.Combine(Corpus.RepositoryRoot!, "tests/RpcRuntime.Tests/Yp/yp.x");
        var options = new CompilerOptions { Warnings = new WarningOptions { AllAsErrors = true } };
        GenerateResult result = RpcgenCompiler.Generate(yp, new DiskSources(), options, new() { StreamedProcedures = ["YPPROC_ALL"] });
        Assert.True(result.Diagnostics.Count == 0, Compile.Describe(result.Diagnostics));
        Assert.Equal(3, result.Files.Count);
    }

    [Fact]
    public void Every_warning_an_error_makes_them_errors_under_their_codes_and_generates_nothing()
    {
        GenerateResult result = Generate(Trusting, new WarningOptions { AllAsErrors = true });
        Assert.Equal([("RPCG3001", DiagnosticSeverity.Error), ("RPCG3002", DiagnosticSeverity.Error)], result.Diagnostics.Select(d => (d.Code, d.Severity)));
        Assert.True(result.HasErrors);
        Assert.Empty(result.Files);
    }

    [Fact]
    public void Suppressed_warnings_are_not_reported_and_the_rest_are()
    {
        GenerateResult result = Generate(Trusting, new WarningOptions { Suppressed = WarningOptions.Codes("rpcg3001") });
        Assert.Equal([("RPCG3002", DiagnosticSeverity.Warning)], result.Diagnostics.Select(d => (d.Code, d.Severity)));
        Assert.NotEmpty(result.Files);
    }

    [Fact]
    public void Listed_warnings_are_errors_and_exceptions_stay_warnings()
    {
        Assert.Equal(
            [("RPCG3001", DiagnosticSeverity.Warning), ("RPCG3002", DiagnosticSeverity.Error)],
            Generate(Trusting, new WarningOptions { AsErrors = ["RPCG3002"] }).Diagnostics.Select(d => (d.Code, d.Severity)));
        Assert.Equal(
            [("RPCG3001", DiagnosticSeverity.Error), ("RPCG3002", DiagnosticSeverity.Warning)],
            Generate(Trusting, new WarningOptions { AllAsErrors = true, NotAsErrors = ["RPCG3002"] }).Diagnostics.Select(d => (d.Code, d.Severity)));
    }

    [Fact]
    public void An_error_cannot_be_suppressed()
    {
        const string Source = "enum e { A = 1 };\nunion u switch (e d) { case 5: void; };\n";
        GenerateResult result = Generate(Source, new WarningOptions { Suppressed = ["RPCG2018"], NotAsErrors = ["RPCG2018"] });
        Assert.Equal(("RPCG2018", DiagnosticSeverity.Error), (Assert.Single(result.Diagnostics).Code, result.Diagnostics[0].Severity));
        Assert.Empty(result.Files);
    }

    [Fact]
    public void Code_lists_are_split_as_msbuild_and_csc_write_them()
    {
        Assert.Equal(["1701", "RPCG3001", "RPCG3002", "RPCG3003"], WarningOptions.Codes("1701;RPCG3001, RPCG3002;;RPCG3003 "));
        Assert.Empty(WarningOptions.Codes(null));
    }

    private static GenerateResult Generate(string source, WarningOptions warnings) =>
        RpcgenCompiler.Generate(Compile.Path, new InMemorySources([(Compile.Path, source)]), new CompilerOptions { Warnings = warnings });
}
