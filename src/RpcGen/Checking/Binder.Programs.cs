using System.Collections.Immutable;
using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;
using static NetRpc.RpcGen.Grammar.RpclParser;

namespace NetRpc.RpcGen.Checking;

internal sealed partial class Binder
{
    private ProgramDefinition BindProgram(ProgramDefinitionContext context, string? documentation)
    {
        IToken name = context.IDENTIFIER().Symbol;
        uint number = Number(context.value(), "a program number");
        var versionNames = new Scope(this, "version");
        var versionNumbers = new Dictionary<uint, SourceLocation>();
        var versions = ImmutableArray.CreateBuilder<VersionDefinition>();
        foreach (VersionDefinitionContext version in context.versionDefinition())
        {
            IToken versionName = version.IDENTIFIER().Symbol;
            uint versionNumber = Number(version.value(), "a version number");
            versionNames.Add(versionName.Text, Locate(versionName));
            if (!versionNumbers.TryAdd(versionNumber, Locate(version.value())))
            {
                Report(DiagnosticDescriptors.DuplicateVersionNumber, version.value(), $"version number {versionNumber} of program '{name.Text}' is already used at {versionNumbers[versionNumber]}");
            }

            versions.Add(new VersionDefinition(versionName.Text, Locate(versionName), Documentation.OfDefinition(_tokens, version), versionNumber, BindProcedures(version)));
        }

        return new ProgramDefinition(name.Text, Locate(name), documentation, number, versions.ToImmutable());
    }

    private ImmutableArray<ProcedureDefinition> BindProcedures(VersionDefinitionContext version)
    {
        var names = new Scope(this, "procedure");
        var numbers = new Dictionary<uint, SourceLocation>();
        var procedures = ImmutableArray.CreateBuilder<ProcedureDefinition>();
        foreach (ProcedureDefinitionContext procedure in version.procedureDefinition())
        {
            IToken name = procedure.IDENTIFIER().Symbol;
            uint number = Number(procedure.value(), "a procedure number");
            names.Add(name.Text, Locate(name));
            if (!numbers.TryAdd(number, Locate(procedure.value())))
            {
                Report(DiagnosticDescriptors.DuplicateProcedureNumber, procedure.value(), $"procedure number {number} of version '{version.IDENTIFIER().GetText()}' is already used at {numbers[number]}");
            }

            procedures.Add(new ProcedureDefinition(name.Text, Locate(name), Documentation.OfMember(_tokens, procedure), number, BindResult(procedure.typeSpecifier()), BindArguments(procedure)));
        }

        return procedures.ToImmutable();
    }

    /// <summary>A result: void, a type, or a bare <c>string</c>, which rpcgen reads as <c>string&lt;&gt;</c>; opaque needs a typedef.</summary>
    private Declaration BindResult(TypeSpecifierContext context)
    {
        TypeReference type = ResolveType(context);
        SourceLocation location = Locate(context);
        switch (type)
        {
            case PrimitiveType { Kind: XdrPrimitive.Void }:
                return new Declaration(null, DeclarationKind.Void, type, null, location, null);
            case PrimitiveType { Kind: XdrPrimitive.String }:
                return new Declaration(null, DeclarationKind.String, type, Model.Size.Unbounded, location, null);
            case PrimitiveType { Kind: XdrPrimitive.Opaque }:
                Report(DiagnosticDescriptors.IllegalProcedureType, context, "opaque is not a valid result type; declare a typedef such as 'typedef opaque data<>;' and return that");
                break;
        }

        return new Declaration(null, DeclarationKind.Scalar, type, null, location, null);
    }

    /// <summary>
    /// Arguments: none, <c>void</c> alone, or one or more types, named or not (rpcgen -N sends several one after
    /// another, as a struct; unnamed ones are arg1, arg2, ... by position).
    /// </summary>
    private ImmutableArray<Argument> BindArguments(ProcedureDefinitionContext procedure)
    {
        ArgumentContext[] arguments = procedure.argument();
        if (arguments.Length == 1 && arguments[0].typeSpecifier() is VoidTypeContext && arguments[0].IDENTIFIER() is null
            && arguments[0].STAR() is null && arguments[0].arraySuffix() is null)
        {
            return [];
        }

        var names = new Scope(this, "argument");
        var bound = ImmutableArray.CreateBuilder<Argument>();
        for (int i = 0; i < arguments.Length; i++)
        {
            ArgumentContext argument = arguments[i];
            TypeReference type = ResolveType(argument.typeSpecifier());
            IToken? given = argument.IDENTIFIER()?.Symbol;
            string name = given?.Text ?? $"arg{i + 1}";
            SourceLocation location = Locate(given ?? argument.Start);
            names.Add(name, location);
            DeclarationKind kind = argument.STAR() is null ? DeclarationKind.Scalar : DeclarationKind.Optional;

            if (type is PrimitiveType { Kind: XdrPrimitive.Void })
            {
                Report(DiagnosticDescriptors.VoidNotAllowed, argument, "void must be a procedure's only argument");
            }
            else if (argument.arraySuffix() is not null)
            {
                Report(DiagnosticDescriptors.IllegalProcedureType, argument.arraySuffix(), "arrays cannot be declared as procedure arguments; declare a typedef for the array and pass that");
            }
            else if (type is PrimitiveType { Kind: XdrPrimitive.Opaque })
            {
                Report(DiagnosticDescriptors.IllegalProcedureType, argument, "opaque is not a valid argument type; declare a typedef such as 'typedef opaque data<>;' and pass that");
            }
            else if (type is PrimitiveType { Kind: XdrPrimitive.String })
            {
                if (argument.STAR() is not null)
                {
                    Report(DiagnosticDescriptors.IllegalProcedureType, argument, "a pointer to string is not allowed as a procedure argument");
                }

                kind = DeclarationKind.String;
            }

            Model.Size? size = kind == DeclarationKind.String ? Model.Size.Unbounded : null;
            bound.Add(new Argument(name, given is not null, new Declaration(name, kind, type, size, location, null)));
        }

        return bound.ToImmutable();
    }

    private uint Number(ValueContext value, string what) =>
        EvaluateInRange(value, 0, uint.MaxValue, DiagnosticDescriptors.ValueOutOfRange, what) is { } v ? (uint)v : 0;

    /// <summary>
    /// A program number may appear in several program blocks (Solaris's nfs_prot.x defines NFS versions 2 and 3
    /// as two programs numbered 100003, and rpcgen registers both); what must be unique is each version of it.
    /// </summary>
    private void CheckProgramNumbers(IEnumerable<ProgramDefinition> programs)
    {
        var seen = new Dictionary<(uint Program, uint Version), (ProgramDefinition Program, VersionDefinition Version)>();
        foreach (ProgramDefinition program in programs)
        {
            foreach (VersionDefinition version in program.Versions)
            {
                if (seen.TryGetValue((program.Number, version.Number), out var first))
                {
                    if (!ReferenceEquals(first.Program, program))
                    {
                        _diagnostics.Add(DiagnosticDescriptors.DuplicateProgramNumber, version.Location,
                            $"program {program.Number} (0x{program.Number:x}) version {version.Number} is already defined by program '{first.Program.Name}' at {first.Version.Location}");
                    }
                }
                else
                {
                    seen.Add((program.Number, version.Number), (program, version));
                }
            }
        }
    }
}
