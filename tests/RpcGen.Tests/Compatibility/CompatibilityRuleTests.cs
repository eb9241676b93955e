using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>
/// One old/new pair per rule of the compatibility checker: each change is reported once, with its code and category,
/// at the place an <c>@</c> marks in the new file, naming the place an <c>@</c> marks in the old one.
/// </summary>
public class CompatibilityRuleTests
{
    private const string Prog = "\nprogram P { version V { void F(s) = 1; } = 1; } = 0x20000001;\n";
    private const string Wire = nameof(CompatibilityCategory.WireBreaking);
    private const string NewReaders = nameof(CompatibilityCategory.NewReadersOnly);
    private const string Source = nameof(CompatibilityCategory.SourceBreaking);

    public static TheoryData<string, string, string, string, string> Cases() => new()
    {
        // ---- wire-breaking: programs, versions, procedures (RFC 5531)
        {
            "program removed", "RPCG5001", Wire,
            "program @P { version V { void F(void) = 1; } = 1; } = 0x20000001;",
            "@program Q { version W { void G(void) = 1; } = 1; } = 0x20000002;"
        },
        {
            "program renumbered", "RPCG5002", Wire,
            "program @P { version V { void F(void) = 1; } = 1; } = 0x20000001;",
            "program @P { version V { void F(void) = 1; } = 1; } = 0x20000002;"
        },
        {
            "version removed", "RPCG5003", Wire,
            "program P {\n version V1 { void F(void) = 1; } = 1;\n version @V2 { void F(void) = 1; } = 2;\n} = 0x20000001;",
            "program @P {\n version V1 { void F(void) = 1; } = 1;\n} = 0x20000001;"
        },
        {
            "version renumbered", "RPCG5004", Wire,
            "program P {\n version V1 { void F(void) = 1; } = 1;\n version @V2 { void F(void) = 1; } = 2;\n} = 0x20000001;",
            "program P {\n version V1 { void F(void) = 1; } = 1;\n version @V2 { void F(void) = 1; } = 3;\n} = 0x20000001;"
        },
        {
            "procedure removed", "RPCG5005", Wire,
            "program P { version V {\n void F(void) = 1;\n void @G(void) = 2;\n} = 1; } = 0x20000001;",
            "program P { version @V {\n void F(void) = 1;\n} = 1; } = 0x20000001;"
        },
        {
            "procedure renumbered", "RPCG5006", Wire,
            "program P { version V {\n void F(void) = 1;\n void @G(void) = 2;\n} = 1; } = 0x20000001;",
            "program P { version V {\n void F(void) = 1;\n void @G(void) = 3;\n} = 1; } = 0x20000001;"
        },

        // ---- wire-breaking: declarations (RFC 4506)
        {
            "argument retyped", "RPCG5007", Wire,
            "program P { version V { void F(int @a) = 1; } = 1; } = 0x20000001;",
            "program P { version V { void F(hyper @a) = 1; } = 1; } = 0x20000001;"
        },
        {
            "result retyped", "RPCG5007", Wire,
            "program P { version V { @int F(void) = 1; } = 1; } = 0x20000001;",
            "program P { version V { @unsigned int F(void) = 1; } = 1; } = 0x20000001;"
        },
        {
            "field retyped", "RPCG5007", Wire,
            "struct s {\n int a;\n int @b;\n};" + Prog,
            "struct s {\n int a;\n hyper @b;\n};" + Prog
        },
        {
            "field added", "RPCG5008", Wire,
            "struct @s {\n int a;\n};" + Prog,
            "struct s {\n int a;\n int @b;\n};" + Prog
        },
        {
            "argument added", "RPCG5008", Wire,
            "program P { version V { void @F(int a) = 1; } = 1; } = 0x20000001;",
            "program P { version V { void F(int a, int @b) = 1; } = 1; } = 0x20000001;"
        },
        {
            "field removed", "RPCG5009", Wire,
            "struct s {\n int a;\n int @b;\n};" + Prog,
            "struct @s {\n int a;\n};" + Prog
        },
        {
            "field reordered", "RPCG5010", Wire,
            "struct s {\n int a;\n int @b;\n};" + Prog,
            "struct s {\n int @b;\n int a;\n};" + Prog
        },
        {
            "enum value changed", "RPCG5011", Wire,
            "enum e {\n A = 1,\n @B = 2\n};",
            "enum e {\n A = 1,\n @B = 3\n};"
        },
        {
            "enum value removed", "RPCG5012", Wire,
            "enum e {\n A = 1,\n @B = 2\n};",
            "enum @e {\n A = 1\n};"
        },
        {
            "union case removed", "RPCG5013", Wire,
            "union u switch (int d) {\n case 1: int a;\n case @2: hyper b;\n};",
            "union @u switch (int d) {\n case 1: int a;\n};"
        },
        {
            "union case taken from the default arm", "RPCG5014", Wire,
            "union u switch (int d) {\n case 1: int a;\n default: @void;\n};",
            "union u switch (int d) {\n case 1: int a;\n case @2: hyper b;\n default: void;\n};"
        },
        {
            "union default arm removed", "RPCG5015", Wire,
            "union u switch (int d) {\n case 1: int a;\n default: @void;\n};",
            "union @u switch (int d) {\n case 1: int a;\n};"
        },
        {
            "union default arm retyped", "RPCG5007", Wire,
            "union u switch (int d) {\n case 1: int a;\n default: int @b;\n};",
            "union u switch (int d) {\n case 1: int a;\n default: hyper @b;\n};"
        },
        {
            "union arm retyped", "RPCG5007", Wire,
            "union u switch (int d) {\n case 1: int @a;\n};",
            "union u switch (int d) {\n case 1: hyper @a;\n};"
        },
        {
            "union discriminant retyped", "RPCG5007", Wire,
            "union u switch (int @d) {\n case 1: int a;\n};",
            "union u switch (unsigned int @d) {\n case 1: int a;\n};"
        },
        {
            "fixed-length opaque made variable", "RPCG5016", Wire,
            "struct s {\n opaque @a[8];\n};",
            "struct s {\n opaque @a<8>;\n};"
        },
        {
            "variable-length array made fixed", "RPCG5016", Wire,
            "struct s {\n int @a<2>;\n};",
            "struct s {\n int @a[2];\n};"
        },
        {
            "opaque made a string", "RPCG5017", Wire,
            "struct s { opaque @a<8>; };",
            "struct s { string @a<8>; };"
        },
        {
            "optional removed", "RPCG5018", Wire,
            "struct s { int *@a; };",
            "struct s { int @a; };"
        },
        {
            "optional added", "RPCG5018", Wire,
            "struct t { int x; };\nstruct s { t @a; };",
            "struct t { int x; };\nstruct s { t *@a; };"
        },
        {
            "maximum lowered", "RPCG5019", Wire,
            "struct s { string @a<255>; };",
            "struct s { string @a<64>; };"
        },
        {
            "maximum given to an unbounded array", "RPCG5019", Wire,
            "struct s { int @a<>; };",
            "struct s { int @a<100>; };"
        },
        {
            "fixed length changed", "RPCG5020", Wire,
            "struct s { opaque @a[8]; };",
            "struct s { opaque @a[16]; };"
        },
        {
            "fixed array length changed", "RPCG5020", Wire,
            "struct s { int @a[2]; };",
            "struct s { int @a[3]; };"
        },
        {
            "integer narrowed", "RPCG5021", Wire,
            "struct s { int @a; };",
            "struct s { short @a; };"
        },
        {
            "unused constant changed", "RPCG5022", Wire,
            "const @FLAG = 1;",
            "const @FLAG = 2;"
        },

        // ---- wire-compatible for new readers only
        {
            "enum value added", "RPCG5041", NewReaders,
            "enum @e {\n A = 1\n};",
            "enum e {\n A = 1,\n @B = 2\n};"
        },
        {
            "union case added without a default arm", "RPCG5042", NewReaders,
            "union @u switch (int d) {\n case 1: int a;\n};",
            "union u switch (int d) {\n case 1: int a;\n case @2: hyper b;\n};"
        },
        {
            "union default arm added", "RPCG5043", NewReaders,
            "union @u switch (int d) {\n case 1: int a;\n};",
            "union u switch (int d) {\n case 1: int a;\n default: @void;\n};"
        },
        {
            "maximum raised", "RPCG5044", NewReaders,
            "struct s { string @a<64>; };",
            "struct s { string @a<255>; };"
        },
        {
            "maximum removed", "RPCG5044", NewReaders,
            "struct s { opaque @a<64>; };",
            "struct s { opaque @a<>; };"
        },
        {
            "integer widened", "RPCG5045", NewReaders,
            "struct s { unsigned char @a; };",
            "struct s { unsigned int @a; };"
        },

        // ---- source-breaking only
        {
            "program renamed", "RPCG5061", Source,
            "program @P { version V { void F(void) = 1; } = 1; } = 0x20000001;",
            "program @Q { version V { void F(void) = 1; } = 1; } = 0x20000001;"
        },
        {
            "version renamed", "RPCG5062", Source,
            "program P { version @V { void F(void) = 1; } = 1; } = 0x20000001;",
            "program P { version @W { void F(void) = 1; } = 1; } = 0x20000001;"
        },
        {
            "procedure renamed", "RPCG5063", Source,
            "program P { version V { void @F(void) = 1; } = 1; } = 0x20000001;",
            "program P { version V { void @G(void) = 1; } = 1; } = 0x20000001;"
        },
        {
            "type renamed", "RPCG5064", Source,
            "struct @s { int a; };\nprogram P { version V { void F(s) = 1; } = 1; } = 0x20000001;",
            "struct @t { int a; };\nprogram P { version V { void F(t) = 1; } = 1; } = 0x20000001;"
        },
        {
            "struct made a typedef of an anonymous struct of another name", "RPCG5064", Source,
            "struct @s { int a; };" + Prog,
            "typedef struct { int a; } @s2;\ntypedef s2 s;" + Prog
        },
        {
            "field renamed", "RPCG5065", Source,
            "struct s { int @a; };",
            "struct s { int @b; };"
        },
        {
            "discriminant renamed", "RPCG5065", Source,
            "union u switch (int @d) { case 1: int a; };",
            "union u switch (int @k) { case 1: int a; };"
        },
        {
            "argument renamed", "RPCG5065", Source,
            "program P { version V { void F(int @a) = 1; } = 1; } = 0x20000001;",
            "program P { version V { void F(int @b) = 1; } = 1; } = 0x20000001;"
        },
        {
            "enum member renamed", "RPCG5066", Source,
            "enum e { @A = 1 };",
            "enum e { @B = 1 };"
        },
        {
            "union arm renamed", "RPCG5067", Source,
            "union u switch (int d) { case 1: int @a; };",
            "union u switch (int d) { case 1: int @b; };"
        },
        {
            "struct wrapped around a field", "RPCG5068", Source,
            "struct s { int @a; };",
            "struct w { int v; };\nstruct s { w @a; };"
        },
        {
            "optional data made an array of at most one", "RPCG5068", Source,
            "struct s { int *@a; };",
            "struct s { int @a<1>; };"
        },
        {
            "fields moved into a struct of their own", "RPCG5068", Source,
            "struct @s { int a; int b; int c; };" + Prog,
            "struct pair { int a; int b; };\nstruct @s { pair ab; int c; };" + Prog
        },
        {
            "arguments made a struct", "RPCG5068", Source,
            "program P { version V { void @F(int a, hyper b) = 1; } = 1; } = 0x20000001;",
            "struct args { int a; hyper b; };\nprogram P { version V { void @F(args x) = 1; } = 1; } = 0x20000001;"
        },
        {
            "union case moved into a default arm of its encoding", "RPCG5068", Source,
            "union u switch (int d) {\n case 1: int a;\n case @2: void;\n default: void;\n};",
            "union u switch (int d) {\n case 1: int a;\n default: @void;\n};"
        },
        {
            "union case given an arm of its own of the default arm's encoding", "RPCG5068", Source,
            "union u switch (int d) {\n case 1: int a;\n default: @void;\n};",
            "union u switch (int d) {\n case 1: int a;\n case @2: void;\n default: void;\n};"
        },
        {
            "bool made an enum of the same values", "RPCG5068", Source,
            "enum yesno { NO = 0, YES = 1 };\nstruct s { bool @b; };",
            "enum yesno { NO = 0, YES = 1 };\nstruct s { yesno @b; };"
        },
        {
            "type removed that no procedure sends", "RPCG5069", Source,
            "struct @gone { int a; };\nstruct kept { int b; };",
            "@struct kept { int b; };"
        },
        {
            "typedef removed, its wire kept", "RPCG5069", Source,
            "typedef unsigned int @count3;\nstruct s { count3 n; };" + Prog,
            "@struct s { unsigned int n; };" + Prog
        },
        {
            "constant removed", "RPCG5070", Source,
            "const @MAXLEN = 10;\nconst OTHER = 1;",
            "@const OTHER = 1;"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_change_is_reported_once_with_its_code_category_and_places(string change, string code, string category, string oldMarked, string newMarked)
    {
        (string oldText, int oldLine, int oldColumn) = Compare.Marked(oldMarked);
        (string newText, int newLine, int newColumn) = Compare.Marked(newMarked);
        CompatibilityFinding finding = Compare.Single(Compare.Texts(oldText, newText));

        Assert.True(code == finding.Code, $"{change}: {finding}");
        Assert.Equal(Enum.Parse<CompatibilityCategory>(category), finding.Category);
        Assert.Equal(new SourceLocation(Compare.NewPath, newLine, newColumn), finding.Location);
        Assert.Equal(new SourceLocation(Compare.OldPath, oldLine, oldColumn), finding.OldLocation);
        Assert.Contains($"(old: {finding.OldLocation})", finding.Diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("RFC ", finding.Diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(category == Wire ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, finding.Diagnostic.Severity);
    }

    [Fact]
    public void Every_compatibility_code_has_a_case_here()
    {
        string[] codes = [.. typeof(DiagnosticDescriptors).GetProperties().Select(p => (DiagnosticDescriptor)p.GetValue(null)!)
            .Select(d => d.Code).Where(CompatibilityCategories.IsCompatibilityCode).Order(StringComparer.Ordinal)];
        string[] covered = [.. Cases().Select(c => (string)c[1]).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(codes, covered);
    }

    [Fact]
    public void Wire_breaking_codes_are_errors_and_the_others_warnings()
    {
        foreach (DiagnosticDescriptor descriptor in typeof(DiagnosticDescriptors).GetProperties().Select(p => (DiagnosticDescriptor)p.GetValue(null)!)
            .Where(d => CompatibilityCategories.IsCompatibilityCode(d.Code)))
        {
            CompatibilityCategory category = CompatibilityCategories.Of(descriptor);
            Assert.True((category == CompatibilityCategory.WireBreaking) == (descriptor.Severity == DiagnosticSeverity.Error), descriptor.Code);
        }

        Assert.Throws<ArgumentException>(() => CompatibilityCategories.Of(DiagnosticDescriptors.SyntaxError));
    }
}
