using System.Globalization;
using System.Numerics;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// <c>p_xdr.cs</c> (rpcgen -c): the constants class, a C# type with its XDR codec for every enum, struct and
/// union, a class of numbers per program, the enums' read and write helpers, and the file's C# passthrough.
/// </summary>
internal sealed class TypesEmitter(EmitModel model, string access)
{
    private const string Reader = "global::NetRpc.Xdr.XdrReader";
    private const string Writer = "global::NetRpc.Xdr.XdrWriter";

    public string Emit(string inputName)
    {
        var w = new SourceWriter();
        CSharpFile.Header(w, inputName, "constants, types and their XDR codecs, program and procedure numbers (rpcgen -c)", model);
        IReadOnlyList<Passthrough> c = model.Specification.Passthroughs.Where(p => (p.Targets & ~RpcgenTarget.CSharp) != 0).ToList();
        if (c.Count > 0)
        {
            w.Line("// rpcgen copies these % lines into its C outputs. They are C, so here they are only comments;");
            w.Line("// a .x file passes C# through with % lines inside #ifdef RPC_CSHARP.");
            foreach (Passthrough line in c)
            {
                w.Line("// %" + line.Text.TrimEnd());
            }

            w.Line();
        }

        w.Line($"namespace {model.Namespace};");
        WriteConstants(w);
        foreach (Definition definition in model.Specification.Definitions)
        {
            switch (definition)
            {
                case TypeDefinition when model.TypeOf(definition.Name) is { } type:
                    w.Line();
                    WriteType(model, w, type, access, topLevel: true);
                    break;
                case ProgramDefinition program:
                    w.Line();
                    WriteProgram(w, model.Programs.Single(p => ReferenceEquals(p.Definition, program)));
                    break;
            }
        }

        if (model.Enums.Count > 0)
        {
            w.Line();
            WriteEnumHelpers(w);
        }

        List<Passthrough> csharp = [.. model.Specification.Passthroughs.Where(p => p.Targets == RpcgenTarget.CSharp)];
        if (csharp.Count > 0)
        {
            w.Line();
            w.Line("// C# passed through from the .x file (% lines inside #ifdef RPC_CSHARP).");
            foreach (Passthrough line in csharp)
            {
                w.Line(line.Text.TrimEnd());
            }
        }

        return w.ToString();
    }

    private void WriteConstants(SourceWriter w)
    {
        if (model.ConstantsClass is not { } name)
        {
            return;
        }

        model.NameConstants();
        w.Line();
        w.Summary($"The constants of {Path.GetFileName(model.Specification.Path)}.");
        CSharpFile.GeneratedCode(w);
        w.Open($"{access} static partial class {name}");
        bool first = true;
        foreach (ConstantDefinition constant in model.Specification.Constants)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary(constant.Documentation ?? $"const {constant.Name} = {constant.Text};");
            (string type, string value) = ConstantValue(constant);
            w.Line($"public const {type} {model.ConstantName(constant)} = {value};");
        }

        w.Close();
    }

    private static (string Type, string Value) ConstantValue(ConstantDefinition constant)
    {
        if (constant.Value is not BigInteger value)
        {
            return ("string", EmitModel.Literal(CString.Unescape(constant.Text)));
        }

        string type = value >= int.MinValue && value <= int.MaxValue ? "int"
            : value >= 0 && value <= uint.MaxValue ? "uint"
            : value >= long.MinValue && value <= long.MaxValue ? "long"
            : "ulong";
        bool hex = constant.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value >= 0;
        string text = hex ? "0x" + value.ToString("X", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0') : value.ToString(CultureInfo.InvariantCulture);
        return (type, text);
    }

    internal static void WriteType(EmitModel model, SourceWriter w, GeneratedType type, string access, bool topLevel)
    {
        switch (type)
        {
            case EnumType e:
                WriteEnum(w, e, access, topLevel);
                break;
            case StructType s:
                new ClassEmitter(model, s.Scope, access, topLevel).WriteStruct(w, s);
                break;
            case UnionType u:
                new ClassEmitter(model, u.Scope, access, topLevel).WriteUnion(w, u);
                break;
        }
    }

    private static void WriteEnum(SourceWriter w, EnumType type, string access, bool topLevel)
    {
        w.Summary(type.Documentation ?? $"The XDR enum {type.XdrName}.");
        if (topLevel)
        {
            CSharpFile.GeneratedCode(w);
        }

        w.Open($"{(topLevel ? access : "public")} enum {type.Name}");
        bool first = true;
        foreach ((EnumMember member, string name) in type.Members)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary(member.Documentation ?? $"{member.Name} = {member.Value.ToString(CultureInfo.InvariantCulture)}");
            w.Line($"{name} = {member.Value.ToString(CultureInfo.InvariantCulture)},");
        }

        w.Close();
    }

    private void WriteProgram(SourceWriter w, ProgramInfo program)
    {
        ProgramDefinition definition = program.Definition;
        w.Summary(definition.Documentation ?? $"Program {definition.Name}: its number, and its versions' and procedures' numbers.");
        CSharpFile.GeneratedCode(w);
        w.Open($"{access} static partial class {program.Name}");
        w.Summary($"The program number of {definition.Name}.");
        w.Line($"public const uint Program = 0x{definition.Number.ToString("X8", CultureInfo.InvariantCulture)};");
        foreach (VersionInfo version in program.Versions)
        {
            w.Line();
            w.Summary(version.Definition.Documentation ?? $"Version {version.Definition.Name} of {definition.Name}: the version number and the procedure numbers.");
            w.Open($"public static partial class {version.Name}");
            w.Summary($"The version number of {version.Definition.Name}.");
            w.Line($"public const uint Version = {version.Definition.Number.ToString(CultureInfo.InvariantCulture)};");
            foreach (ProcedureInfo procedure in version.Procedures)
            {
                w.Line();
                w.Summary(procedure.Definition.Documentation ?? ProcedureText(procedure.Definition));
                w.Line($"public const uint {procedure.Constant} = {procedure.Definition.Number.ToString(CultureInfo.InvariantCulture)};");
            }

            foreach (GeneratedType nested in version.Nested)
            {
                w.Line();
                WriteType(model, w, nested, "public", topLevel: false);
            }

            w.Close();
        }

        w.Close();
    }

    /// <summary>A procedure as the .x file declares it: <c>big_struct SUM(big_struct) = 3</c>.</summary>
    internal static string ProcedureText(ProcedureDefinition procedure)
    {
        string result = procedure.Result.Kind == DeclarationKind.Void ? "void" : EmitModel.XdrText(procedure.Result with { Name = null }).Trim();
        string arguments = procedure.Arguments.Length == 0 ? "void" : string.Join(", ", procedure.Arguments.Select(a => EmitModel.XdrText(a.IsNamed ? a.Declaration : a.Declaration with { Name = null }).Trim()));
        return $"{result} {procedure.Name}({arguments}) = {procedure.Number.ToString(CultureInfo.InvariantCulture)}";
    }

    private void WriteEnumHelpers(SourceWriter w)
    {
        w.Summary($"Reads and writes the enums of {Path.GetFileName(model.Specification.Path)}. Any int is kept and written back unchanged, as libtirpc's xdr_enum does; reading checks that it is one of the enum's members (RFC 4506 section 4.3) only when XdrReaderOptions.StrictEnums is set.");
        CSharpFile.GeneratedCode(w);
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open($"{access} static class {model.HelpersClass}");
        bool first = true;
        foreach (EnumType type in model.Enums)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;

            // A pattern, not Enum.IsDefined: the check must stay free of reflection to be trimming-safe.
            string members = MembersPattern(type.Members.Select(m => m.Member.Value));
            w.Summary($"Reads a {type.XdrName}: a value the enum does not declare is kept, unless the reader's options ask for strict enums.");
            w.DocXml("param", "The reader.", "name=\"reader\"");
            w.DocXml("returns", "The value.");
            w.DocXml("exception", "The value is not a member of the enum and XdrReaderOptions.StrictEnums is set.", "cref=\"global::NetRpc.Xdr.XdrException\"");
            w.Open($"public static {type.FullName} {type.ReadMethod}(ref {Reader} reader)");
            w.Line("int value = reader.ReadEnum();");
            w.Open($"if (reader.StrictEnums && value is not ({members}))");
            w.Line($"throw reader.InvalidEnumValue({EmitModel.Literal(type.XdrName)}, value);");
            w.Close();
            w.Line();
            w.Line($"return ({type.FullName})value;");
            w.Close();
            w.Line();
            w.Summary($"Writes a {type.XdrName}, declared or not.");
            w.DocXml("param", "The writer.", "name=\"writer\"");
            w.DocXml("param", "The value.", "name=\"value\"");
            w.Line($"public static void {type.WriteMethod}(ref {Writer} writer, {type.FullName} value) => writer.WriteEnum((int)value);");
        }

        w.Close();
    }

    /// <summary>
    /// The members' values as the inside of a C# pattern, runs of three or more as ranges so that NFS's sixty
    /// consecutive error codes stay readable: <c>-1 or (&gt;= 0 and &lt;= 2) or 7</c>.
    /// </summary>
    private static string MembersPattern(IEnumerable<int> values)
    {
        int[] sorted = [.. values.Distinct().Order()];
        var parts = new List<string>();
        int start = 0;
        while (start < sorted.Length)
        {
            int end = start + 1;
            while (end < sorted.Length && sorted[end] == sorted[end - 1] + 1)
            {
                end++;
            }

            string first = sorted[start].ToString(CultureInfo.InvariantCulture);
            if (end - start >= 3)
            {
                parts.Add($"(>= {first} and <= {sorted[end - 1].ToString(CultureInfo.InvariantCulture)})");
                start = end;
            }
            else
            {
                parts.Add(first);
                start++;
            }
        }

        return parts is [string range] && range.StartsWith('(') ? range[1..^1] : string.Join(" or ", parts);
    }
}
