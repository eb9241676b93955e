using System.Globalization;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// The XDR code of one generated class: an expression that reads each shape, the statements that write it,
/// and the private static helper methods for shapes NetRpc.Xdr has no single call for (arrays of enums,
/// strings or arrays; optional values). Equal shapes share a helper.
/// </summary>
internal sealed class CodecWriter(EmitModel model, NameScope scope)
{
    private const string Reader = "global::NetRpc.Xdr.XdrReader";
    private const string Writer = "global::NetRpc.Xdr.XdrWriter";

    private readonly Dictionary<Shape, string> _readers = [];
    private readonly Dictionary<Shape, string> _writers = [];
    private readonly Queue<(string Name, Shape Shape, bool Read)> _pending = new();

    /// <summary>An expression of <paramref name="shape"/>'s C# type that reads it from <c>reader</c>.</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="context">A name for helper methods it may need (the member's).</param>
    public string Read(Shape shape, string context) => shape switch
    {
        VoidShape => "default",
        PrimitiveShape p => $"reader.Read{p.Method}()",
        EnumShape e => $"{Helpers}.{e.Type.ReadMethod}(ref reader)",
        ClassShape c => $"{c.CSharpType}.Decode(ref reader)",
        StringShape s => $"reader.ReadString({Max(s.Max)})",
        OpaqueShape { IsFixed: true } o => $"reader.ReadFixedOpaque({Count(o.Size)})",
        OpaqueShape { IsPooled: true } o => $"reader.ReadPooledOpaque({Max(o.Size)})",
        OpaqueShape o => $"reader.ReadOpaque({Max(o.Size)})",
        ArrayShape { Element: PrimitiveShape { HasBulkArrays: true } p } a => a.IsFixed
            ? $"reader.ReadFixed{p.Method}Array({Count(a.Size)})"
            : $"reader.Read{p.Method}Array({Max(a.Size)})",
        ArrayShape { Element: ClassShape c } a => a.IsFixed
            ? $"reader.ReadFixedArray<{c.CSharpType}>({Count(a.Size)})"
            : $"reader.ReadArray<{c.CSharpType}>({Max(a.Size)})",
        OptionalShape { Element: ClassShape c } o => o.IsListLink ? $"reader.ReadList<{c.CSharpType}>()" : $"reader.ReadOptional<{c.CSharpType}>()",
        OptionalShape { Element: var element } when element.IsValueType => $"(reader.ReadBoolean() ? ({element.CSharpType}?){Read(element, context + "Value")} : null)",
        OptionalShape { Element: var element } => $"(reader.ReadBoolean() ? {Read(element, context + "Value")} : null)",
        _ => $"{Helper(shape, context, read: true)}(ref reader)",
    };

    /// <summary>Writes the statement that writes <paramref name="value"/> (an expression of the shape's type) to <c>writer</c>.</summary>
    public void Write(SourceWriter w, Shape shape, string value, string context)
    {
        w.Line(shape switch
        {
            VoidShape => "// void",
            PrimitiveShape p => $"writer.Write{p.Method}({value});",
            EnumShape e => $"{Helpers}.{e.Type.WriteMethod}(ref writer, {value});",
            ClassShape => $"writer.Write({value});",
            StringShape s => $"writer.WriteString({value}{MaxArgument(s.Max)});",
            OpaqueShape { IsFixed: true } o => $"writer.WriteFixedOpaque({value}, {Count(o.Size)});",
            OpaqueShape o => $"writer.WriteOpaque({value}{MaxArgument(o.Size)});",
            ArrayShape { Element: PrimitiveShape { HasBulkArrays: true } p } a => a.IsFixed
                ? $"writer.WriteFixed{p.Method}Array({value}, {Count(a.Size)});"
                : $"writer.Write{p.Method}Array({value}{MaxArgument(a.Size)});",
            ArrayShape { Element: ClassShape c } a => a.IsFixed
                ? $"writer.WriteFixedArray<{c.CSharpType}>({value}, {Count(a.Size)});"
                : $"writer.WriteArray<{c.CSharpType}>({value}{MaxArgument(a.Size)});",
            OptionalShape { Element: ClassShape } o => o.IsListLink ? $"writer.WriteList({value});" : $"writer.WriteOptional({value});",
            _ => $"{Helper(shape, context, read: false)}(ref writer, {value});",
        });
    }

    /// <summary>Writes the helper methods the reads and writes so far asked for (and those they ask for in turn).</summary>
    public void WriteHelpers(SourceWriter w)
    {
        while (_pending.TryDequeue(out var helper))
        {
            w.Line();
            if (helper.Read)
            {
                WriteReadHelper(w, helper.Name, helper.Shape);
            }
            else
            {
                WriteWriteHelper(w, helper.Name, helper.Shape);
            }
        }
    }

    /// <summary>An expression for a shape's value when nothing has been set: zero, empty, the first enum member, a new struct.</summary>
    /// <returns>The expression, or null when the C# default (0, false, null) is that value.</returns>
    public static string? Zero(Shape shape, HashSet<GeneratedType>? visiting = null) => shape switch
    {
        EnumShape e when e.Type.ZeroValue != 0 => e.Type.ZeroMember,
        StringShape => "string.Empty",
        OpaqueShape { IsFixed: true } o when o.Size.Value > 0 => $"new byte[{Count(o.Size)}]",
        OpaqueShape { IsPooled: true } => OpaqueShape.PooledType + ".Empty",
        OpaqueShape => "[]",
        ArrayShape { IsFixed: true } a when a.Size.Value > 0 => Zero(a.Element, visiting) is { } element
            ? $"global::NetRpc.Xdr.XdrCodec.Filled<{a.Element.CSharpType}>({Count(a.Size)}, static () => {element})"
            : "new " + ArrayCreation(a.Element.CSharpType, Count(a.Size)),
        ArrayShape => "[]",
        ClassShape { Type: StructType s } => $"new {s.FullName}()",
        ClassShape { Type: UnionType u } => UnionZero(u, visiting ?? []),
        _ => null,
    };

    /// <summary>The union value a zeroed C union is: the arm its discriminant's zero value selects, with a zero value.</summary>
    private static string UnionZero(UnionType union, HashSet<GeneratedType> visiting)
    {
        if (!visiting.Add(union))
        {
            return "null!";
        }

        try
        {
            (string literal, long value) = union.Discriminant.Shape switch
            {
                EnumShape e => (e.Type.ZeroMember, e.Type.ZeroValue),
                PrimitiveShape { Kind: XdrPrimitive.Bool } => ("false", 0L),
                PrimitiveShape { Kind: XdrPrimitive.UnsignedInt } => ("0U", 0L),
                _ => ("0", 0L),
            };
            Arm? arm = union.Arms.FirstOrDefault(a => a.Labels.Any(l => l.Value == value)) ?? union.DefaultArm;
            if (arm is null)
            {
                // Zero selects no arm (nor does anything else unnamed): the first arm, with its first label, is a value
                // that encodes, which null would not.
                arm = union.Arms.FirstOrDefault(a => !a.IsDefault && a.Labels.Length > 0);
                if (arm is null)
                {
                    return "null!";
                }

                literal = ClassEmitter.LabelValue(union.Discriminant.Shape, arm.Labels[0]);
            }

            if (arm.Value is null)
            {
                return $"{union.FullName}.{union.VoidFactory}({literal})";
            }

            string armValue = Zero(arm.Value.Shape, visiting) ?? (arm.Value.Shape is OptionalShape ? "null" : "default");
            return $"{union.FullName}.{arm.Factory}({literal}, {armValue})";
        }
        finally
        {
            visiting.Remove(union);
        }
    }

    /// <summary><c>new T[count]</c> for any element type, arrays of arrays included (<c>new int[count][]</c>).</summary>
    public static string ArrayCreation(string elementType, string count)
    {
        int rank = elementType.IndexOf('[', StringComparison.Ordinal);
        return rank < 0 ? $"{elementType}[{count}]" : $"{elementType[..rank]}[{count}]{elementType[rank..]}";
    }

    private string Helpers => model.Full(model.HelpersClass);

    private string Helper(Shape shape, string context, bool read)
    {
        Dictionary<Shape, string> names = read ? _readers : _writers;
        if (!names.TryGetValue(shape, out string? name))
        {
            name = scope.Claim((read ? "Read" : "Write") + context);
            names[shape] = name;
            _pending.Enqueue((name, shape, read));
        }

        return name;
    }

    private void WriteReadHelper(SourceWriter w, string name, Shape shape)
    {
        w.Open($"private static {shape.CSharpType} {name}(ref {Reader} reader)");
        switch (shape)
        {
            case ArrayShape a:
                w.Line(a.IsFixed
                    ? $"int count = {Count(a.Size)};"
                    : $"int count = reader.ReadArrayCount({Max(a.Size, forCount: true)}, {a.Element.MinSize.ToString(CultureInfo.InvariantCulture)});");
                w.Line($"var items = new {ArrayCreation(a.Element.CSharpType, "count")};");
                w.Open("for (int i = 0; i < items.Length; i++)");
                w.Line($"items[i] = {Read(a.Element, name[4..] + "Item")};");
                w.Close();
                w.Line("return items;");
                break;
            default:
                throw new InvalidOperationException($"no read helper for {shape}");
        }

        w.Close();
    }

    private void WriteWriteHelper(SourceWriter w, string name, Shape shape)
    {
        w.Open($"private static void {name}(ref {Writer} writer, {shape.CSharpType} value)");
        switch (shape)
        {
            case ArrayShape a:
                w.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
                if (a.IsFixed)
                {
                    w.Open($"if (value.Length != {Count(a.Size)})");
                    w.Line($"throw new global::System.ArgumentException($\"The fixed-length array must hold exactly {Count(a.Size)} elements; it holds {{value.Length}}.\", nameof(value));");
                    w.Close();
                }
                else
                {
                    w.Line($"writer.WriteArrayCount(value.Length{MaxArgument(a.Size)});");
                }

                w.Open($"foreach ({a.Element.CSharpType} item in value)");
                Write(w, a.Element, "item", name[5..] + "Item");
                w.Close();
                break;
            case OptionalShape o:
                w.Open("if (value is { } present)");
                w.Line("writer.WriteBoolean(true);");
                Write(w, o.Element, "present", name[5..] + "Value");
                w.Close();
                w.Open("else");
                w.Line("writer.WriteBoolean(false);");
                w.Close();
                break;
            default:
                throw new InvalidOperationException($"no write helper for {shape}");
        }

        w.Close();
    }

    /// <summary>A declared maximum as an argument (nothing for <c>&lt;&gt;</c>, which is the default).</summary>
    private static string MaxArgument(Size size) => size.IsUnbounded ? string.Empty : ", " + Max(size);

    private static string Max(Size size, bool forCount = false) => size.IsUnbounded
        ? (forCount ? "uint.MaxValue" : string.Empty)
        : size.Value.ToString(CultureInfo.InvariantCulture) + (size.ConstantName is null ? string.Empty : $" /* {size.ConstantName} */");

    private static string Count(Size size) => size.Value.ToString(CultureInfo.InvariantCulture) + (size.ConstantName is null ? string.Empty : $" /* {size.ConstantName} */");
}
