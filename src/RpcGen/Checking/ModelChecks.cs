using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Naming;

namespace NetRpc.RpcGen.Checking;

/// <summary>Rules that need the whole model: types that contain themselves, and .x names that collide once they are C# names.</summary>
internal static class ModelChecks
{
    public static void Run(Specification specification, NameStyle names, DiagnosticBag diagnostics)
    {
        CheckRecursion(specification, diagnostics);
        CheckTypedefCycles(specification, diagnostics);
        if (names == NameStyle.Pascal)
        {
            CheckCSharpNames(specification, diagnostics);
        }
    }

    /// <summary>
    /// A type may refer to itself only through optional data or a variable-length array, which can end the
    /// recursion on the wire (and are pointers in rpcgen's C); containing itself by value, directly or through
    /// fixed arrays, structs, unions and typedefs, describes an infinite value.
    /// </summary>
    private static void CheckRecursion(Specification specification, DiagnosticBag diagnostics)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<TypeDefinition>();
        foreach (TypeDefinition type in specification.Types)
        {
            Visit(type);
        }

        void Visit(TypeDefinition type)
        {
            state[type.Name] = 1;
            path.Add(type);
            foreach (string name in ContainedByValue(type).Distinct(StringComparer.Ordinal))
            {
                if (specification.FindType(name) is not { } next)
                {
                    continue;
                }

                if (state.GetValueOrDefault(next.Name) == 1)
                {
                    int start = path.FindIndex(t => t.Name == next.Name);
                    string chain = string.Join(" -> ", path.Skip(start).Select(t => t.Name).Append(next.Name));
                    diagnostics.Add(DiagnosticDescriptors.RecursiveType, next.Location,
                        $"'{next.Name}' contains itself ({chain}); make one link optional data (*) or a variable-length array (<>)");
                }
                else if (!state.ContainsKey(next.Name))
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[type.Name] = 2;
        }
    }

    /// <summary>
    /// A typedef only gives a name to the type its declaration describes, so typedefs that lead back to themselves
    /// without passing a struct or union describe no type at all, whatever arrays and optional data lie on the way
    /// (<c>typedef list list&lt;&gt;;</c>); C refuses them too. The cycles made only of values and fixed arrays are
    /// <see cref="CheckRecursion"/>'s.
    /// </summary>
    private static void CheckTypedefCycles(Specification specification, DiagnosticBag diagnostics)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (TypedefDefinition start in specification.Types.OfType<TypedefDefinition>())
        {
            var chain = new List<string> { start.Name };
            bool throughIndirection = false;
            Declaration declaration = start.Declaration;
            while (declaration.Type is NamedType named && specification.FindType(named.Name) is TypedefDefinition next)
            {
                throughIndirection |= declaration.Kind is DeclarationKind.VariableArray or DeclarationKind.Optional;
                if (next.Name == start.Name)
                {
                    if (throughIndirection && !reported.Contains(start.Name))
                    {
                        reported.UnionWith(chain); // once per cycle, at the typedef met first
                        diagnostics.Add(DiagnosticDescriptors.RecursiveType, start.Location,
                            $"typedef '{start.Name}' names itself ({string.Join(" -> ", chain.Append(start.Name))}); a type can refer to itself only through a struct or union");
                    }

                    break;
                }

                if (chain.Contains(next.Name))
                {
                    break; // a cycle that does not pass this typedef: reported from one of its own
                }

                chain.Add(next.Name);
                declaration = next.Declaration;
            }
        }
    }

    private static IEnumerable<string> ContainedByValue(TypeDefinition type) => type switch
    {
        StructDefinition s => s.Body.Fields.SelectMany(ContainedByValue),
        UnionDefinition u => ContainedByValue(u.Body),
        TypedefDefinition t => ContainedByValue(t.Declaration),
        _ => [],
    };

    private static IEnumerable<string> ContainedByValue(UnionBody body) =>
        body.Arms.Select(a => a.Declaration).Append(body.Discriminant).Concat(body.Default is null ? [] : [body.Default]).SelectMany(ContainedByValue);

    private static IEnumerable<string> ContainedByValue(Declaration declaration) => declaration.Kind switch
    {
        DeclarationKind.Scalar or DeclarationKind.FixedArray => declaration.Type switch
        {
            NamedType n => [n.Name],
            InlineStructType s => s.Body.Fields.SelectMany(ContainedByValue),
            InlineUnionType u => ContainedByValue(u.Body),
            _ => [],
        },
        _ => [],
    };

    /// <summary>
    /// Each C# scope the generated code will have: the namespace (types and programs), the constants class,
    /// each enum's members, each struct's fields, each union's members, each version's procedures and each
    /// procedure's arguments. Two .x names in one scope must not become one C# name.
    /// </summary>
    private static void CheckCSharpNames(Specification specification, DiagnosticBag diagnostics)
    {
        Check(specification.Definitions.Where(d => d is TypeDefinition or ProgramDefinition).Select(d => (d.Name, d.Location)), "type or program");
        Check(specification.Constants.Select(c => (c.Name, c.Location)), "constant");
        foreach (Definition definition in specification.Definitions)
        {
            switch (definition)
            {
                case EnumDefinition e:
                    Enum(e.Body);
                    break;
                case StructDefinition s:
                    Struct(s.Body);
                    break;
                case UnionDefinition u:
                    Union(u.Body);
                    break;
                case TypedefDefinition t:
                    Nested(t.Declaration.Type);
                    break;
                case ProgramDefinition p:
                    foreach (VersionDefinition version in p.Versions)
                    {
                        Check(version.Procedures.Select(x => (x.Name, x.Location)), "procedure");
                        foreach (ProcedureDefinition procedure in version.Procedures)
                        {
                            Check(procedure.Arguments.Select(a => (a.Name, a.Declaration.Location)), "argument");
                        }
                    }

                    break;
            }
        }

        void Enum(EnumBody body) => Check(body.Members.Select(m => (m.Name, m.Location)), "enum member");

        void Struct(StructBody body)
        {
            Check(body.Fields.Where(f => f.Name is not null).Select(f => (f.Name!, f.Location)), "field");
            foreach (Declaration field in body.Fields)
            {
                Nested(field.Type);
            }
        }

        void Union(UnionBody body)
        {
            IEnumerable<Declaration> members = body.Arms.Select(a => a.Declaration).Prepend(body.Discriminant).Concat(body.Default is null ? [] : [body.Default]).ToList();
            Check(members.Where(m => m.Name is not null).Select(m => (m.Name!, m.Location)), "union member");
            foreach (Declaration member in members)
            {
                Nested(member.Type);
            }
        }

        void Nested(TypeReference type)
        {
            switch (type)
            {
                case InlineEnumType e:
                    Enum(e.Body);
                    break;
                case InlineStructType s:
                    Struct(s.Body);
                    break;
                case InlineUnionType u:
                    Union(u.Body);
                    break;
            }
        }

        void Check(IEnumerable<(string Name, SourceLocation Location)> names, string what)
        {
            var seen = new Dictionary<string, (string Name, SourceLocation Location)>(StringComparer.Ordinal);
            foreach ((string name, SourceLocation location) in names)
            {
                string csharp = CSharpNames.Of(name, NameStyle.Pascal);
                if (seen.TryGetValue(csharp, out var first))
                {
                    if (first.Name != name)
                    {
                        diagnostics.Add(DiagnosticDescriptors.CSharpNameCollision, location,
                            $"{what} '{name}' and '{first.Name}' (at {first.Location}) both become '{csharp}' in C#; rename one, or generate with --names keep");
                    }
                }
                else
                {
                    seen.Add(csharp, (name, location));
                }
            }
        }
    }
}
