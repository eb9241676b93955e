using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>The shape of generated code for the awkward corners: names, typedefs, inline types, passthrough, docs.</summary>
public class GeneratedShapeTests
{
    [Fact]
    public void Names_that_clash_with_the_type_keywords_or_generated_members_get_a_suffix_and_compile()
    {
        string code = Types("""
            struct thing { int thing; int encode; int decode; int min_encoded_size; string @class<>; };
            struct @event { int @object; int @lock; };
            union choice switch (int choice) { case 1: int from_value; case 2: int of; default: void; };
            program VERSION { version PROGRAM { int VERSION(int) = 1; } = 1; } = 0x20000001;
            """.Replace("@", string.Empty, StringComparison.Ordinal));
        Assert.Contains("public int Thing_ { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public int Encode_ { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public int MinEncodedSize_ { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public string Class { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public sealed partial class Event", code, StringComparison.Ordinal);
        Assert.Contains("public int Choice_ { get; }", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_xdr_names_that_become_one_csharp_name_get_two_names_each_use_its_own_and_a_warning()
    {
        const string x = """
            struct foo_bar { int x; };
            struct FooBar { string y<>; };
            struct uses { foo_bar first; FooBar second; int my_field; int myField; };
            enum colour { RED_ONE = 1, RedOne = 2 };
            """;
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x)));
        Assert.Equal(["RPCG2014", "RPCG2014", "RPCG2014"], result.Diagnostics.Select(d => d.Code));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));

        string code = Types(x);
        Assert.Contains("public sealed partial class FooBar :", code, StringComparison.Ordinal);
        Assert.Contains("public sealed partial class FooBar_ :", code, StringComparison.Ordinal);
        Assert.Contains("public global::Test.FooBar First { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public global::Test.FooBar_ Second { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public int MyField { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public int MyField_ { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("RedOne = 1,", code, StringComparison.Ordinal);
        Assert.Contains("RedOne_ = 2,", code, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_whose_type_is_a_typedef_names_the_typedef_in_its_documentation()
    {
        string code = Types("""
            const FHSIZE = 128;
            /* A file handle. */
            typedef opaque nfs_fh4<FHSIZE>;

            typedef string utf8string<>;
            typedef utf8string component4;
            typedef struct { int a; } inline_t;
            struct lookup_args {
                nfs_fh4 dir;
                /* The name to look up. */
                component4 name;
                inline_t other;
                int plain;
            };
            union lookup_res switch (int status) { case 0: nfs_fh4 object; default: void; };
            """);
        Assert.Contains("""
                /// <summary><c>nfs_fh4 dir</c>.</summary>
                /// <remarks>
                /// .x type: <c>nfs_fh4</c>, from <c>typedef opaque nfs_fh4&lt;FHSIZE&gt;</c>.
                /// A file handle.
                /// </remarks>
                public byte[] Dir { get; set; }
            """, code, StringComparison.Ordinal);
        Assert.Contains("""
                /// <summary>The name to look up.</summary>
                /// <remarks>
                /// XDR: <c>component4 name</c>.
                /// .x type: <c>component4</c>, from <c>typedef utf8string component4</c>.
                /// </remarks>
                public string Name { get; set; }
            """, code, StringComparison.Ordinal);
        Assert.Contains("""
                /// <remarks>
                /// .x type: <c>nfs_fh4</c>, from <c>typedef opaque nfs_fh4&lt;FHSIZE&gt;</c>.
                /// A file handle.
                /// </remarks>
                /// <exception cref="global::System.InvalidOperationException">
            """, code, StringComparison.Ordinal);

        // A typedef that names a C# type of its own, and a type that is no typedef, need no such note.
        Assert.DoesNotContain("from <c>typedef struct", code, StringComparison.Ordinal);
        Assert.Equal(3, code.Split(".x type:").Length - 1);
    }

    [Fact]
    public void Keep_names_keeps_them_and_escapes_keywords()
    {
        string code = Types("struct event { int object; int Encode; };", NameStyle.Keep);
        Assert.Contains("public sealed partial class @event", code, StringComparison.Ordinal);
        Assert.Contains("public int @object { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public int Encode_ { get; set; }", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Typedefs_name_no_type_and_carry_their_limits_to_every_use()
    {
        string code = Types("""
            typedef string name<8>;
            typedef name names<2>;
            typedef names *maybe_names;
            typedef unsigned hyper u64;
            struct s { name n; names ns; maybe_names m; u64 big; };
            """);
        Assert.DoesNotContain("class Name", code, StringComparison.Ordinal);
        Assert.Contains("public string N { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public string[] Ns { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public string[]? M { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("public ulong Big { get; set; }", code, StringComparison.Ordinal);
        Assert.Contains("reader.ReadString(8)", code, StringComparison.Ordinal);
        Assert.Contains("reader.ReadArrayCount(2, 4)", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Types_written_in_place_become_nested_types()
    {
        string code = Types("""
            struct outer {
                struct { int a; } inner;
                union switch (enum { ONE = 1, TWO = 2 } kind) { case ONE: int x; case TWO: void; } u;
            };
            typedef struct { int y; } alias_struct;
            """);
        Assert.Contains("public sealed partial class InnerType", code, StringComparison.Ordinal);
        Assert.Contains("public sealed partial class UType", code, StringComparison.Ordinal);
        Assert.Contains("public enum KindType", code, StringComparison.Ordinal);
        Assert.Contains("public sealed partial class AliasStruct", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_before_definitions_become_xml_documentation_and_a_file_header_does_not()
    {
        string code = Types("""
            /* The file's header. */

            /* A point & its <coordinates>. */
            struct point {
                int x; /* across */
                /* down */
                int y;
            };
            """);
        Assert.DoesNotContain("header", code, StringComparison.Ordinal);
        Assert.Contains("/// <summary>A point &amp; its &lt;coordinates&gt;.</summary>", code, StringComparison.Ordinal);
        Assert.Contains("/// <summary>across</summary>", code, StringComparison.Ordinal);
        Assert.Contains("/// <summary>down</summary>", code, StringComparison.Ordinal);
    }

    [Fact]
    public void C_passthrough_becomes_comments_and_csharp_passthrough_is_kept()
    {
        string code = Types("""
            %#include <stdint.h>
            #ifdef RPC_CSHARP
            %/// <summary>Passed through.</summary>
            %public static partial class Extras
            %{
            %    /// <summary>The answer.</summary>
            %    public const int Answer = 42;
            %}
            #endif
            #ifdef RPC_HDR
            %#define ONLY_IN_THE_HEADER 1
            #endif
            struct s { int x; };
            """);
        Assert.Contains("// %#include <stdint.h>", code, StringComparison.Ordinal);
        Assert.Contains("// %#define ONLY_IN_THE_HEADER 1", code, StringComparison.Ordinal);
        Assert.Contains("\npublic static partial class Extras\n{\n    /// <summary>The answer.</summary>\n    public const int Answer = 42;\n}\n", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Optional_data_of_optional_data_has_no_csharp_form()
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, "typedef int *p; struct s { p *q; };")));
        Diagnostic error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("RPCG4001", error.Code);
        Assert.Empty(result.Files);
    }

    [Fact]
    public void Constants_take_the_smallest_type_that_holds_them_and_strings_are_decoded()
    {
        string code = Types("""
            const SMALL = 10;
            const HEX = 0x80000000;
            const BIG = 0x100000000;
            const NEG = -5;
            const TEXT = "a\tb\101";
            """);
        Assert.Contains("public const int Small = 10;", code, StringComparison.Ordinal);
        Assert.Contains("public const uint Hex = 0x80000000;", code, StringComparison.Ordinal);
        Assert.Contains("public const long Big = 0x100000000;", code, StringComparison.Ordinal);
        Assert.Contains("public const int Neg = -5;", code, StringComparison.Ordinal);
        Assert.Contains("public const string Text = \"a\\tbA\";", code, StringComparison.Ordinal);
    }

    /// <summary>Generates everything for a .x text, compiles it (no diagnostics allowed), and returns the types file.</summary>
    private static string Types(string x, NameStyle names = NameStyle.Pascal)
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, x)), new CompilerOptions { Names = names }, new GenerationOptions { Outputs = GeneratedOutputs.All });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        string[] diagnostics = CSharpBuild.Diagnostics(result.Files);
        Assert.True(diagnostics.Length == 0, string.Join('\n', diagnostics) + "\n" + string.Join("\n", result.Files.Select(f => f.Text)));
        return result.Files.Single(f => f.Output == GeneratedOutputs.Types).Text;
    }
}
