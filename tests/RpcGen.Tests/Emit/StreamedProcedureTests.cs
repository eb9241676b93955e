using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// Procedures marked as streamed (rpcgen --stream, GenerationOptions.StreamedProcedures): YPPROC_ALL's shape, a union on
/// bool with an element for TRUE and void for FALSE, becomes an IAsyncEnumerable of the element on both sides; any other
/// shape, or a name no procedure has, is a clear error.
/// </summary>
public class StreamedProcedureTests
{
    /// <summary>yp.x's YPPROC_ALL, cut down: the result union and the procedure as libnsl's yp.x declares them.</summary>
    private const string Yp = """
        struct ypreq_nokey { string domain<256>; string map<64>; };
        struct ypresp_key_val { int stat; opaque val<1024>; opaque key<1024>; };
        union ypresp_all switch (bool more) {
        case TRUE:
            ypresp_key_val val;
        case FALSE:
            void;
        };
        program YPPROG {
            version YPVERS {
                void YPPROC_NULL(void) = 0;
                ypresp_all YPPROC_ALL(ypreq_nokey) = 8;
            } = 2;
        } = 100004;
        """;

    [Fact]
    public void A_streamed_procedure_is_an_async_enumerable_of_the_true_arm_on_client_and_service()
    {
        IReadOnlyList<GeneratedFile> files = Generate(Yp, ["YPPROC_ALL"], GeneratedOutputs.All);
        string client = files.Single(f => f.Output == GeneratedOutputs.Client).Text;
        string service = files.Single(f => f.Output == GeneratedOutputs.Server).Text;
        Assert.Contains("public global::System.Collections.Generic.IAsyncEnumerable<global::Yp.YprespKeyVal> YpprocAllAsync(global::Yp.YpreqNokey ypreqNokey, global::System.Threading.CancellationToken cancellationToken = default) =>", client, StringComparison.Ordinal);
        Assert.Contains("this.Client.CallStreamAsync<global::Yp.YpreqNokey, global::Yp.YprespKeyVal>(global::Yp.Ypprog.Ypvers.YpprocAll, ypreqNokey, null, cancellationToken);", client, StringComparison.Ordinal);
        Assert.Contains("public virtual global::System.Collections.Generic.IAsyncEnumerable<global::Yp.YprespKeyVal> YpprocAllAsync(global::Yp.YpreqNokey ypreqNokey, global::NetRpc.Runtime.Server.RpcCallContext context) =>\n        throw global::NetRpc.Runtime.Server.RpcReplyException.WithStatus(global::NetRpc.Runtime.Messages.AcceptStatus.ProcedureUnavailable);", service, StringComparison.Ordinal);
        Assert.Contains(".AddStreamedProcedure<global::Yp.YpreqNokey, global::Yp.YprespKeyVal>(global::Yp.Ypprog.Ypvers.YpprocAll, \"YPPROC_ALL\", (arguments, context) => this.YpprocAllAsync(arguments, context))", service, StringComparison.Ordinal);

        // The union itself is still generated, for code that reads the reply whole.
        Assert.Contains("class YprespAll", files.Single(f => f.Output == GeneratedOutputs.Types).Text, StringComparison.Ordinal);
        Assert.Empty(CSharpBuild.Diagnostics(files));
    }

    [Fact]
    public void Without_the_mark_the_procedure_returns_the_union_as_before()
    {
        string client = Generate(Yp, [], GeneratedOutputs.Client).Single().Text;
        Assert.Contains("global::System.Threading.Tasks.Task<global::Yp.YprespAll> YpprocAllAsync(", client, StringComparison.Ordinal);
        Assert.DoesNotContain("IAsyncEnumerable", client, StringComparison.Ordinal);
    }

    [Fact]
    public void An_element_that_is_not_a_class_travels_in_a_wrapper_and_compiles()
    {
        IReadOnlyList<GeneratedFile> files = Generate("""
            typedef string line<80>;
            union lines switch (bool more) { case TRUE: line text; default: void; };
            union numbers switch (bool more) { case FALSE: void; case TRUE: unsigned hyper n; };
            program P { version V { lines READ(int) = 1; numbers COUNT(void) = 2; } = 1; } = 0x20000123;
            """, ["READ", "COUNT"], GeneratedOutputs.All);
        string client = files.Single(f => f.Output == GeneratedOutputs.Client).Text;
        Assert.Contains("public async global::System.Collections.Generic.IAsyncEnumerable<string> ReadAsync(int arg1, [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)", client, StringComparison.Ordinal);
        Assert.Contains("IAsyncEnumerable<ulong> CountAsync(", client, StringComparison.Ordinal);
        Assert.Empty(CSharpBuild.Diagnostics(files));
    }

    [Theory]
    [InlineData("struct r { int a; };", "it is not a union")]
    [InlineData("union r switch (int more) { case 1: int a; case 0: void; };", "is not switched on a bool")]
    [InlineData("union r switch (bool more) { case TRUE: void; case FALSE: int a; };", "has no element for TRUE")]
    [InlineData("union r switch (bool more) { case TRUE: int a; case FALSE: int b; };", "is not void for FALSE")]
    [InlineData("union r switch (bool more) { case TRUE: int a; };", "is not void for FALSE")]
    public void A_result_of_another_shape_cannot_be_streamed(string result, string why)
    {
        GenerateResult generated = RpcgenCompiler.Generate("p.x", new InMemorySources(("p.x", $$"""
            const TRUE = 1;
            const FALSE = 0;
            {{result}}
            program P { version V { r ALL(void) = 1; } = 1; } = 0x20000123;
            """)), generation: new GenerationOptions { StreamedProcedures = ["ALL"] });
        Diagnostic error = Assert.Single(generated.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("RPCG4003", error.Code);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Location.Line);
        Assert.Empty(generated.Files);
    }

    [Fact]
    public void A_name_no_procedure_has_is_an_error()
    {
        GenerateResult generated = RpcgenCompiler.Generate("yp.x", new InMemorySources(("yp.x", Yp)), generation: new GenerationOptions { StreamedProcedures = ["YPPROC_ALL", "YPPROC_EVERYTHING"] });
        Diagnostic error = Assert.Single(generated.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("RPCG4002", error.Code);
        Assert.Contains("YPPROC_EVERYTHING", error.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<GeneratedFile> Generate(string text, string[] streamed, GeneratedOutputs outputs)
    {
        GenerateResult result = RpcgenCompiler.Generate("yp.x", new InMemorySources(("yp.x", text)), generation: new GenerationOptions { Outputs = outputs, StreamedProcedures = streamed });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        return result.Files;
    }
}
