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
    /// fixed arrays, structs, unions and typedefs, describes an infinite value. A depth-first search over
    /// "contains by value", with its path on a stack of its own: a chain of ten thousand typedefs or structs each
    /// containing the next is a valid file, and must not cost ten thousand frames of the thread's stack.
    /// </summary>
    private static void CheckRecursion(Specification specification, DiagnosticBag diagnostics)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var onPath = new Dictionary<string, int>(StringComparer.Ordinal); // name -> index in path
        var path = new List<TypeDefinition>();
        var pending = new Stack<IEnumerator<string>>();
        foreach (TypeDefinition root in specification.Types)
        {
            if (done.Contains(root.Name) || onPath.ContainsKey(root.Name))
            {
                continue;
            }

            Enter(root);
            while (pending.Count > 0)
            {
                IEnumerator<string> contained = pending.Peek();
                if (!contained.MoveNext())
                {
                    TypeDefinition finished = path[^1];
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(finished.Name);
                    done.Add(finished.Name);
                    pending.Pop().Dispose();
                    continue;
                }

                if (specification.FindType(contained.Current) is not { } next)
                {
                    continue;
                }

                if (onPath.TryGetValue(next.Name, out int start))
                {
                    string chain = string.Join(" -> ", path.Skip(start).Select(t => t.Name).Append(next.Name));
                    diagnostics.Add(DiagnosticDescriptors.RecursiveType, next.Location,
                        $"'{next.Name}' contains itself ({chain}); make one link optional data (*) or a variable-length array (<>)");
                }
                else if (!done.Contains(next.Name))
                {
                    Enter(next);
                }
            }
        }

        void Enter(TypeDefinition type)
        {
            onPath[type.Name] = path.Count;
            path.Add(type);
            pending.Push(ContainedByValue(type).Distinct(StringComparer.Ordinal).GetEnumerator());
        }
    }

    /// <summary>
    /// A typedef only gives a name to the type its declaration describes, so typedefs that lead back to themselves
    /// without passing a struct or union describe no type at all, whatever arrays and optional data lie on the way
    /// (<c>typedef list list&lt;&gt;;</c>); C refuses them too. The cycles made only of values and fixed arrays are
    /// <see cref="CheckRecursion"/>'s.
    /// </summary>
    /// <remarks>
    /// Each typedef leads to at most one other (the typedef its declaration names), so every typedef is walked once:
    /// a walk stops at a typedef already walked, and a cycle is a walk that meets itself. Each cycle is reported once,
    /// at its typedef that comes first in the file, with the chain starting there, in the order of those typedefs.
    /// </remarks>
    private static void CheckTypedefCycles(Specification specification, DiagnosticBag diagnostics)
    {
        List<TypedefDefinition> typedefs = [.. specification.Types.OfType<TypedefDefinition>()];
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < typedefs.Count; i++)
        {
            order.TryAdd(typedefs[i].Name, i);
        }

        var walked = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<(int First, TypedefDefinition Start, List<string> Chain)>();
        var walk = new List<TypedefDefinition>();
        var onWalk = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (TypedefDefinition root in typedefs)
        {
            walk.Clear();
            onWalk.Clear();
            TypedefDefinition? current = root;
            while (current is not null && !walked.Contains(current.Name))
            {
                onWalk[current.Name] = walk.Count;
                walk.Add(current);
                walked.Add(current.Name);
                current = Next(current);
            }

            if (current is not null && onWalk.TryGetValue(current.Name, out int start))
            {
                // The walk met itself: walk[start..] is a cycle. C refuses it only when it passes an array or optional data.
                List<TypedefDefinition> cycle = walk.GetRange(start, walk.Count - start);
                if (cycle.Any(t => t.Declaration.Kind is DeclarationKind.VariableArray or DeclarationKind.Optional))
                {
                    int first = cycle.Select((t, i) => (Order: order[t.Name], Index: i)).Min().Index;
                    List<string> chain = [.. cycle.Skip(first).Concat(cycle.Take(first)).Select(t => t.Name)];
                    cycles.Add((order[cycle[first].Name], cycle[first], chain));
                }
            }
        }

        foreach ((_, TypedefDefinition start, List<string> chain) in cycles.OrderBy(c => c.First))
        {
            diagnostics.Add(DiagnosticDescriptors.RecursiveType, start.Location,
                $"typedef '{start.Name}' names itself ({string.Join(" -> ", chain.Append(start.Name))}); a type can refer to itself only through a struct or union");
        }

        TypedefDefinition? Next(TypedefDefinition typedef) =>
            typedef.Declaration.Type is NamedType named ? specification.FindType(named.Name) as TypedefDefinition : null;
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
    /// procedure's arguments. Two .x names in one scope that become one C# name still get two (the generator
    /// appends <c>_</c> to the later), but one of them is not the name the reader expects.
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
                            $"{what} '{name}' and '{first.Name}' (at {first.Location}) both become '{csharp}' in C#; the one named later gets '_' appended to tell them apart (rename one, or generate with --names keep, for names of your choosing)");
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
