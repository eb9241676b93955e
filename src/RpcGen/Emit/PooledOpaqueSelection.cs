using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// Which variable-length opaque declarations are generated as <c>NetRpc.Xdr.PooledOpaque</c> rather than <c>byte[]</c>
/// (<see cref="GenerationOptions.AllOpaquePooled"/>, <see cref="GenerationOptions.PooledOpaque"/>): the one place that
/// decides it. Each name is resolved once to the declaration it names, a typedef's or a member's; the model asks
/// <see cref="Applies"/> of every declaration it shapes, so a typedef chosen is pooled wherever it is used (fields, arms,
/// arrays of it, optional data of it, procedure arguments and results), and a member chosen only there. A name that
/// is not variable-length opaque data is reported (RPCG4004), saying what it is instead.
/// </summary>
internal sealed class PooledOpaqueSelection
{
    private readonly bool _all;
    private readonly HashSet<Declaration> _chosen = new(ReferenceEqualityComparer.Instance);

    private PooledOpaqueSelection(bool all) => _all = all;

    /// <summary>Nothing pooled: the default.</summary>
    public static PooledOpaqueSelection None { get; } = new(false);

    /// <summary>Whether anything may be pooled; when not, no generated text mentions pooling.</summary>
    public bool IsEmpty => !_all && _chosen.Count == 0;

    /// <summary>Whether <paramref name="declaration"/>, when its shape is variable-length opaque data, is pooled.</summary>
    /// <param name="declaration">A declaration being shaped: a typedef's, a field, an arm, an argument, a result.</param>
    /// <returns>True when pooled.</returns>
    public bool Applies(Declaration declaration) => _all || _chosen.Contains(declaration);

    /// <summary>Resolves the names given against the file; each that names no variable-length opaque data is reported.</summary>
    /// <param name="specification">The checked file.</param>
    /// <param name="all">Whether every variable-length opaque declaration is pooled.</param>
    /// <param name="names">Typedef names and <c>Type.member</c> paths.</param>
    /// <param name="diagnostics">Where RPCG4004 goes.</param>
    /// <returns>The selection.</returns>
    public static PooledOpaqueSelection Resolve(Specification specification, bool all, IReadOnlyList<string> names, DiagnosticBag diagnostics)
    {
        if (!all && names.Count == 0)
        {
            return None;
        }

        var selection = new PooledOpaqueSelection(all);
        foreach (string name in names.Distinct(StringComparer.Ordinal))
        {
            if (Find(specification, name, out SourceLocation location, out string what) is { } declaration)
            {
                selection._chosen.Add(declaration);
            }
            else
            {
                diagnostics.Add(DiagnosticDescriptors.NotVariableOpaque, location, $"'{name}' is to be pooled opaque data, but {what}");
            }
        }

        return selection;
    }

    /// <summary>What names are: said after each wrong one that does not suggest a name of its own.</summary>
    private const string Expected = "name a typedef of variable-length opaque data (typedef opaque name<>), or a struct field or union arm of it as Type.member";

    /// <summary>
    /// The declaration <paramref name="name"/> names when it is variable-length opaque data; otherwise null, with where
    /// the name leads (the file's start when nowhere) and what it is instead.
    /// </summary>
    private static Declaration? Find(Specification specification, string name, out SourceLocation location, out string what)
    {
        location = new SourceLocation(specification.Path, 1, 1);
        string[] parts = name.Split('.');
        if (parts.Any(p => p.Length == 0))
        {
            what = $"it is not a name nor names joined by dots; {Expected}";
            return null;
        }

        if (specification.FindType(parts[0]) is not { } type)
        {
            if (specification.FindConstant(parts[0]) is { } constant)
            {
                location = constant.Location;
                what = $"'{parts[0]}' is a constant; {Expected}";
            }
            else if (specification.Programs.FirstOrDefault(p => p.Name == parts[0]) is { } program)
            {
                location = program.Location;
                what = $"'{parts[0]}' is a program; {Expected}";
            }
            else if (specification.Programs.SelectMany(p => p.Versions).SelectMany(v => v.Procedures).FirstOrDefault(p => p.Name == parts[0]) is { } procedure)
            {
                location = procedure.Location;
                what = $"'{parts[0]}' is a procedure: name the typedef of variable-length opaque data its arguments or result are declared with";
            }
            else
            {
                what = $"{Path.GetFileName(specification.Path)} declares no typedef, struct or union named '{parts[0]}'";
            }

            return null;
        }

        location = type.Location;
        Declaration? declaration = type is TypedefDefinition typedef ? typedef.Declaration : null;
        object? body = Body(type);
        string path = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            if (body is null)
            {
                what = declaration is { Kind: DeclarationKind.Scalar, Type: NamedType named } && specification.FindType(named.Name) is { } other && Body(other) is not null
                    ? $"'{path}' is {Describe(specification, declaration, type)}, a type of its own: name its member as {named.Name}.{parts[i]} (which pools it wherever {named.Name} is used)"
                    : $"'{path}' is {Describe(specification, declaration, type)}, which has no members";
                return null;
            }

            string member = body is StructBody ? "field" : "arm";
            declaration = Members(body).FirstOrDefault(d => d.Name == parts[i]);
            if (declaration is null)
            {
                what = $"{(body is StructBody ? "struct" : "union")} {path} has no {member} named '{parts[i]}'";
                return null;
            }

            location = declaration.Location;
            path += "." + parts[i];
            body = declaration.Kind == DeclarationKind.Scalar ? Body(declaration.Type) : null;
        }

        if (declaration is not null && IsVariableOpaque(specification, declaration))
        {
            what = string.Empty;
            return declaration;
        }

        if (parts.Length == 1 && body is not null)
        {
            string kind = body is StructBody ? "field" : "arm";
            what = Members(body).FirstOrDefault(d => IsVariableOpaque(specification, d)) is { } opaque
                ? $"it is {Describe(specification, declaration, type)}: name its {kind}, as {path}.{opaque.Name}"
                : $"it is {Describe(specification, declaration, type)} with no {kind} of variable-length opaque data";
            return null;
        }

        what = $"it is {Describe(specification, declaration, type)}; {Expected}";
        return null;
    }

    /// <summary>The fields of a struct; the discriminant and the arms of a union.</summary>
    private static IEnumerable<Declaration> Members(object body) => body switch
    {
        StructBody s => s.Fields,
        UnionBody u => [u.Discriminant, .. u.Arms.Select(a => a.Declaration), .. u.Default is { } d ? [d] : Array.Empty<Declaration>()],
        _ => [],
    };

    /// <summary>The struct or union body a type definition or reference stands for (a typedef of a struct written in place too), or null.</summary>
    private static object? Body(object type) => type switch
    {
        StructDefinition s => s.Body,
        UnionDefinition u => u.Body,
        TypedefDefinition { Declaration.Kind: DeclarationKind.Scalar } t => Body(t.Declaration.Type),
        InlineStructType s => s.Body,
        InlineUnionType u => u.Body,
        _ => null,
    };

    /// <summary>Whether a declaration is variable-length opaque data, declared so or through a chain of typedefs.</summary>
    private static bool IsVariableOpaque(Specification specification, Declaration declaration) =>
        End(specification, declaration).Kind == DeclarationKind.VariableOpaque;

    /// <summary>The declaration at the end of a chain of typedefs (<c>t2 x</c>, <c>typedef t1 t2</c>, <c>typedef opaque t1[8]</c>: the last).</summary>
    private static Declaration End(Specification specification, Declaration declaration)
    {
        var walked = new HashSet<string>(StringComparer.Ordinal);
        while (declaration.Kind == DeclarationKind.Scalar && declaration.Type is NamedType named
            && specification.FindType(named.Name) is TypedefDefinition typedef && walked.Add(named.Name))
        {
            declaration = typedef.Declaration;
        }

        return declaration;
    }

    /// <summary>What a name stands for, in words and .x text: <c>a struct</c>, <c>typedef string name&lt;&gt;</c>, <c>opaque h[8] (fixed-length opaque data, which stays byte[])</c>.</summary>
    private static string Describe(Specification specification, Declaration? declaration, TypeDefinition type)
    {
        if (declaration is null)
        {
            return type switch
            {
                StructDefinition => "a struct",
                UnionDefinition => "a union",
                _ => "an enum",
            };
        }

        string text = (ReferenceEquals(declaration, (type as TypedefDefinition)?.Declaration) ? "typedef " : string.Empty) + EmitModel.XdrText(declaration);
        Declaration end = End(specification, declaration);
        if (!ReferenceEquals(end, declaration))
        {
            text += $", that is typedef {EmitModel.XdrText(end)}";
        }

        return end switch
        {
            { Kind: DeclarationKind.FixedOpaque } => text + " (fixed-length opaque data, which stays byte[])",
            { Kind: DeclarationKind.String } => text + " (a string)",
            { Kind: DeclarationKind.Scalar, Type: NamedType named } when specification.FindType(named.Name) is { } definition and not TypedefDefinition =>
                text + (definition switch { StructDefinition => " (a struct)", UnionDefinition => " (a union)", _ => " (an enum)" }),
            { Kind: DeclarationKind.Scalar, Type: InlineStructType } => text + " (a struct)",
            { Kind: DeclarationKind.Scalar, Type: InlineUnionType } => text + " (a union)",
            _ => text,
        };
    }
}

/// <summary>What the generated documentation says of pooled opaque data: that it is pooled, and who disposes it.</summary>
internal static class PooledDocs
{
    private const string See = "<see cref=\"global::NetRpc.Xdr.PooledOpaque\"/>";

    /// <summary>A member's remark.</summary>
    public const string Member = $"Pooled memory ({See}): a client disposes what it receives; a server's runtime disposes what it decodes or writes, once the reply is written.";

    /// <summary>A client's argument: still the caller's.</summary>
    public const string ClientArgument = $"Its pooled data ({See}) stays the caller's, to dispose once the call is done.";

    /// <summary>A client's result or streamed element: the caller's.</summary>
    public const string ClientResult = $"Its pooled data ({See}) is the caller's to dispose.";

    /// <summary>A service's argument: the runtime's.</summary>
    public const string ServiceArgument = $"Its pooled data ({See}) is disposed by the runtime once the reply is written: copy what is kept (ToArray).";

    /// <summary>A service's result or streamed element: the runtime's.</summary>
    public const string ServiceResult = $"Its pooled data ({See}) is disposed by the runtime once the reply is written; return PooledOpaque.Wrap(bytes) for bytes kept.";

    /// <summary>Whether a member's own value is pooled opaque data, or an array or optional data of it.</summary>
    /// <param name="shape">The member's shape.</param>
    /// <returns>True when it is.</returns>
    public static bool IsPooled(Shape shape)
    {
        while (shape is ArrayShape or OptionalShape)
        {
            shape = shape is ArrayShape a ? a.Element : ((OptionalShape)shape).Element;
        }

        return shape is OpaqueShape { IsPooled: true };
    }
}
