using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Checking;

/// <summary>The checked model says what the file means: values evaluated, names resolved, forms classified.</summary>
public class ModelTests
{
    [Fact]
    public void Constants_are_evaluated_in_every_notation_and_through_forward_references()
    {
        Specification spec = Compile.Clean("""
            const DEC = 42;
            const NEG = -7;
            const HEX = 0xFFffFFff;
            const OCT = 0755;
            const ZERO = 0;
            const LATER = EARLIER_USE;
            const EARLIER_USE = HEX;
            const BIG = 0xffffffffffffffff;
            const TEXT = "a string";
            """);
        Assert.Equal(42, (int)spec.FindConstant("DEC")!.Value!.Value);
        Assert.Equal(-7, (int)spec.FindConstant("NEG")!.Value!.Value);
        Assert.Equal(uint.MaxValue, (uint)spec.FindConstant("HEX")!.Value!.Value);
        Assert.Equal(493, (int)spec.FindConstant("OCT")!.Value!.Value);
        Assert.Equal(0, (int)spec.FindConstant("ZERO")!.Value!.Value);
        Assert.Equal(uint.MaxValue, (uint)spec.FindConstant("LATER")!.Value!.Value);
        Assert.Equal(ulong.MaxValue, (ulong)spec.FindConstant("BIG")!.Value!.Value);
        ConstantDefinition text = spec.FindConstant("TEXT")!;
        Assert.True(text.IsString);
        Assert.Equal("\"a string\"", text.Text);
    }

    [Fact]
    public void Enum_members_without_values_are_numbered_the_c_way()
    {
        Specification spec = Compile.Clean("enum e { A, B = 5, C, D = A, E };");
        var e = (EnumDefinition)spec.FindType("e")!;
        Assert.Equal([("A", 0), ("B", 5), ("C", 6), ("D", 0), ("E", 1)], e.Body.Members.Select(m => (m.Name, m.Value)));
    }

    [Fact]
    public void Enum_members_are_constants_usable_as_sizes_and_labels()
    {
        Specification spec = Compile.Clean("""
            enum sizes { SMALL = 4, LARGE = 16 };
            typedef opaque small_blob[SMALL];
            union u switch (sizes s) { case SMALL: int a; case LARGE: hyper b; };
            """);
        var blob = (TypedefDefinition)spec.FindType("small_blob")!;
        Assert.Equal(DeclarationKind.FixedOpaque, blob.Declaration.Kind);
        Assert.Equal(new Size(4, "SMALL"), blob.Declaration.Size);
        var union = (UnionDefinition)spec.FindType("u")!;
        Assert.Equal([4L, 16L], union.Body.Arms.SelectMany(a => a.Labels).Select(l => l.Value));
        Assert.Equal("SMALL", union.Body.Arms[0].Labels[0].ConstantName);
        Assert.Null(union.Body.Default);
    }

    [Fact]
    public void Every_declaration_form_is_classified()
    {
        Specification spec = Compile.Clean("""
            const MAX = 10;
            struct all {
                int a;
                unsigned int b;
                hyper c[3];
                unsigned hyper d<>;
                float e<MAX>;
                double *f;
                quadruple g;
                bool h;
                opaque i[8];
                opaque j<>;
                string k<MAX>;
                string l<>;
                struct all *next;
            };
            """);
        var fields = ((StructDefinition)spec.FindType("all")!).Body.Fields;
        Assert.Equal(
            [
                ("a", DeclarationKind.Scalar, "Int"), ("b", DeclarationKind.Scalar, "UnsignedInt"), ("c", DeclarationKind.FixedArray, "Hyper"),
                ("d", DeclarationKind.VariableArray, "UnsignedHyper"), ("e", DeclarationKind.VariableArray, "Float"), ("f", DeclarationKind.Optional, "Double"),
                ("g", DeclarationKind.Scalar, "Quadruple"), ("h", DeclarationKind.Scalar, "Bool"), ("i", DeclarationKind.FixedOpaque, "Opaque"),
                ("j", DeclarationKind.VariableOpaque, "Opaque"), ("k", DeclarationKind.String, "String"), ("l", DeclarationKind.String, "String"),
                ("next", DeclarationKind.Optional, "all"),
            ],
            fields.Select(f => (f.Name!, f.Kind, f.Type is PrimitiveType p ? p.Kind.ToString() : ((NamedType)f.Type).Name)));
        Assert.Equal(3u, fields[2].Size!.Value);
        Assert.True(fields[3].Size!.IsUnbounded);
        Assert.Equal(new Size(10, "MAX"), fields[4].Size);
    }

    [Fact]
    public void Rpcgen_dialect_types_map_to_four_byte_integers()
    {
        Specification spec = Compile.Clean("struct c { char a; short b; long c; unsigned char d; unsigned short e; unsigned long f; unsigned g; long int h; };");
        var kinds = ((StructDefinition)spec.FindType("c")!).Body.Fields.Select(f => ((PrimitiveType)f.Type).Kind);
        Assert.Equal([XdrPrimitive.Int, XdrPrimitive.Int, XdrPrimitive.Int, XdrPrimitive.UnsignedInt, XdrPrimitive.UnsignedInt, XdrPrimitive.UnsignedInt, XdrPrimitive.UnsignedInt, XdrPrimitive.Int], kinds);
    }

    [Fact]
    public void Anonymous_nested_types_are_kept_in_place()
    {
        Specification spec = Compile.Clean("""
            struct outer {
                struct { int x; int y; } point;
                union switch (enum { ON = 1, OFF = 0 } state) { case ON: int level; case OFF: void; } power;
            };
            """);
        var fields = ((StructDefinition)spec.FindType("outer")!).Body.Fields;
        var point = Assert.IsType<InlineStructType>(fields[0].Type);
        Assert.Equal(["x", "y"], point.Body.Fields.Select(f => f.Name));
        var power = Assert.IsType<InlineUnionType>(fields[1].Type);
        Assert.IsType<InlineEnumType>(power.Body.Discriminant.Type);
        Assert.Equal([1L, 0L], power.Body.Arms.SelectMany(a => a.Labels).Select(l => l.Value));
    }

    [Fact]
    public void Unions_keep_shared_labels_void_arms_and_the_default()
    {
        Specification spec = Compile.Clean("""
            enum kind { A = 1, B = 2, C = 3, D = 4 };
            union u switch (kind k) {
            case A:
            case B:
                int shared;
            case C:
                void;
            default:
                string other<>;
            };
            """);
        UnionBody body = ((UnionDefinition)spec.FindType("u")!).Body;
        Assert.Equal("k", body.Discriminant.Name);
        Assert.Equal([1L, 2L], body.Arms[0].Labels.Select(l => l.Value));
        Assert.Equal(DeclarationKind.Void, body.Arms[1].Declaration.Kind);
        Assert.Equal(DeclarationKind.String, body.Default!.Kind);
    }

    [Fact]
    public void Discriminants_may_be_bool_unsigned_and_typedefs_of_enums()
    {
        Compile.Clean("""
            enum e { X = 0, Y = 1 };
            typedef e e_alias;
            typedef e_alias e_alias2;
            union a switch (bool b) { case TRUE: int x; case FALSE: void; };
            union b switch (unsigned int u) { case 4294967295: void; };
            union c switch (e_alias2 v) { case X: void; case Y: int y; };
            union d switch (int i) { case 'A': void; case -1: void; };
            """);
    }

    [Fact]
    public void Programs_versions_and_procedures_carry_numbers_arguments_and_results()
    {
        Specification spec = Compile.Clean("""
            typedef string name<255>;
            program TEST_PROG {
                version TEST_VERS {
                    int ADD(int a, int b) = 1;
                    void PING(void) = 0;
                    name ECHO(name) = 2;
                    string RAW(string, unsigned) = 3;
                    int NOARGS() = 4;
                } = 1;
                version TEST_VERS2 {
                    void PING(void) = 0;
                } = 2;
            } = 0x31234567;
            """);
        ProgramDefinition program = spec.Programs.Single();
        Assert.Equal(0x31234567u, program.Number);
        Assert.Equal([1u, 2u], program.Versions.Select(v => v.Number));
        ProcedureDefinition[] procedures = [.. program.Versions[0].Procedures];
        Assert.Equal(["a", "b"], procedures[0].Arguments.Select(a => a.Name));
        Assert.True(procedures[0].Arguments.All(a => a.IsNamed));
        Assert.Empty(procedures[1].Arguments);
        Assert.Equal(DeclarationKind.Void, procedures[1].Result.Kind);
        Assert.Equal(["arg1"], procedures[2].Arguments.Select(a => a.Name));
        Assert.False(procedures[2].Arguments[0].IsNamed);
        Assert.Equal(DeclarationKind.String, procedures[3].Result.Kind);
        Assert.Equal([DeclarationKind.String, DeclarationKind.Scalar], procedures[3].Arguments.Select(a => a.Declaration.Kind));
        Assert.Equal(["arg1", "arg2"], procedures[3].Arguments.Select(a => a.Name));
        Assert.Empty(procedures[4].Arguments);
    }

    [Fact]
    public void One_program_number_may_span_program_blocks_with_different_versions()
    {
        Specification spec = Compile.Clean("""
            program NFS_PROGRAM { version NFS_VERSION { void NFSPROC_NULL(void) = 0; } = 2; } = 100003;
            program NFS3_PROGRAM { version NFS_V3 { void NFSPROC3_NULL(void) = 0; } = 3; } = 100003;
            """);
        Assert.Equal([(100003u, 2u), (100003u, 3u)], spec.Programs.Select(p => (p.Number, p.Versions.Single().Number)));
    }

    [Fact]
    public void Comments_before_definitions_and_beside_members_become_documentation()
    {
        Specification spec = Compile.Clean("""
            /*
             * A point on the plane.
             * Two lines.
             */
            struct point {
                int x;      /* across */
                /* up */
                int y;
            };
            // the constant
            const ONE = 1;
            struct bare { int z; };
            """);
        var point = (StructDefinition)spec.FindType("point")!;
        Assert.Equal("A point on the plane.\nTwo lines.", point.Documentation);
        Assert.Equal(["across", "up"], point.Body.Fields.Select(f => f.Documentation));
        Assert.Equal("the constant", spec.FindConstant("ONE")!.Documentation);
        Assert.Null(spec.FindType("bare")!.Documentation);
    }

    [Fact]
    public void A_comment_documents_exactly_one_definition_and_a_group_heading_none()
    {
        Specification spec = Compile.Clean("""
            /*
             * Sizes
             */
            const FHSIZE = 128;
            const VERIFIER_SIZE = 8;

            /* the only one of its kind here */
            const ALONE = 1;
            struct s { int a; };
            const SIDE = 2;   /* beside it */
            /* a section, set apart */

            const AFTER_BLANK = 3;
            /* a struct */
            struct t {
                int b;
            };  /* the end of t */
            struct u { int c; };
            """);
        Assert.Equal(
            [null, null, "the only one of its kind here", "beside it", null],
            new[] { "FHSIZE", "VERIFIER_SIZE", "ALONE", "SIDE", "AFTER_BLANK" }.Select(c => spec.FindConstant(c)!.Documentation));
        Assert.Equal([null, "a struct", null], new[] { "s", "t", "u" }.Select(t => spec.FindType(t)!.Documentation));
    }

    [Fact]
    public void A_comment_documents_exactly_one_member_and_a_note_between_members_none()
    {
        Specification spec = Compile.Clean("""
            enum status {
                OK = 0,        /* all is well */
                /* Unused/reserved 1 */
                NOTDIR = 2,    /* should be a directory */
                /* above it */
                ISDIR = 3,
                /* a group of two */
                A = 30,
                B = 31
            };
            struct point {
                /* coordinates */
                int x;
                int y;
            };
            union u switch (int d) {
            case 1:
                /* the one */
                int one;
            case 2:
                int two;
            };
            program P {
                version V {
                    /* does nothing */
                    void NULLPROC(void) = 0;

                    /* gets it */
                    int GET(void) = 1;
                    void PUT(int) = 2;  /* puts it */
                } = 1;
            } = 7;
            """);
        Assert.Equal(
            ["all is well", "should be a directory", "above it", null, null],
            ((EnumDefinition)spec.FindType("status")!).Body.Members.Select(m => m.Documentation));
        // A comment above a field is that field's, even with uncommented fields after it: fields head no group.
        Assert.Equal(["coordinates", null], ((StructDefinition)spec.FindType("point")!).Body.Fields.Select(f => f.Documentation));
        Assert.Equal(["the one", null], ((UnionDefinition)spec.FindType("u")!).Body.Arms.Select(a => a.Declaration.Documentation));
        Assert.Equal(["does nothing", "gets it", "puts it"], spec.Programs.Single().Versions.Single().Procedures.Select(p => p.Documentation));
    }

    [Fact]
    public void Libnfs_nfs4_documents_NFS4ERR_NOTDIR_with_its_own_comment_and_no_constant_with_the_Sizes_heading()
    {
        CheckResult result = RpcgenCompiler.Check(Path.Combine(Corpus.Resolve("Corpus/libnfs")!, "libnfs-nfs4.x"), new DiskSources());
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Specification spec = result.Specification!;
        EnumMember[] errors = [.. ((EnumDefinition)spec.FindType("nfsstat4")!).Body.Members];
        Assert.Equal("should be a directory", errors.Single(m => m.Name == "NFS4ERR_NOTDIR").Documentation);
        Assert.Equal("different filesystems", errors.Single(m => m.Name == "NFS4ERR_XDEV").Documentation);
        Assert.DoesNotContain(errors, m => m.Documentation?.Contains("Unused", StringComparison.Ordinal) == true);
        Assert.All(["NFS4_FHSIZE", "NFS4_VERIFIER_SIZE", "NFS4_OPAQUE_LIMIT", "NFS4_SESSIONID_SIZE"], c => Assert.Null(spec.FindConstant(c)!.Documentation));
        Assert.Equal("set user id on execution", spec.FindConstant("MODE4_SUID")!.Documentation);
    }

    [Fact]
    public void Passthrough_lines_are_kept_with_their_place_and_targets()
    {
        Specification spec = Compile.Clean("""
            %#include <stdio.h>
            const A = 1;
            #ifdef RPC_HDR
            %extern int header_only;
            #endif
            """);
        Assert.Equal(
            [("#include <stdio.h>", 1, RpcgenTarget.All), ("extern int header_only;", 4, RpcgenTarget.Header)],
            spec.Passthroughs.Select(p => (p.Text, p.Location.Line, p.Targets)));
    }

    [Fact]
    public void A_backslash_at_the_end_of_a_line_is_white_space_between_tokens()
    {
        Specification spec = Compile.Clean("const LONG_NAME = \\\n    42;\nstruct s { int a; \\ \n int b; };\n");
        Assert.Equal(42, (int)spec.FindConstant("LONG_NAME")!.Value!.Value);
        Assert.Equal(2, ((StructDefinition)spec.FindType("s")!).Body.Fields.Length);
    }

    [Fact]
    public void An_identity_typedef_of_a_struct_adds_nothing()
    {
        Specification spec = Compile.Clean("struct point { int x; };\ntypedef struct point point;\ntypedef point point;\nstruct line { point a; point b; };\n");
        Assert.Equal(["point", "line"], spec.Definitions.Select(d => d.Name));
        Assert.Equal("RPCG2002", Compile.Text("typedef struct nowhere nowhere;").Diagnostics.Single().Code);
    }

    [Fact]
    public void Definitions_keep_source_order_and_locations()
    {
        Specification spec = Compile.Clean("const A = 1;\n\nstruct s {\n  int x;\n};\ntypedef s t;\n");
        Assert.Equal(["A", "s", "t"], spec.Definitions.Select(d => d.Name));
        Assert.Equal((3, 8), (spec.FindType("s")!.Location.Line, spec.FindType("s")!.Location.Column));
        Assert.Equal((6, 11), (spec.FindType("t")!.Location.Line, spec.FindType("t")!.Location.Column));
    }

    [Fact]
    public void Recursion_through_optional_data_or_variable_arrays_is_fine()
    {
        Compile.Clean("""
            struct list { int v; list *next; };
            struct tree { int v; tree children<>; };
            union chain switch (bool more) { case TRUE: struct link *next; case FALSE: void; };
            struct link { chain rest; };
            """);
    }

    [Fact]
    public void Predefined_names_resolve_with_warnings_once_each()
    {
        CheckResult result = Compile.Text("""
            struct s { uint32_t a; uint32_t b; uint64_t c; netobj d; netobj e; bool_t f; };
            union u switch (int d) { case AUTH_NONE: void; case AUTH_SYS: void; };
            union v switch (bool b) { case TRUE: void; default: void; };
            """);
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Equal(["uint32_t", "uint64_t", "netobj", "bool_t"], result.Diagnostics.Where(d => d.Code == "RPCG3001").Select(d => d.Message.Split('\'')[1]));
        Assert.Equal(["AUTH_NONE", "AUTH_SYS"], result.Diagnostics.Where(d => d.Code == "RPCG3002").Select(d => d.Message.Split('\'')[1]));
        var netobj = (TypedefDefinition)result.Specification!.FindType("netobj")!;
        Assert.Equal((DeclarationKind.VariableOpaque, 1024u), (netobj.Declaration.Kind, netobj.Declaration.Size!.Value));
        Assert.Equal(XdrPrimitive.UnsignedHyper, ((PrimitiveType)((StructDefinition)result.Specification.FindType("s")!).Body.Fields[2].Type).Kind);
    }

    [Fact]
    public void TRUE_and_FALSE_are_the_members_of_bool_wherever_they_are_used_and_draw_no_diagnostic()
    {
        // RFC 4506 section 4.4 defines bool as enum { FALSE = 0, TRUE = 1 }: yp.x's unions on bool use them.
        CheckResult result = Compile.Text("""
            union more switch (bool b) { case TRUE: int x; case FALSE: void; };
            union flag switch (int d) { case TRUE: void; default: void; };
            const YES = TRUE;
            typedef int one[TRUE];
            """);
        Assert.Empty(result.Diagnostics);
        var more = (UnionDefinition)result.Specification!.FindType("more")!;
        Assert.Equal([1L, 0L], more.Body.Arms.Select(a => a.Labels.Single().Value));
        Assert.Equal(1, (int)result.Specification.FindConstant("YES")!.Value!.Value);
    }

    [Fact]
    public void A_file_that_defines_TRUE_itself_gets_its_own_value()
    {
        Specification spec = Compile.Clean("""
            enum answer { FALSE = 2, TRUE = 3 };
            union u switch (answer a) { case TRUE: void; case FALSE: int x; };
            """);
        Assert.Equal([3L, 2L], ((UnionDefinition)spec.FindType("u")!).Body.Arms.Select(a => a.Labels.Single().Value));
    }

    [Fact]
    public void Constants_defined_by_passthrough_defines_are_evaluated_as_c_would()
    {
        // nlm_prot.x's shape: sizes defined on %#define lines that rpcgen copies into its header.
        CheckResult result = Compile.Text("""
            const BASE = 10;
            #ifdef RPC_HDR
            %#define LM_MAXSTRLEN	1024	/* in bytes */
            %#define MAXNAMELEN	LM_MAXSTRLEN+1
            %#define LIMIT (BASE * 2 + 1)
            %#define NAME(x) x
            #endif
            struct s { string caller<LM_MAXSTRLEN>; string name<MAXNAMELEN>; int v<LIMIT>; };
            """);
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Equal([1024u, 1025u, 21u], ((StructDefinition)result.Specification!.FindType("s")!).Body.Fields.Select(f => f.Size!.Value));
        Assert.Equal(3, result.Diagnostics.Count(d => d.Code == "RPCG3003"));
    }

    [Fact]
    public void A_passthrough_define_that_is_not_a_number_is_an_error_at_its_use()
    {
        CheckResult result = Compile.Text("%#define TEXT \"abc\"\n%#define LOOP LOOP + 1\ntypedef int a<TEXT>;\ntypedef int b<LOOP>;\n");
        Assert.Equal([("RPCG2003", 3), ("RPCG2017", 4)], result.Diagnostics.Where(d => d.Severity == Diagnostics.DiagnosticSeverity.Error).Select(d => (d.Code, d.Location.Line)));
    }

    [Fact]
    public void A_definition_in_the_file_wins_over_a_predefined_name()
    {
        CheckResult result = Compile.Text("typedef unsigned hyper uint32_t;\nstruct s { uint32_t a; };\nconst TRUE = 7;\ntypedef int a[TRUE];");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(7u, ((TypedefDefinition)result.Specification!.FindType("a")!).Declaration.Size!.Value);
    }

    [Fact]
    public void Several_errors_are_reported_in_one_run()
    {
        CheckResult result = Compile.Text("""
            struct a { foo x; };
            struct b { int y };
            typedef string s;
            const C = 08;
            union u switch (hyper h) { case 1: void; };
            """);
        var found = result.Diagnostics.Select(d => (d.Code, d.Location.Line)).ToHashSet();
        Assert.Contains(("RPCG2002", 1), found);
        Assert.Contains(("RPCG0005", 2), found);
        Assert.Contains(("RPCG2011", 3), found);
        Assert.Contains(("RPCG0007", 4), found);
        Assert.Contains(("RPCG2007", 5), found);
    }
}
