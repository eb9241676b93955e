using System.Globalization;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// The C# class of a struct or a union, with its codec. Structs are mutable classes whose fields are
/// properties; unions are immutable, always carry their discriminant, and give each arm a property that
/// throws when another arm is selected, and a factory.
/// </summary>
internal sealed class ClassEmitter(EmitModel model, NameScope scope, string access, bool topLevel)
{
    private const string Reader = "global::NetRpc.Xdr.XdrReader";
    private const string Writer = "global::NetRpc.Xdr.XdrWriter";

    public void WriteStruct(SourceWriter w, StructType type)
    {
        var codec = new CodecWriter(model, scope);
        bool list = type.IsListNode;
        Member? link = list ? type.Fields[^1] : null;
        string contract = (list ? $"global::NetRpc.Xdr.IXdrListNode<{type.FullName}>" : $"global::NetRpc.Xdr.IXdrCodec<{type.FullName}>") + $", global::System.IEquatable<{type.FullName}>";

        w.Summary(type.Documentation ?? $"The XDR struct {type.XdrName}.");
        if (list)
        {
            w.DocXml("remarks", $"A linked list through <c>{SourceWriter.Xml(link!.Declaration.Name!)}</c>: read and written in a loop, so a list of any length takes no stack.");
        }

        if (topLevel)
        {
            CSharpFile.GeneratedCode(w);
        }

        w.Open($"{(topLevel ? access : "public")} sealed partial class {type.Name} : {contract}");

        // The public constructor gives every field its zero value; the private one, used by Decode, takes them all.
        w.Summary("Creates a value whose fields are zero, empty, or (enums) the member whose value is zero.");
        w.Open($"public {type.Name}()");
        foreach (Member field in type.Fields)
        {
            if (CodecWriter.Zero(field.Shape) is { } zero)
            {
                w.Line($"this.{field.Name} = {zero};");
            }
        }

        w.Close();
        w.Line();
        w.Line($"private {type.Name}({string.Join(", ", type.Fields.Select(f => $"{f.Shape.CSharpType} {f.Parameter}"))})");
        w.Line("{");
        foreach (Member field in type.Fields)
        {
            w.Line($"    this.{field.Name} = {field.Parameter};");
        }

        w.Line("}");

        foreach (Member field in type.Fields)
        {
            w.Line();
            WriteMemberDoc(w, field);
            w.Line($"public {field.Shape.CSharpType} {field.Name} {{ get; set; }}");
        }

        if (list)
        {
            w.Line();
            w.Line($"{type.FullName}? global::NetRpc.Xdr.IXdrListNode<{type.FullName}>.Next {{ get => this.{link!.Name}; set => this.{link.Name} = value; }}");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public static int MinEncodedSize => {type.MinSize.ToString(CultureInfo.InvariantCulture)};");

        IEnumerable<Member> fields = list ? type.Fields.Take(type.Fields.Count - 1) : type.Fields;
        string decodeName = list ? "DecodeNodeFields" : "Decode";
        string encodeName = list ? "EncodeNodeFields" : "Encode";
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public static {type.FullName} {decodeName}(ref {Reader} reader) => new(");
        var arguments = fields.Select(f => codec.Read(f.Shape, Identifiers.Bare(f.Name))).ToList();
        if (list)
        {
            arguments.Add("null");
        }

        for (int i = 0; i < arguments.Count; i++)
        {
            w.Line($"    {arguments[i]}{(i == arguments.Count - 1 ? ");" : ",")}");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"public void {encodeName}(ref {Writer} writer)");
        foreach (Member field in fields)
        {
            // The wire has no null here: say which field, rather than fail somewhere inside the codec (or, for opaque
            // data and arrays, which convert to empty spans, send nothing at all).
            if (!field.Shape.IsValueType && field.Shape is not OptionalShape)
            {
                w.Line($"global::System.ArgumentNullException.ThrowIfNull(this.{field.Name}, {EmitModel.Literal($"{type.Name}.{Identifiers.Bare(field.Name)}")});");
            }

            codec.Write(w, field.Shape, $"this.{field.Name}", Identifiers.Bare(field.Name));
        }

        w.Close();

        if (list)
        {
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Open($"public static {type.FullName} Decode(ref {Reader} reader)");
            w.Line($"{type.FullName} node = DecodeNodeFields(ref reader);");
            w.Line($"node.{link!.Name} = reader.ReadList<{type.FullName}>();");
            w.Line("return node;");
            w.Close();
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Open($"public void Encode(ref {Writer} writer)");
            w.Line("this.EncodeNodeFields(ref writer);");
            w.Line($"writer.WriteList(this.{link.Name});");
            w.Close();
        }

        ValueMembers.WriteStruct(w, type);
        codec.WriteHelpers(w);
        WriteNested(w, type);
        w.Close();
    }

    public void WriteUnion(SourceWriter w, UnionType type)
    {
        var codec = new CodecWriter(model, scope);
        Member discriminant = type.Discriminant;
        string discriminantType = discriminant.Shape.CSharpType;
        string disc = discriminant.Name;

        w.Summary(type.Documentation ?? $"The XDR union {type.XdrName}.");
        w.DocXml("remarks", $"Its value is always one arm, selected by <see cref=\"{disc}\"/>; each arm's property throws when another is selected. Values are made with the factory methods.");
        if (topLevel)
        {
            CSharpFile.GeneratedCode(w);
        }

        w.Open($"{(topLevel ? access : "public")} sealed partial class {type.Name} : global::NetRpc.Xdr.IXdrCodec<{type.FullName}>, global::System.IEquatable<{type.FullName}>");
        w.Line($"private readonly int {type.ArmField};");
        if (type.SharedField is { } shared)
        {
            w.Line($"private object? {shared};");
        }

        foreach (Arm arm in type.Arms.Where(a => a.Value is not null && a.Storage != type.SharedField))
        {
            w.Line($"private {Storage(arm.Value!.Shape)} {arm.Storage};");
        }

        w.Line();
        w.Open($"private {type.Name}({discriminantType} {Identifiers.Parameter("discriminant", model.Style)}, int arm)");
        w.Line($"this.{disc} = {Identifiers.Parameter("discriminant", model.Style)};");
        w.Line($"this.{type.ArmField} = arm;");
        w.Close();
        w.Line();
        WriteMemberDoc(w, discriminant, "The discriminant: it selects the arm.");
        w.Line($"public {discriminantType} {disc} {{ get; }}");

        foreach (Arm arm in type.Arms.Where(a => a.Value is not null))
        {
            Member value = arm.Value!;
            w.Line();
            WriteMemberDoc(w, value, $"The arm for {Labels(type, arm)}.");
            w.DocXml("exception", $"<see cref=\"{disc}\"/> selects another arm.", "cref=\"global::System.InvalidOperationException\"");
            w.Line($"public {value.Shape.CSharpType} {value.Name} => this.{type.ArmField} == {arm.Index.ToString(CultureInfo.InvariantCulture)}");
            w.Line($"    ? {Stored(type, arm)}");
            w.Line($"    : throw new global::System.InvalidOperationException($\"{type.Name}.{value.Name} is not set: {disc} is {{this.{disc}}}, which selects another arm.\");");
        }

        WriteFactories(w, type);

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public static int MinEncodedSize => {type.MinSize.ToString(CultureInfo.InvariantCulture)};");

        // Decode: the discriminant, then the arm it selects.
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static {type.FullName} Decode(ref {Reader} reader)");
        w.Line($"{discriminantType} discriminant = {codec.Read(discriminant.Shape, Identifiers.Bare(disc))};");
        w.Open($"switch ({type.ArmOfMethod}(discriminant))");
        foreach (Arm arm in type.Arms)
        {
            string index = arm.Index.ToString(CultureInfo.InvariantCulture);
            w.Line($"case {index}:");
            w.Line(arm.Value is null
                ? $"    return new {type.FullName}(discriminant, {index});"
                : $"    return new {type.FullName}(discriminant, {index}) {{ {arm.Storage} = {codec.Read(arm.Value.Shape, Identifiers.Bare(arm.Value.Name))} }};");
        }

        w.Line("default:");
        w.Line($"    throw reader.InvalidDiscriminant({EmitModel.Literal(type.XdrName)}, {AsLong(discriminant.Shape, "discriminant")});");
        w.Close();
        w.Close();

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"public void Encode(ref {Writer} writer)");
        codec.Write(w, discriminant.Shape, $"this.{disc}", Identifiers.Bare(disc));
        if (type.Arms.Any(a => a.Value is not null))
        {
            w.Open($"switch (this.{type.ArmField})");
            foreach (Arm arm in type.Arms.Where(a => a.Value is not null))
            {
                w.Line($"case {arm.Index.ToString(CultureInfo.InvariantCulture)}:");
                var inner = new SourceWriter();
                codec.Write(inner, arm.Value!.Shape, Stored(type, arm), Identifiers.Bare(arm.Value.Name));
                w.Line("    " + inner.ToString().TrimEnd('\n'));
                w.Line("    break;");
            }

            w.Close();
        }

        w.Close();

        // The arm a discriminant selects: -1 when none (a union without a default arm).
        w.Line();
        w.Line($"private static int {type.ArmOfMethod}({discriminantType} discriminant) => discriminant switch");
        w.Line("{");
        foreach (Arm arm in type.Arms.Where(a => !a.IsDefault))
        {
            w.Line($"    {string.Join(" or ", arm.Labels.Select(l => LabelPattern(discriminant.Shape, l)))} => {arm.Index.ToString(CultureInfo.InvariantCulture)},");
        }

        if (!IsExhaustive(type))
        {
            w.Line($"    _ => {(type.DefaultArm?.Index ?? -1).ToString(CultureInfo.InvariantCulture)},");
        }

        w.Line("};");

        ValueMembers.WriteUnion(w, type, (arm, target) => Stored(type, arm).Replace("this.", target + ".", StringComparison.Ordinal));
        codec.WriteHelpers(w);
        WriteNested(w, type);
        w.Close();
    }

    private void WriteFactories(SourceWriter w, UnionType type)
    {
        Member discriminant = type.Discriminant;
        string discriminantType = discriminant.Shape.CSharpType;
        string discParameter = discriminant.Parameter == "value" ? "discriminant" : discriminant.Parameter;
        foreach (Arm arm in type.Arms.Where(a => a.Value is not null))
        {
            Member value = arm.Value!;
            string parameter = value.Parameter == discParameter ? value.Parameter + "Value" : value.Parameter;
            string index = arm.Index.ToString(CultureInfo.InvariantCulture);
            if (!arm.IsDefault && arm.Labels.Length == 1)
            {
                w.Line();
                w.Summary($"The value whose arm is {value.Declaration.Name} ({type.Discriminant.Declaration.Name} = {LabelText(arm.Labels[0])}).");
                w.DocXml("param", $"The {SourceWriter.Xml(value.Declaration.Name!)}.", $"name=\"{Identifiers.Bare(parameter)}\"");
                w.DocXml("returns", "The union value.");
                w.Open($"public static {type.FullName} {arm.Factory}({value.Shape.CSharpType} {parameter})");
                NullCheck(w, value.Shape, parameter);
                w.Line($"return new {type.FullName}({LabelValue(discriminant.Shape, arm.Labels[0])}, {index}) {{ {arm.Storage} = {parameter} }};");
                w.Close();
            }

            w.Line();
            w.Summary($"The value whose arm is {value.Declaration.Name}, with a discriminant that selects it ({Labels(type, arm)}).");
            w.DocXml("param", "The discriminant.", $"name=\"{Identifiers.Bare(discParameter)}\"");
            w.DocXml("param", $"The {SourceWriter.Xml(value.Declaration.Name!)}.", $"name=\"{Identifiers.Bare(parameter)}\"");
            w.DocXml("returns", "The union value.");
            w.DocXml("exception", $"<paramref name=\"{Identifiers.Bare(discParameter)}\"/> selects another arm.", "cref=\"global::System.ArgumentOutOfRangeException\"");
            w.Open($"public static {type.FullName} {arm.Factory}({discriminantType} {discParameter}, {value.Shape.CSharpType} {parameter})");
            w.Open($"if ({type.ArmOfMethod}({discParameter}) != {index})");
            w.Line($"throw new global::System.ArgumentOutOfRangeException(nameof({discParameter}), {discParameter}, {EmitModel.Literal($"The discriminant selects another arm than {value.Declaration.Name}.")});");
            w.Close();
            NullCheck(w, value.Shape, parameter);
            w.Line($"return new {type.FullName}({discParameter}, {index}) {{ {arm.Storage} = {parameter} }};");
            w.Close();
        }

        if (type.VoidFactory is { } of)
        {
            var voids = type.Arms.Where(a => a.Value is null).ToList();
            w.Line();
            w.Summary($"The value of a discriminant whose arm is void ({string.Join("; ", voids.Select(a => Labels(type, a)))}).");
            w.DocXml("param", "The discriminant.", $"name=\"{Identifiers.Bare(discParameter)}\"");
            w.DocXml("returns", "The union value.");
            w.DocXml("exception", $"<paramref name=\"{Identifiers.Bare(discParameter)}\"/> selects an arm that is not void.", "cref=\"global::System.ArgumentOutOfRangeException\"");
            w.Open($"public static {type.FullName} {of}({discriminantType} {discParameter})");
            w.Line($"int arm = {type.ArmOfMethod}({discParameter});");
            w.Open($"if (arm is not ({string.Join(" or ", voids.Select(a => a.Index.ToString(CultureInfo.InvariantCulture)))}))");
            w.Line($"throw new global::System.ArgumentOutOfRangeException(nameof({discParameter}), {discParameter}, \"The discriminant selects an arm that is not void.\");");
            w.Close();
            w.Line($"return new {type.FullName}({discParameter}, arm);");
            w.Close();
        }
    }

    private static void NullCheck(SourceWriter w, Shape shape, string parameter)
    {
        if (!shape.IsValueType && shape is not OptionalShape)
        {
            w.Line($"global::System.ArgumentNullException.ThrowIfNull({parameter});");
        }
    }

    private void WriteNested(SourceWriter w, ClassType type)
    {
        foreach (GeneratedType nested in type.Nested)
        {
            w.Line();
            TypesEmitter.WriteType(model, w, nested, "public", topLevel: false);
        }
    }

    /// <summary>
    /// Documentation of a member: its .x comment, or its declaration; and when its type is a typedef, the typedef,
    /// which has no C# type of its own (<c>nfs_fh4 object</c> is a <c>byte[]</c>), so the reader learns from here
    /// what the name stands for and what limits it carries; and when its data is pooled, who disposes it.
    /// </summary>
    private void WriteMemberDoc(SourceWriter w, Member member, string? fallback = null)
    {
        Declaration declaration = member.Declaration;
        string xdr = SourceWriter.Xml(EmitModel.XdrText(declaration));
        string? remarks = TypedefDoc(declaration);
        if (PooledDocs.IsPooled(member.Shape))
        {
            remarks = remarks is null ? PooledDocs.Member : $"{remarks}\n{PooledDocs.Member}";
        }

        if (declaration.Documentation is { } documentation)
        {
            w.Summary(documentation);
            w.DocXml("remarks", remarks is null ? $"XDR: <c>{xdr}</c>." : $"XDR: <c>{xdr}</c>.\n{remarks}");
        }
        else
        {
            w.DocXml("summary", fallback is null ? $"<c>{xdr}</c>." : $"{SourceWriter.Xml(fallback)} XDR: <c>{xdr}</c>.");
            if (remarks is not null)
            {
                w.DocXml("remarks", remarks);
            }
        }
    }

    /// <summary>The typedef a declaration's type names, as XML documentation; null when it names none, or one that has a C# type.</summary>
    private string? TypedefDoc(Declaration declaration)
    {
        if (declaration.Type is not NamedType named || model.TypeOf(named.Name) is not null
            || model.Specification.FindType(named.Name) is not TypedefDefinition typedef)
        {
            return null;
        }

        string text = $".x type: <c>{SourceWriter.Xml(named.Name)}</c>, from <c>typedef {SourceWriter.Xml(EmitModel.XdrText(typedef.Declaration))}</c>.";
        return typedef.Documentation is { } documentation ? $"{text}\n{SourceWriter.Xml(documentation)}" : text;
    }

    /// <summary>An arm's value as its own type, read from where it is stored.</summary>
    private static string Stored(UnionType type, Arm arm)
    {
        Shape shape = arm.Value!.Shape;
        string field = $"this.{arm.Storage}";
        if (arm.Storage == type.SharedField)
        {
            return shape is OptionalShape ? $"({shape.CSharpType}){field}" : $"({shape.CSharpType}){field}!";
        }

        return shape.IsValueType || shape is OptionalShape ? field : field + "!";
    }

    private static string Storage(Shape shape) => shape.IsValueType || shape is OptionalShape ? shape.CSharpType : shape.CSharpType + "?";

    private static string Labels(UnionType type, Arm arm) => arm.IsDefault
        ? $"{type.Discriminant.Declaration.Name} values no case names (default)"
        : $"{type.Discriminant.Declaration.Name} = {string.Join(" or ", arm.Labels.Select(LabelText))}";

    private static string LabelText(CaseLabel label) => label.ConstantName ?? label.Value.ToString(CultureInfo.InvariantCulture);

    private static bool IsExhaustive(UnionType type) =>
        type.Discriminant.Shape is PrimitiveShape { Kind: XdrPrimitive.Bool } &&
        type.Arms.Where(a => !a.IsDefault).SelectMany(a => a.Labels).Select(l => l.Value).Distinct().Count() == 2;

    /// <summary>A case label as a C# constant of the discriminant's type.</summary>
    internal static string LabelValue(Shape discriminant, CaseLabel label) => discriminant switch
    {
        PrimitiveShape { Kind: XdrPrimitive.Bool } => label.Value != 0 ? "true" : "false",
        PrimitiveShape { Kind: XdrPrimitive.UnsignedInt } => label.Value.ToString(CultureInfo.InvariantCulture) + "U",
        EnumShape e => e.Type.Members.FirstOrDefault(m => m.Member.Name == label.ConstantName && m.Member.Value == label.Value) is { Name: not null } member
            ? $"{e.Type.FullName}.{member.Name}"
            : e.Type.Members.FirstOrDefault(m => m.Member.Value == label.Value) is { Name: not null } same
                ? $"{e.Type.FullName}.{same.Name}"
                : $"({e.Type.FullName})({label.Value.ToString(CultureInfo.InvariantCulture)})",
        _ => label.Value.ToString(CultureInfo.InvariantCulture),
    };

    private static string LabelPattern(Shape discriminant, CaseLabel label) => LabelValue(discriminant, label);

    private static string AsLong(Shape discriminant, string value) => discriminant switch
    {
        PrimitiveShape { Kind: XdrPrimitive.Bool } => $"({value} ? 1L : 0L)",
        _ => $"(long){value}",
    };
}
