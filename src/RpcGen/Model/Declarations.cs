using System.Collections.Immutable;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Model;

/// <summary>The forms a declaration takes (RFC 4506 section 6.3).</summary>
public enum DeclarationKind
{
    /// <summary><c>void</c>: no data (union arms only).</summary>
    Void,

    /// <summary><c>T name</c>.</summary>
    Scalar,

    /// <summary><c>T name[n]</c>.</summary>
    FixedArray,

    /// <summary><c>T name&lt;m&gt;</c>.</summary>
    VariableArray,

    /// <summary><c>T *name</c>: optional data.</summary>
    Optional,

    /// <summary><c>opaque name[n]</c>.</summary>
    FixedOpaque,

    /// <summary><c>opaque name&lt;m&gt;</c>.</summary>
    VariableOpaque,

    /// <summary><c>string name&lt;m&gt;</c>.</summary>
    String,
}

/// <summary>A declaration: a field of a struct, an arm of a union, the discriminant, or what a typedef names.</summary>
/// <param name="Name">The name, or null for <c>void</c>.</param>
/// <param name="Kind">The form.</param>
/// <param name="Type">The element type (<see cref="PrimitiveType.Void"/> for void; the opaque and string forms carry their own element type).</param>
/// <param name="Size">The length of a fixed array or opaque, or the maximum of a variable one.</param>
/// <param name="Location">Where the name (or <c>void</c>) is.</param>
/// <param name="Documentation">The comment before the declaration or after it on the same line, or null.</param>
public sealed record Declaration(string? Name, DeclarationKind Kind, TypeReference Type, Size? Size, SourceLocation Location, string? Documentation)
{
    /// <summary>True for the forms that carry a length or maximum.</summary>
    public bool HasSize => Kind is DeclarationKind.FixedArray or DeclarationKind.VariableArray or DeclarationKind.FixedOpaque or DeclarationKind.VariableOpaque or DeclarationKind.String;
}

/// <summary>A length or maximum: its value, and the constant it was written as, if any.</summary>
/// <param name="Value">The value; <see cref="uint.MaxValue"/> for an unbounded <c>&lt;&gt;</c>.</param>
/// <param name="ConstantName">The constant's name when the size was written as one, or null.</param>
public sealed record Size(uint Value, string? ConstantName)
{
    /// <summary>The size of <c>&lt;&gt;</c>: no maximum but the wire format's own.</summary>
    public static Size Unbounded { get; } = new(uint.MaxValue, null);

    /// <summary>True for <c>&lt;&gt;</c>.</summary>
    public bool IsUnbounded => ReferenceEquals(this, Unbounded);
}

/// <summary>The members of an enum, named or anonymous.</summary>
/// <param name="Members">The members in source order.</param>
public sealed record EnumBody(ImmutableArray<EnumMember> Members);

/// <summary>An enum member.</summary>
/// <param name="Name">The name.</param>
/// <param name="Value">The value (given, or numbered the C way).</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The comment before or after it, or null.</param>
public sealed record EnumMember(string Name, int Value, SourceLocation Location, string? Documentation);

/// <summary>The fields of a struct, named or anonymous.</summary>
/// <param name="Fields">The fields in wire order.</param>
public sealed record StructBody(ImmutableArray<Declaration> Fields);

/// <summary>A union's discriminant and arms, named or anonymous.</summary>
/// <param name="Discriminant">The discriminant declaration (int, unsigned int, bool or an enum, possibly through typedefs).</param>
/// <param name="Arms">The case arms in source order.</param>
/// <param name="Default">The default arm, or null when the union has none (then an unlisted discriminant is invalid on the wire).</param>
public sealed record UnionBody(Declaration Discriminant, ImmutableArray<UnionArm> Arms, Declaration? Default);

/// <summary>One or more case labels sharing a declaration.</summary>
/// <param name="Labels">The labels.</param>
/// <param name="Declaration">The arm.</param>
public sealed record UnionArm(ImmutableArray<CaseLabel> Labels, Declaration Declaration);

/// <summary>A case label.</summary>
/// <param name="Value">The discriminant value it selects.</param>
/// <param name="ConstantName">The constant or enum member it was written as, or null for a number.</param>
/// <param name="Location">Where it is.</param>
public sealed record CaseLabel(long Value, string? ConstantName, SourceLocation Location);
