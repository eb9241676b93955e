using System.Collections.Immutable;
using NetRpc.RpcGen.Diagnostics;

namespace NetRpc.RpcGen.Model;

/// <summary>
/// A checked .x file: every name resolves, every value is evaluated, and nothing RFC 4506 or RFC 5531
/// forbids remains. Immutable. Types refer to one another by name (<see cref="NamedType"/>), resolved
/// through <see cref="FindType"/>, which is how recursive types stay immutable.
/// </summary>
public sealed class Specification
{
    private readonly ImmutableDictionary<string, TypeDefinition> _types;
    private readonly ImmutableDictionary<string, ConstantDefinition> _constants;

    /// <summary>Creates a specification. The checker is the only producer; see <c>RpcgenCompiler</c>.</summary>
    /// <param name="path">The input file.</param>
    /// <param name="definitions">Every definition, in source order (included files in place).</param>
    /// <param name="passthroughs">The <c>%</c> lines, in source order.</param>
    public Specification(string path, ImmutableArray<Definition> definitions, ImmutableArray<Passthrough> passthroughs)
    {
        Path = path;
        Definitions = definitions;
        Passthroughs = passthroughs;
        _types = definitions.OfType<TypeDefinition>().ToImmutableDictionary(d => d.Name, StringComparer.Ordinal);
        _constants = definitions.OfType<ConstantDefinition>().ToImmutableDictionary(d => d.Name, StringComparer.Ordinal);
    }

    /// <summary>The input file.</summary>
    public string Path { get; }

    /// <summary>Every definition in source order: constants, types and programs.</summary>
    public ImmutableArray<Definition> Definitions { get; }

    /// <summary>The <c>%</c> lines in source order. rpcgen copies them into its C outputs; what NetRpc does with them is the back end's choice.</summary>
    public ImmutableArray<Passthrough> Passthroughs { get; }

    /// <summary>The type definitions.</summary>
    public IEnumerable<TypeDefinition> Types => Definitions.OfType<TypeDefinition>();

    /// <summary>The constant definitions (enum members are on their enums).</summary>
    public IEnumerable<ConstantDefinition> Constants => Definitions.OfType<ConstantDefinition>();

    /// <summary>The programs.</summary>
    public IEnumerable<ProgramDefinition> Programs => Definitions.OfType<ProgramDefinition>();

    /// <summary>The type with this name, or null.</summary>
    /// <param name="name">The name as written in the .x file.</param>
    /// <returns>The definition, or null.</returns>
    public TypeDefinition? FindType(string name) => _types.GetValueOrDefault(name);

    /// <summary>The constant with this name, or null.</summary>
    /// <param name="name">The name as written in the .x file.</param>
    /// <returns>The definition, or null.</returns>
    public ConstantDefinition? FindConstant(string name) => _constants.GetValueOrDefault(name);
}

/// <summary>A <c>%</c> line.</summary>
/// <param name="Text">The line without the <c>%</c>.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Targets">The rpcgen outputs that would receive it (for example only the header, inside <c>#ifdef RPC_HDR</c>).</param>
public sealed record Passthrough(string Text, SourceLocation Location, Preprocessing.RpcgenTarget Targets);
