using System.Globalization;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>
/// What a declaration puts on the wire, one level at a time (RFC 4506 section 4), its element left as written.
/// Typedefs are seen through only where a comparison needs it (<see cref="FormReader.Resolve"/>), so that a typedef
/// both files use and one of them changed is compared, and reported, once, where it is defined.
/// </summary>
internal abstract record Form;

/// <summary><c>void</c>: no data (RFC 4506 section 4.16).</summary>
internal sealed record VoidForm : Form
{
    public static VoidForm Instance { get; } = new();
}

/// <summary>One value of a type as written: a primitive, a type name, or an enum, struct or union written in place.</summary>
internal sealed record ValueForm(TypeReference Type) : Form;

/// <summary><c>opaque[n]</c>, <c>opaque&lt;n&gt;</c> or <c>string&lt;n&gt;</c> (RFC 4506 sections 4.9 to 4.11).</summary>
internal sealed record BytesForm(bool IsFixed, bool IsString, uint Size) : Form;

/// <summary><c>T[n]</c> or <c>T&lt;n&gt;</c> (RFC 4506 sections 4.12 and 4.13).</summary>
internal sealed record ArrayForm(bool IsFixed, uint Size, Form Element) : Form;

/// <summary><c>T *</c> (RFC 4506 section 4.19).</summary>
internal sealed record OptionalForm(Form Element) : Form;

/// <summary>An enum, struct or union, named or written in place, and where it is defined.</summary>
/// <param name="Keyword"><c>enum</c>, <c>struct</c> or <c>union</c>.</param>
/// <param name="Name">The name of its definition, or of the typedef it is written in; null for one written in a declaration.</param>
/// <param name="Body">The <see cref="EnumBody"/>, <see cref="StructBody"/> or <see cref="UnionBody"/>: one object per definition, which identifies it.</param>
/// <param name="Location">Its name, or the declaration it is written in.</param>
internal sealed record Aggregate(string Keyword, string? Name, object Body, SourceLocation Location)
{
    /// <summary>How messages call it.</summary>
    public string Display => Name is null ? $"anonymous {Keyword}" : $"{Keyword} {Name}";
}

/// <summary>A form with the typedefs at its head seen through.</summary>
/// <param name="Form">The form: never a <see cref="ValueForm"/> of a typedef.</param>
/// <param name="Aggregate">For a value of an enum, struct or union: which.</param>
/// <param name="Primitive">For a value of a primitive type: which.</param>
internal readonly record struct Resolved(Form Form, Aggregate? Aggregate, PrimitiveType? Primitive);

/// <summary>Reads the forms of one specification's declarations, and sees its typedefs through.</summary>
internal sealed class FormReader(Specification specification)
{
    /// <summary>Longer typedef chains than a checked model can hold end the walk: the checker refuses cycles.</summary>
    private const int MaxChain = 1_000_000;

    public Specification Specification { get; } = specification;

    /// <summary>The form of a declaration.</summary>
    public static Form Of(Declaration declaration) => declaration.Kind switch
    {
        DeclarationKind.Void => VoidForm.Instance,
        DeclarationKind.Scalar => new ValueForm(declaration.Type),
        DeclarationKind.FixedArray => new ArrayForm(true, declaration.Size!.Value, new ValueForm(declaration.Type)),
        DeclarationKind.VariableArray => new ArrayForm(false, declaration.Size!.Value, new ValueForm(declaration.Type)),
        DeclarationKind.Optional => new OptionalForm(new ValueForm(declaration.Type)),
        DeclarationKind.FixedOpaque => new BytesForm(true, false, declaration.Size!.Value),
        DeclarationKind.VariableOpaque => new BytesForm(false, false, declaration.Size!.Value),
        DeclarationKind.String => new BytesForm(false, true, declaration.Size!.Value),
        _ => throw new InvalidOperationException($"unknown declaration kind {declaration.Kind}"),
    };

    /// <summary>The typedef a form names, or null.</summary>
    public TypedefDefinition? TypedefOf(Form form) =>
        form is ValueForm { Type: NamedType named } ? Specification.FindType(named.Name) as TypedefDefinition : null;

    /// <summary>Sees the typedefs at the head of <paramref name="form"/> through, to what they stand for.</summary>
    /// <param name="form">The form as written.</param>
    /// <param name="at">Where the declaration is: the location of an enum, struct or union written in it.</param>
    public Resolved Resolve(Form form, SourceLocation at)
    {
        string? via = null;
        for (int links = 0; links < MaxChain && TypedefOf(form) is { } typedef; links++)
        {
            via = typedef.Name;
            at = typedef.Location;
            form = Of(typedef.Declaration);
        }

        if (form is not ValueForm value)
        {
            return new Resolved(form, null, null);
        }

        return value.Type switch
        {
            PrimitiveType primitive => new Resolved(form, null, primitive),
            NamedType named => Specification.FindType(named.Name) switch
            {
                EnumDefinition e => new Resolved(form, new Aggregate("enum", e.Name, e.Body, e.Location), null),
                StructDefinition s => new Resolved(form, new Aggregate("struct", s.Name, s.Body, s.Location), null),
                UnionDefinition u => new Resolved(form, new Aggregate("union", u.Name, u.Body, u.Location), null),
                _ => new Resolved(form, null, null), // a name the checker would have refused
            },
            _ => new Resolved(form, Written(value.Type, via, at), null),
        };
    }

    /// <summary>An enum, struct or union written in place, named after the typedef it is written in (which names a C# type), if any.</summary>
    public static Aggregate? Written(TypeReference type, string? typedefName, SourceLocation at) => type switch
    {
        InlineEnumType e => new Aggregate("enum", typedefName, e.Body, at),
        InlineStructType s => new Aggregate("struct", typedefName, s.Body, at),
        InlineUnionType u => new Aggregate("union", typedefName, u.Body, at),
        _ => null,
    };

    /// <summary>A form as the .x file would write it, for messages: <c>opaque&lt;64&gt;</c>, <c>fattr3 *</c>, <c>entry3&lt;&gt;</c>.</summary>
    public static string Describe(Form form) => form switch
    {
        VoidForm => "void",
        ValueForm { Type: PrimitiveType p } => p.Spelling,
        ValueForm { Type: NamedType n } => n.Name,
        ValueForm { Type: InlineEnumType } => "an anonymous enum",
        ValueForm { Type: InlineStructType } => "an anonymous struct",
        ValueForm { Type: InlineUnionType } => "an anonymous union",
        BytesForm b => $"{(b.IsString ? "string" : "opaque")}{Bounds(b.IsFixed, b.Size)}",
        ArrayForm a => $"{Describe(a.Element)}{Bounds(a.IsFixed, a.Size)}",
        OptionalForm o => $"{Describe(o.Element)} *",
        _ => form.ToString(),
    };

    /// <summary>A form for messages, with what a typedef it names stands for: <c>count3 (unsigned int)</c>.</summary>
    public string DescribeResolved(Form form)
    {
        string written = Describe(form);
        if (TypedefOf(form) is null)
        {
            return written;
        }

        Resolved resolved = Resolve(form, default);
        string meaning = resolved.Aggregate is { Name: { } name } aggregate ? $"{aggregate.Keyword} {name}" : Describe(resolved.Form);
        return meaning == written ? written : $"{written} ({meaning})";
    }

    /// <summary>A length or maximum for messages: <c>unbounded</c> for <c>&lt;&gt;</c>.</summary>
    public static string Length(uint size) => size == uint.MaxValue ? "unbounded" : size.ToString(CultureInfo.InvariantCulture);

    private static string Bounds(bool isFixed, uint size) =>
        isFixed ? $"[{size.ToString(CultureInfo.InvariantCulture)}]" : size == uint.MaxValue ? "<>" : $"<{size.ToString(CultureInfo.InvariantCulture)}>";
}
