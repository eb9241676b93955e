using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>
/// What is wrong is reported with its stable code, at the line and column a reader would point at. Each case
/// is a small .x file (test.x), the code, and the 1-based line and column of the first diagnostic with that code.
/// </summary>
public class NegativeCaseTests
{
    private const string Program1 = "program P { version V { ";
    private const string ProgramEnd = " } = 1; } = 7;";

    public static TheoryData<string, string, string, int, int> Cases() => new()
    {
        // ---- characters, comments, strings, numbers (RPCG0xxx)
        { "illegal character", "const A = 1;\nconst B = 2 @;\n", "RPCG0002", 2, 13 },
        { "indented passthrough line", "struct s {\n int a;\n};\n  %hello\n", "RPCG0002", 4, 3 },
        { "control character", "const A = 1;\u0001\n", "RPCG0002", 1, 13 },
        { "unterminated comment", "const A = 1;\n/* never closed\nconst B = 2;\n", "RPCG0003", 2, 1 },
        { "unterminated string", "const S = \"abc;\n", "RPCG0004", 1, 11 },
        { "unterminated character constant", "union u switch (int d) { case 'a: void; };", "RPCG0004", 1, 31 },
        { "octal with 8", "const A = 08;", "RPCG0007", 1, 11 },
        { "hex without digits", "const A = 0x;", "RPCG0007", 1, 11 },
        { "letters after digits", "const A = 12abc;", "RPCG0007", 1, 11 },
        { "multi-character constant", "union u switch (int d) { case 'ab': void; };", "RPCG0007", 1, 31 },

        // ---- syntax (RPCG0005)
        { "missing semicolon after a field", "struct s {\n    int a\n};\n", "RPCG0005", 2, 10 },
        { "field without a name", "struct s {\n    int;\n};\n", "RPCG0005", 2, 8 },
        { "keyword as a name", "struct int { int a; };", "RPCG0005", 1, 8 },
        { "empty struct", "struct s { };", "RPCG0005", 1, 12 },
        { "enum with trailing comma", "enum e { A = 1, };", "RPCG0005", 1, 16 },
        { "program without versions", "program P { } = 1;", "RPCG0005", 1, 13 },
        { "version without procedures", "program P { version V { } = 1; } = 7;", "RPCG0005", 1, 25 },
        { "default arm before cases", "union u switch (int d) { default: void; case 1: int x; };", "RPCG0005", 1, 26 },
        { "definition expected", "const A = 1;\nfoo bar;\n", "RPCG0005", 2, 1 },

        // ---- names (RPCG2001-2003, 2015, 2017)
        { "type defined twice", "struct a { int x; };\nstruct a { int y; };", "RPCG2001", 2, 8 },
        { "constant and type share a name", "const a = 1;\ntypedef int a;", "RPCG2001", 2, 13 },
        { "enum member defined twice", "enum e { A };\nenum f { A };", "RPCG2001", 2, 10 },
        { "field declared twice", "struct s {\n int x;\n int x;\n};", "RPCG2001", 3, 6 },
        { "arm named like the discriminant", "union u switch (int d) {\ncase 0: int d;\ndefault: void;\n};", "RPCG2001", 2, 13 },
        { "procedure declared twice", Program1 + "\n void F(void) = 1;\n int F(void) = 2;\n" + ProgramEnd, "RPCG2001", 3, 6 },
        { "version declared twice", "program P {\n version V { void F(void) = 1; } = 1;\n version V { void F(void) = 1; } = 2;\n} = 7;", "RPCG2001", 3, 10 },
        { "argument named twice", Program1 + "int F(int a, int a) = 1;" + ProgramEnd, "RPCG2001", 1, 42 },
        { "undefined type", "struct s { foo x; };", "RPCG2002", 1, 12 },
        { "undefined struct tag", "typedef struct nope x;", "RPCG2002", 1, 16 },
        { "undefined constant as size", "typedef int a[N];", "RPCG2003", 1, 15 },
        { "undefined case label", "union u switch (int d) { case NOPE: void; };", "RPCG2003", 1, 31 },
        { "struct tag naming an enum", "enum e { A };\ntypedef struct e x;", "RPCG2015", 2, 16 },
        { "constant used as a type", "const N = 1;\nstruct s { N x; };", "RPCG2015", 2, 12 },
        { "type used as a value", "typedef int t;\ntypedef int a[t];", "RPCG2015", 2, 15 },
        { "constants defined in terms of each other", "const A = B;\nconst B = A;", "RPCG2017", 1, 7 },

        // ---- numbers of programs, versions, procedures (RPCG2004-2006, 2016)
        { "program version defined twice", "program P { version V { void F(void) = 1; } = 1; } = 7;\nprogram Q { version W { void G(void) = 1; } = 1; } = 7;", "RPCG2004", 2, 21 },
        { "version number used twice", "program P {\n version V1 { void F(void) = 1; } = 1;\n version V2 { void F(void) = 1; } = 1;\n} = 7;", "RPCG2005", 3, 37 },
        { "procedure number used twice", Program1 + "\n void F(void) = 1;\n int G(void) = 1;\n" + ProgramEnd, "RPCG2006", 3, 16 },
        { "enum value beyond int", "enum e { A = 2147483648 };", "RPCG2016", 1, 14 },
        { "enum numbering past int", "enum e { A = 2147483647, B };", "RPCG2016", 1, 26 },
        { "program number beyond unsigned int", "program P { version V { void F(void) = 1; } = 1; } = 4294967296;", "RPCG2016", 1, 54 },
        { "procedure name numbered differently by two versions", "program P {\n version V1 { void F(void) = 1; } = 1;\n version V2 { void F(void) = 2; } = 2;\n} = 7;\nconst X = F;", "RPCG2023", 5, 11 },
        { "negative procedure number", Program1 + "void F(void) = -1;" + ProgramEnd, "RPCG2016", 1, 40 },

        // ---- unions (RPCG2007-2009, 2018)
        { "hyper discriminant", "union u switch (hyper d) {\ncase 0: void;\n};", "RPCG2007", 1, 23 },
        { "struct discriminant", "struct s { int a; };\nunion u switch (s d) { case 0: void; };", "RPCG2007", 2, 19 },
        { "array discriminant", "union u switch (int d[2]) { case 0: void; };", "RPCG2007", 1, 21 },
        { "typedef of hyper as discriminant", "typedef hyper h;\nunion u switch (h d) { case 0: void; };", "RPCG2007", 2, 19 },
        { "case listed twice", "union u switch (int d) {\ncase 1: void;\ncase 1: int x;\n};", "RPCG2008", 3, 6 },
        { "case listed twice through a constant", "const ONE = 1;\nunion u switch (int d) {\ncase 1: void;\ncase ONE: int x;\n};", "RPCG2008", 4, 6 },
        { "bool case other than TRUE or FALSE", "union u switch (bool b) {\ncase 2: void;\n};", "RPCG2009", 2, 6 },
        { "negative case of unsigned", "union u switch (unsigned d) {\ncase -1: void;\n};", "RPCG2009", 2, 6 },
        { "case beyond int", "union u switch (int d) {\ncase 0x80000000: void;\n};", "RPCG2009", 2, 6 },
        { "case not a member of the enum", "enum e { A = 1 };\nunion u switch (e d) {\ncase 5: void;\n};", "RPCG2018", 3, 6 },

        // ---- declarations (RPCG2010-2012)
        { "void field", "struct s { void; };", "RPCG2010", 1, 12 },
        { "named void", "struct s { void x; };", "RPCG2010", 1, 12 },
        { "void typedef", "typedef void;", "RPCG2010", 1, 9 },
        { "void among arguments", Program1 + "int F(void, int) = 1;" + ProgramEnd, "RPCG2010", 1, 31 },
        { "string that is not an array", "typedef string s;", "RPCG2011", 1, 16 },
        { "string as a fixed array", "struct x { string s[10]; };", "RPCG2011", 1, 19 },
        { "opaque that is not an array", "typedef opaque o;", "RPCG2011", 1, 16 },
        { "optional opaque", "struct x { opaque *o; };", "RPCG2011", 1, 20 },
        { "size beyond unsigned int", "typedef int a<4294967296>;", "RPCG2012", 1, 15 },
        { "negative size", "typedef opaque o[-1];", "RPCG2012", 1, 18 },

        // ---- recursion and C# names (RPCG2013, 2014)
        { "structs containing each other", "struct a { b x; };\nstruct b { a y; };", "RPCG2013", 1, 8 },
        { "struct containing fixed array of itself", "struct n { n kids[2]; };", "RPCG2013", 1, 8 },
        { "recursion through a typedef", "typedef a t;\nstruct a { t x; };", "RPCG2013", 1, 11 },
        { "union arm containing its union", "union u switch (int d) { case 0: u inner; default: void; };", "RPCG2013", 1, 7 },
        { "typedef naming an array of itself", "typedef names_t names_t<4>;", "RPCG2013", 1, 17 },
        { "typedefs naming each other through optional data", "typedef b *a;\ntypedef a b<>;", "RPCG2013", 1, 12 },

        // ---- procedures (RPCG2019, 2020)
        { "opaque result", Program1 + "opaque F(void) = 1;" + ProgramEnd, "RPCG2019", 1, 25 },
        { "array argument", Program1 + "int F(int a<>) = 1;" + ProgramEnd, "RPCG2019", 1, 36 },
        { "opaque argument", Program1 + "int F(opaque) = 1;" + ProgramEnd, "RPCG2019", 1, 31 },
        { "pointer to string argument", Program1 + "int F(string *s) = 1;" + ProgramEnd, "RPCG2019", 1, 31 },
        { "string constant as size", "const S = \"abc\";\ntypedef int a[S];", "RPCG2020", 2, 15 },
        { "character constant as size", "typedef int a['x'];", "RPCG2020", 1, 15 },

        // ---- preprocessor, end to end (RPCG1xxx)
        { "missing include", "#include \"missing.x\"\nconst A = 1;\n", "RPCG1014", 1, 10 },
        { "unterminated #if", "#ifdef X\nconst A = 1;\n", "RPCG1004", 1, 1 },
        { "#endif without #if", "const A = 1;\n#endif\n", "RPCG1002", 2, 1 },

        // ---- definitions rpcgen only shows some outputs, and names taken on trust (warnings)
        { "definition only in the header", "#ifdef RPC_HDR\nstruct s { int a; };\n#endif\n", "RPCG2021", 2, 1 },
        { "C type name", "struct s { uint32_t x; };", "RPCG3001", 1, 12 },
        { "size from a %#define line", "#ifdef RPC_HDR\n%#define MAXLEN 4+1\n#endif\ntypedef string s<MAXLEN>;", "RPCG3003", 4, 18 },
        { "C header constant", "union u switch (int d) { case AUTH_SYS: void; default: void; };", "RPCG3002", 1, 31 },
        { "types that collide in C#", "struct foo_bar { int x; };\nstruct FooBar { int y; };", "RPCG2014", 2, 8 },
        { "fields that collide in C#", "struct s {\n int my_field;\n int myField;\n};", "RPCG2014", 3, 6 },
        { "enum members that collide in C#", "enum e { RED_ONE, RedOne };", "RPCG2014", 1, 19 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_rule_at_its_place(string name, string source, string code, int line, int column)
    {
        CheckResult result = Compile.Text(source);
        Diagnostic? diagnostic = result.Diagnostics.FirstOrDefault(d => d.Code == code);
        Assert.True(diagnostic is not null, $"{name}: expected {code}; got:\n{Compile.Describe(result.Diagnostics)}");
        Assert.Equal((Compile.Path, line, column), (diagnostic.Location.Path, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            Assert.True(result.HasErrors);
        }
        else
        {
            Assert.False(result.HasErrors, $"{name}: a warning alone must not fail the file:\n{Compile.Describe(result.Diagnostics)}");
        }
    }

    [Fact]
    public void A_case_that_is_no_member_of_the_enum_is_an_error_and_generates_nothing()
    {
        // RFC 4506 section 4.3: no value but the enum's members may be encoded as the enum, so the arm could never be sent.
        const string Source = "enum e { A = 1, B = 2 };\ntypedef e alias;\nconst FIVE = 5;\nunion u switch (alias d) {\ncase A: int a;\ncase FIVE: void;\n};";
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources([(Compile.Path, Source)]));
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("RPCG2018", DiagnosticSeverity.Error, 6, 6), (diagnostic.Code, diagnostic.Severity, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Empty(result.Files);
    }

    [Fact]
    public void There_are_at_least_forty_cases_covering_every_code_the_front_end_defines()
    {
        var cases = Cases().Select(row => (string)row[2]).ToHashSet(StringComparer.Ordinal);
        Assert.True(Cases().Count() >= 40);
        string[] untested = typeof(DiagnosticDescriptors).GetProperties()
            .Select(p => ((DiagnosticDescriptor)p.GetValue(null)!).Code)
            .Where(c => c.StartsWith("RPCG0", StringComparison.Ordinal) || c.StartsWith("RPCG2", StringComparison.Ordinal) || c.StartsWith("RPCG3", StringComparison.Ordinal))
            .Except(["RPCG0001", "RPCG0006", "RPCG0008", "RPCG2022"]) // covered by HostileInputTests and MacroTests
            .Where(c => !cases.Contains(c))
            .ToArray();
        Assert.Empty(untested);
    }
}
