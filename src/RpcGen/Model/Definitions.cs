using System.Collections.Immutable;
using System.Numerics;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Model;

/// <summary>A top-level definition of a .x file.</summary>
/// <param name="Name">The name as written.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The comment that precedes the definition, without comment markers, or null.</param>
public abstract record Definition(string Name, SourceLocation Location, string? Documentation);

/// <summary><c>const NAME = value;</c> (RFC 4506 section 4.17), or rpcgen's <c>const NAME = "text";</c>.</summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Value">The integer value (for a string constant, null).</param>
/// <param name="Text">The value as written: digits, a name, or the string literal with its quotes.</param>
public sealed record ConstantDefinition(string Name, SourceLocation Location, string? Documentation, BigInteger? Value, string Text)
    : Definition(Name, Location, Documentation)
{
    /// <summary>True for rpcgen's string constants.</summary>
    public bool IsString => Value is null;
}

/// <summary>A named type: enum, struct, union or typedef.</summary>
public abstract record TypeDefinition(string Name, SourceLocation Location, string? Documentation)
    : Definition(Name, Location, Documentation);

/// <summary><c>enum NAME { ... };</c></summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Body">The members.</param>
public sealed record EnumDefinition(string Name, SourceLocation Location, string? Documentation, EnumBody Body)
    : TypeDefinition(Name, Location, Documentation);

/// <summary><c>struct NAME { ... };</c></summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Body">The fields.</param>
public sealed record StructDefinition(string Name, SourceLocation Location, string? Documentation, StructBody Body)
    : TypeDefinition(Name, Location, Documentation);

/// <summary><c>union NAME switch (...) { ... };</c></summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Body">The discriminant and arms.</param>
public sealed record UnionDefinition(string Name, SourceLocation Location, string? Documentation, UnionBody Body)
    : TypeDefinition(Name, Location, Documentation);

/// <summary><c>typedef declaration;</c>: a new name for a declaration (the name is the declaration's).</summary>
/// <param name="Name">The new name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Declaration">What the name stands for.</param>
public sealed record TypedefDefinition(string Name, SourceLocation Location, string? Documentation, Declaration Declaration)
    : TypeDefinition(Name, Location, Documentation);

/// <summary><c>program NAME { versions } = number;</c> (RFC 5531 section 12).</summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Number">The program number.</param>
/// <param name="Versions">The versions, in source order.</param>
public sealed record ProgramDefinition(string Name, SourceLocation Location, string? Documentation, uint Number, ImmutableArray<VersionDefinition> Versions)
    : Definition(Name, Location, Documentation);

/// <summary><c>version NAME { procedures } = number;</c></summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The preceding comment, or null.</param>
/// <param name="Number">The version number.</param>
/// <param name="Procedures">The procedures, in source order.</param>
public sealed record VersionDefinition(string Name, SourceLocation Location, string? Documentation, uint Number, ImmutableArray<ProcedureDefinition> Procedures);

/// <summary><c>result NAME(arguments) = number;</c></summary>
/// <param name="Name">The name.</param>
/// <param name="Location">Where the name is.</param>
/// <param name="Documentation">The comment before the procedure or after it on its line, or null.</param>
/// <param name="Number">The procedure number.</param>
/// <param name="Result">The result: <see cref="DeclarationKind.Void"/>, a scalar, or a <see cref="DeclarationKind.String"/> for rpcgen's bare <c>string</c>.</param>
/// <param name="Arguments">The arguments; empty for <c>void</c>. Several are sent one after another, as a struct would be (rpcgen -N).</param>
public sealed record ProcedureDefinition(string Name, SourceLocation Location, string? Documentation, uint Number, Declaration Result, ImmutableArray<Argument> Arguments);

/// <summary>A procedure argument.</summary>
/// <param name="Name">The name given in the .x file, or rpcgen's positional name (<c>arg1</c>, <c>arg2</c>, ...).</param>
/// <param name="IsNamed">Whether the .x file named it.</param>
/// <param name="Declaration">Its form: a scalar, optional data (<c>T *</c>), or a <see cref="DeclarationKind.String"/> for a bare <c>string</c>.</param>
public sealed record Argument(string Name, bool IsNamed, Declaration Declaration);
