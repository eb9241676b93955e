using System.Numerics;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

internal sealed partial class SpecificationComparer
{
    private const string NamedInCode = "RFC 4506 section 4.18: a typedef declares no data, so the wire is unchanged; code that names it no longer compiles";
    private const string NotSent = "RFC 4506 section 7: a .x file may describe data kept or sent outside RPC (the RFC's example is a file), which has no type in the new file; no procedure of the old file sends it, and code that names it no longer compiles";
    private const string NamesInCode = "RFC 4506 section 4.14: type names are not on the wire; code that names it no longer compiles";
    private const string ConstantInCode = "RFC 4506 section 4.17: a constant declares no data, so the wire is unchanged; code that names it no longer compiles";
    private const string ConstantMeaning = "RFC 4506 section 4.17: no declaration of either file uses it as a length or case value, so what it numbers is the protocol's (a flag, a limit, a status), and peers built from the old file still use the old value";

    /// <summary>
    /// The types no procedure reached, by name, with the same rules: a .x file may describe records or files with no
    /// program at all (RFC 4506 section 7's example is one), and its readers and writers break as peers do.
    /// </summary>
    private void CompareUnreachedTypes()
    {
        HashSet<string> named = Uses(_old).Types;
        HashSet<string> sent = SentByProcedures(_old);
        foreach (TypeDefinition old in _old.Types)
        {
            if (_reachedOld.Contains(old.Name))
            {
                continue;
            }

            if (_new.FindType(old.Name) is not { } @new)
            {
                if (old is TypedefDefinition && named.Contains(old.Name))
                {
                    Report(DiagnosticDescriptors.TypeRemoved, Top(_new), old.Location, $"typedef {old.Name} removed; what used it is compared where it is used", NamedInCode);
                }
                else if (sent.Contains(old.Name))
                {
                    Report(DiagnosticDescriptors.TypeRemoved, Top(_new), old.Location, $"{Keyword(old)} {old.Name} removed; the procedures that sent it are compared where they changed", NamesInCode);
                }
                else
                {
                    Report(DiagnosticDescriptors.TypeRemoved, Top(_new), old.Location, $"{Keyword(old)} {old.Name} removed", NotSent);
                }

                continue;
            }

            if (_reachedNew.Contains(@new.Name))
            {
                continue; // the new file's type of this name stands where another of the old file's stood: compared there
            }

            CompareForms(new ValueForm(new NamedType(old.Name)), new ValueForm(new NamedType(@new.Name)), new Site($"{Keyword(@new)} {@new.Name}", @new.Location, old.Location));
            Drain();
        }
    }

    /// <summary>The named types the arguments and results of a specification's procedures reach, through every declaration.</summary>
    private static HashSet<string> SentByProcedures(Specification specification)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<TypeReference>();
        foreach (ProcedureDefinition procedure in specification.Programs.SelectMany(p => p.Versions).SelectMany(v => v.Procedures))
        {
            pending.Push(procedure.Result.Type);
            foreach (Argument argument in procedure.Arguments)
            {
                pending.Push(argument.Declaration.Type);
            }
        }

        while (pending.TryPop(out TypeReference? type))
        {
            object? body = type switch
            {
                NamedType named when sent.Add(named.Name) => specification.FindType(named.Name) switch
                {
                    TypedefDefinition typedef => typedef.Declaration.Type,
                    StructDefinition s => s.Body,
                    UnionDefinition u => u.Body,
                    _ => null,
                },
                InlineStructType s => s.Body,
                InlineUnionType u => u.Body,
                _ => null,
            };
            switch (body)
            {
                case TypeReference next:
                    pending.Push(next);
                    break;
                case StructBody s:
                    s.Fields.Select(f => f.Type).ToList().ForEach(pending.Push);
                    break;
                case UnionBody u:
                    pending.Push(u.Discriminant.Type);
                    u.Arms.Select(a => a.Declaration.Type).ToList().ForEach(pending.Push);
                    if (u.Default is { } fallback)
                    {
                        pending.Push(fallback.Type);
                    }

                    break;
            }
        }

        return sent;
    }

    private static string Keyword(TypeDefinition definition) => definition switch
    {
        EnumDefinition => "enum",
        StructDefinition => "struct",
        UnionDefinition => "union",
        _ => "typedef",
    };

    /// <summary>
    /// Constants by name. One used as a length or case value is not reported: the change shows where it is used. One
    /// used nowhere in the file numbers something only the protocol's prose knows, and a new value is reported.
    /// </summary>
    private void CompareConstants()
    {
        HashSet<string> used = [.. Uses(_old).Constants, .. Uses(_new).Constants];
        foreach (ConstantDefinition old in _old.Constants)
        {
            if (_new.FindConstant(old.Name) is not { } @new)
            {
                Report(DiagnosticDescriptors.ConstantRemoved, Top(_new), old.Location, $"constant {old.Name} removed", ConstantInCode);
            }
            else if (old.Value is BigInteger before && @new.Value is BigInteger after && before != after && !used.Contains(old.Name))
            {
                Report(DiagnosticDescriptors.ConstantChanged, @new.Location, old.Location, $"constant {old.Name} changed from {before} to {after}", ConstantMeaning);
            }
        }
    }

    /// <summary>The constants a specification's declarations name as lengths, maximums or case values, and the types they name.</summary>
    private static (HashSet<string> Constants, HashSet<string> Types) Uses(Specification specification)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var types = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Declaration>();
        foreach (Definition definition in specification.Definitions)
        {
            switch (definition)
            {
                case TypedefDefinition typedef:
                    pending.Push(typedef.Declaration);
                    break;
                case StructDefinition s:
                    Push(s.Body);
                    break;
                case UnionDefinition u:
                    Push(u.Body);
                    break;
                case ProgramDefinition program:
                    foreach (ProcedureDefinition procedure in program.Versions.SelectMany(v => v.Procedures))
                    {
                        pending.Push(procedure.Result);
                        foreach (Argument argument in procedure.Arguments)
                        {
                            pending.Push(argument.Declaration);
                        }
                    }

                    break;
            }
        }

        while (pending.TryPop(out Declaration? declaration))
        {
            if (declaration.Size?.ConstantName is { } size)
            {
                used.Add(size);
            }

            switch (declaration.Type)
            {
                case NamedType named:
                    types.Add(named.Name);
                    break;
                case InlineStructType s:
                    Push(s.Body);
                    break;
                case InlineUnionType u:
                    Push(u.Body);
                    break;
            }
        }

        return (used, types);

        void Push(object body)
        {
            if (body is StructBody s)
            {
                foreach (Declaration field in s.Fields)
                {
                    pending.Push(field);
                }
            }
            else if (body is UnionBody u)
            {
                pending.Push(u.Discriminant);
                foreach (UnionArm arm in u.Arms)
                {
                    pending.Push(arm.Declaration);
                    foreach (CaseLabel label in arm.Labels)
                    {
                        if (label.ConstantName is { } name)
                        {
                            used.Add(name);
                        }
                    }
                }

                if (u.Default is { } fallback)
                {
                    pending.Push(fallback);
                }
            }
        }
    }
}
