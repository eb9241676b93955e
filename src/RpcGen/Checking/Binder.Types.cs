using System.Collections.Immutable;
using System.Numerics;
using Antlr4.Runtime;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Naming;
using static NetRpc.RpcGen.Grammar.RpclParser;

namespace NetRpc.RpcGen.Checking;

internal sealed partial class Binder
{
    private readonly Dictionary<TypeSpecifierContext, TypeReference> _resolvedTypes = [];

    /// <summary>Where a declaration stands, which decides whether void and the array forms are allowed.</summary>
    private enum DeclarationPlace
    {
        Field,
        Arm,
        Discriminant,
        Typedef,
    }

    private Declaration BindDeclaration(DeclarationContext context, DeclarationPlace place, string? documentation = null)
    {
        documentation ??= place == DeclarationPlace.Typedef ? null : Documentation.OfMember(_tokens, context);
        switch (context)
        {
            case VoidDeclarationContext v:
                if (place != DeclarationPlace.Arm)
                {
                    Report(DiagnosticDescriptors.VoidNotAllowed, v, "void is allowed only as a union arm, or as the only argument or the result of a procedure");
                }

                return new Declaration(null, DeclarationKind.Void, PrimitiveType.Void, null, Locate(v), documentation);

            case OptionalDeclarationContext o:
            {
                TypeReference type = ResolveType(o.typeSpecifier());
                IToken name = o.IDENTIFIER().Symbol;
                if (type is PrimitiveType { Kind: XdrPrimitive.Void })
                {
                    Report(DiagnosticDescriptors.VoidNotAllowed, o, "void cannot be optional data");
                }
                else if (type is PrimitiveType { Kind: XdrPrimitive.Opaque or XdrPrimitive.String } p)
                {
                    Report(DiagnosticDescriptors.ArrayDeclarationExpected, name, ArrayExpectedMessage(p.Kind, name.Text));
                }
                else if (place == DeclarationPlace.Discriminant)
                {
                    Report(DiagnosticDescriptors.InvalidDiscriminantType, name, "a union discriminant must be a single int, unsigned int, bool or enum, not optional data");
                }

                return new Declaration(name.Text, DeclarationKind.Optional, type, null, Locate(name), documentation);
            }

            default:
            {
                var plain = (PlainDeclarationContext)context;
                TypeReference type = ResolveType(plain.typeSpecifier());
                IToken name = plain.IDENTIFIER().Symbol;
                ArraySuffixContext? suffix = plain.arraySuffix();
                DeclarationKind kind = KindOf(type, suffix);
                if (type is PrimitiveType { Kind: XdrPrimitive.Void })
                {
                    Report(DiagnosticDescriptors.VoidNotAllowed, plain, $"void cannot declare '{name.Text}'; a void union arm is written 'void;'");
                }
                else if (type is PrimitiveType { Kind: XdrPrimitive.Opaque or XdrPrimitive.String } p
                    && kind is not (DeclarationKind.FixedOpaque or DeclarationKind.VariableOpaque or DeclarationKind.String))
                {
                    Report(DiagnosticDescriptors.ArrayDeclarationExpected, name, ArrayExpectedMessage(p.Kind, name.Text));
                }
                else if (place == DeclarationPlace.Discriminant && kind != DeclarationKind.Scalar)
                {
                    Report(DiagnosticDescriptors.InvalidDiscriminantType, name, "a union discriminant must be a single int, unsigned int, bool or enum, not an array");
                }

                Model.Size? size = suffix is null ? null : BindSize(suffix);
                return new Declaration(name.Text, kind, type, size, Locate(name), documentation);
            }
        }
    }

    private static DeclarationKind KindOf(TypeReference type, ArraySuffixContext? suffix) => (type, suffix) switch
    {
        (PrimitiveType { Kind: XdrPrimitive.Opaque }, FixedArraySuffixContext) => DeclarationKind.FixedOpaque,
        (PrimitiveType { Kind: XdrPrimitive.Opaque }, VariableArraySuffixContext) => DeclarationKind.VariableOpaque,
        (PrimitiveType { Kind: XdrPrimitive.String }, VariableArraySuffixContext) => DeclarationKind.String,
        (_, FixedArraySuffixContext) => DeclarationKind.FixedArray,
        (_, VariableArraySuffixContext) => DeclarationKind.VariableArray,
        _ => DeclarationKind.Scalar,
    };

    private static string ArrayExpectedMessage(XdrPrimitive kind, string name) => kind == XdrPrimitive.String
        ? $"a string must be declared as a variable-length array: string {name}<> or string {name}<N>"
        : $"opaque data must be declared as an array: opaque {name}[N] or opaque {name}<> (or <N>)";

    private Model.Size BindSize(ArraySuffixContext suffix)
    {
        ValueContext? value = suffix switch
        {
            FixedArraySuffixContext f => f.value(),
            VariableArraySuffixContext v => v.value(),
            _ => null,
        };
        if (value is null)
        {
            return Model.Size.Unbounded;
        }

        Evaluated evaluated = Evaluate(value);
        if (evaluated.Value is not { } v2)
        {
            return Model.Size.Unbounded;
        }

        if (v2 < 0 || v2 > uint.MaxValue)
        {
            Report(DiagnosticDescriptors.SizeOutOfRange, value, $"a size must be between 0 and {uint.MaxValue}; {value.GetText()} is {v2}");
            return Model.Size.Unbounded;
        }

        return new Model.Size((uint)v2, evaluated.Name);
    }

    private TypeReference ResolveType(TypeSpecifierContext context)
    {
        if (_resolvedTypes.TryGetValue(context, out TypeReference? known))
        {
            return known;
        }

        TypeReference type = context switch
        {
            IntTypeContext t => Primitive(t.UNSIGNED() is null ? XdrPrimitive.Int : XdrPrimitive.UnsignedInt, t),
            HyperTypeContext t => Primitive(t.UNSIGNED() is null ? XdrPrimitive.Hyper : XdrPrimitive.UnsignedHyper, t),
            CIntegerTypeContext t => Primitive(t.UNSIGNED() is null ? XdrPrimitive.Int : XdrPrimitive.UnsignedInt, t) with
            {
                Narrow = t.SHORT() is not null ? NarrowInteger.Short : t.CHAR() is not null ? NarrowInteger.Char : NarrowInteger.None,
            },
            UnsignedTypeContext t => Primitive(XdrPrimitive.UnsignedInt, t),
            FloatTypeContext t => Primitive(XdrPrimitive.Float, t),
            DoubleTypeContext t => Primitive(XdrPrimitive.Double, t),
            QuadrupleTypeContext t => Primitive(XdrPrimitive.Quadruple, t),
            BoolTypeContext t => Primitive(XdrPrimitive.Bool, t),
            OpaqueTypeContext t => Primitive(XdrPrimitive.Opaque, t),
            StringTypeContext t => Primitive(XdrPrimitive.String, t),
            VoidTypeContext => PrimitiveType.Void,
            InlineEnumTypeContext t => new InlineEnumType(BindEnumBody(t.enumBody())),
            InlineStructTypeContext t => new InlineStructType(BindStructBody(t.structBody())),
            InlineUnionTypeContext t => new InlineUnionType(BindUnionBody(t.unionBody())),
            TaggedTypeContext t => ResolveTagged(t),
            NamedTypeContext t => ResolveName(t.IDENTIFIER().Symbol),
            _ => PrimitiveType.Void,
        };
        _resolvedTypes[context] = type;
        return type;
    }

    private static PrimitiveType Primitive(XdrPrimitive kind, ParserRuleContext spelling) =>
        new(kind, string.Join(' ', Enumerable.Range(0, spelling.ChildCount).Select(i => spelling.GetChild(i).GetText())));

    /// <summary><c>struct X</c>, <c>union X</c>, <c>enum X</c>: the name must be a definition of that kind.</summary>
    private TypeReference ResolveTagged(TaggedTypeContext context)
    {
        IToken name = context.IDENTIFIER().Symbol;
        string tag = context.GetChild(0).GetText();
        SymbolKind expected = tag switch
        {
            "struct" => SymbolKind.Struct,
            "union" => SymbolKind.Union,
            _ => SymbolKind.Enum,
        };
        if (!_symbols.TryGetValue(name.Text, out Symbol? symbol))
        {
            if (TryPredefinedDefinition(name) is { } predefined)
            {
                return predefined;
            }

            Report(DiagnosticDescriptors.UndefinedType, name, $"{tag} '{name.Text}' is not defined");
        }
        else if (symbol.Kind != expected)
        {
            Report(DiagnosticDescriptors.WrongKindOfName, name, $"'{name.Text}' is {symbol.Describe()}, not {(tag == "enum" ? "an" : "a")} {tag}");
        }

        return new NamedType(name.Text);
    }

    private TypeReference ResolveName(IToken name)
    {
        if (_symbols.TryGetValue(name.Text, out Symbol? symbol))
        {
            if (!symbol.IsType)
            {
                Report(DiagnosticDescriptors.WrongKindOfName, name, $"'{name.Text}' is {symbol.Describe()}, not a type");
            }

            return new NamedType(name.Text);
        }

        if (PredefinedNames.Types.TryGetValue(name.Text, out XdrPrimitive primitive))
        {
            TrustType(name, primitive == XdrPrimitive.UnsignedHyper || primitive == XdrPrimitive.Hyper
                ? $"{(primitive == XdrPrimitive.Hyper ? "hyper" : "unsigned hyper")} (8 bytes)"
                : $"{(primitive switch { XdrPrimitive.Int => "int", XdrPrimitive.Bool => "bool", _ => "unsigned int" })} (4 bytes)");
            return new PrimitiveType(primitive, name.Text) { Narrow = PredefinedNames.NarrowTypes.GetValueOrDefault(name.Text) };
        }

        if (TryPredefinedDefinition(name) is { } predefined)
        {
            return predefined;
        }

        Report(DiagnosticDescriptors.UndefinedType, name, $"type '{name.Text}' is not defined");
        return new NamedType(name.Text);
    }

    /// <summary>A C header type (netobj, des_block, netbuf): defined in the model at its first use, with a warning.</summary>
    private NamedType? TryPredefinedDefinition(IToken name)
    {
        if (_predefinedTypes.Any(d => d.Name == name.Text))
        {
            return new NamedType(name.Text);
        }

        if (PredefinedNames.Definition(name.Text, Locate(name)) is not { } definition)
        {
            return null;
        }

        TrustType(name, $"'{PredefinedNames.DefinitionNames[name.Text]}'");
        _predefinedTypes.Add(definition);
        return new NamedType(name.Text);
    }

    /// <summary>Warns, once per name, that a C type name is taken on trust; true the first time.</summary>
    private bool TrustType(IToken name, string meaning)
    {
        if (!_trusted.Add(name.Text))
        {
            return false;
        }

        Report(DiagnosticDescriptors.PredefinedType, name, $"'{name.Text}' is not an XDR type; NetRpc takes it as {meaning}, the C type it names");
        return true;
    }

    private EnumBody BindEnumBody(EnumBodyContext context)
    {
        var members = ImmutableArray.CreateBuilder<EnumMember>();
        foreach (EnumMemberContext member in context.enumMember())
        {
            IToken name = member.IDENTIFIER().Symbol;
            BigInteger? value = ValueOfMember(member);
            members.Add(new EnumMember(name.Text, value is { } v ? (int)v : 0, Locate(name), Documentation.OfMember(_tokens, member, mayHeadGroup: true)));
        }

        return new EnumBody(members.ToImmutable());
    }

    private StructBody BindStructBody(StructBodyContext context)
    {
        var scope = new Scope(this, "field");
        var fields = ImmutableArray.CreateBuilder<Declaration>();
        foreach (DeclarationContext declaration in context.declaration())
        {
            Declaration field = BindDeclaration(declaration, DeclarationPlace.Field);
            scope.Add(field.Name, field.Location);
            fields.Add(field);
        }

        return new StructBody(fields.ToImmutable());
    }

    private UnionBody BindUnionBody(UnionBodyContext context)
    {
        var scope = new Scope(this, "union member");
        Declaration discriminant = BindDeclaration(context.declaration(), DeclarationPlace.Discriminant);
        scope.Add(discriminant.Name, discriminant.Location);
        DiscriminantType? switchType = discriminant.Kind == DeclarationKind.Scalar ? ClassifyDiscriminant(discriminant) : null;

        var arms = ImmutableArray.CreateBuilder<UnionArm>();
        var seen = new Dictionary<long, SourceLocation>();
        foreach (CaseArmContext arm in context.caseArm())
        {
            var labels = ImmutableArray.CreateBuilder<CaseLabel>();
            foreach (ValueContext label in arm.value())
            {
                if (BindCaseLabel(label, switchType, seen) is { } bound)
                {
                    labels.Add(bound);
                }
            }

            Declaration declaration = BindDeclaration(arm.declaration(), DeclarationPlace.Arm);
            scope.Add(declaration.Name, declaration.Location);
            arms.Add(new UnionArm(labels.ToImmutable(), declaration));
        }

        Declaration? defaultArm = null;
        if (context.defaultArm() is { } d)
        {
            defaultArm = BindDeclaration(d.declaration(), DeclarationPlace.Arm);
            scope.Add(defaultArm.Name, defaultArm.Location);
        }

        return new UnionBody(discriminant, arms.ToImmutable(), defaultArm);
    }

    private CaseLabel? BindCaseLabel(ValueContext label, DiscriminantType? switchType, Dictionary<long, SourceLocation> seen)
    {
        Evaluated evaluated = Evaluate(label, allowCharacter: true);
        if (evaluated.Value is not { } value || switchType is null)
        {
            return null;
        }

        (BigInteger min, BigInteger max) = switchType.Kind switch
        {
            XdrPrimitive.UnsignedInt => ((BigInteger)0, (BigInteger)uint.MaxValue),
            XdrPrimitive.Bool => (BigInteger.Zero, BigInteger.One),
            _ => ((BigInteger)int.MinValue, (BigInteger)int.MaxValue),
        };
        if (value < min || value > max)
        {
            Report(DiagnosticDescriptors.CaseValueOutOfRange, label, $"case {label.GetText()} ({value}) does not fit the discriminant, {switchType.Description}, whose values are {min} to {max}");
            return null;
        }

        long key = (long)value;
        SourceLocation location = Locate(label);
        if (seen.TryGetValue(key, out SourceLocation first))
        {
            Report(DiagnosticDescriptors.DuplicateCaseValue, label, $"case {label.GetText()} ({value}) is already listed at {first}");
            return null;
        }

        seen.Add(key, location);
        if (switchType.EnumValues is { } members && !members.Contains((int)key))
        {
            Report(DiagnosticDescriptors.CaseValueNotInEnum, label, $"case {label.GetText()} ({value}) is not a member of {switchType.Description}");
        }

        return new CaseLabel(key, evaluated.Name, location);
    }

    /// <summary>What a union may switch on: int, unsigned int, bool or an enum, directly or through typedefs (RFC 4506 section 6.4).</summary>
    private sealed record DiscriminantType(XdrPrimitive Kind, string Description, HashSet<int>? EnumValues);

    private DiscriminantType? ClassifyDiscriminant(Declaration discriminant)
    {
        TypeReference type = discriminant.Type;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            switch (type)
            {
                case PrimitiveType { Kind: XdrPrimitive.Int or XdrPrimitive.UnsignedInt or XdrPrimitive.Bool } p:
                    return new DiscriminantType(p.Kind, p.Spelling, null);
                case InlineEnumType e:
                    return new DiscriminantType(XdrPrimitive.Int, "an anonymous enum", [.. e.Body.Members.Select(m => m.Value)]);
                case NamedType n when _symbols.TryGetValue(n.Name, out Symbol? symbol) && visited.Add(n.Name):
                    if (symbol.Repaired)
                    {
                        return null; // what it is cannot be known: its syntax error is reported
                    }

                    switch (symbol.Context)
                    {
                        case EnumDefinitionContext e:
                            return new DiscriminantType(XdrPrimitive.Int, $"enum {n.Name}",
                                [.. e.enumBody().enumMember().Select(ValueOfMember).OfType<BigInteger>().Select(v => (int)v)]);
                        case TypedefDefinitionContext { } t when t.declaration() is PlainDeclarationContext { } plain && plain.arraySuffix() is null:
                            type = ResolveType(plain.typeSpecifier());
                            continue;
                    }

                    break;
                case NamedType n when !_symbols.ContainsKey(n.Name):
                    return null; // undefined: already reported
            }

            _diagnostics.Add(DiagnosticDescriptors.InvalidDiscriminantType, discriminant.Location,
                $"a union discriminant must be int, unsigned int, bool or an enum (or a typedef of one); '{discriminant.Name}' is {Describe(type)}");
            return null;
        }
    }

    private static string Describe(TypeReference type) => type switch
    {
        PrimitiveType p => p.Spelling,
        NamedType n => $"'{n.Name}'",
        InlineStructType => "an anonymous struct",
        InlineUnionType => "an anonymous union",
        _ => "not an integer type",
    };

    /// <summary>One struct's or union's member names (RFC 4506 section 6.4: unique per scope; nested bodies open their own).</summary>
    private sealed class Scope(Binder binder, string what)
    {
        private readonly Dictionary<string, SourceLocation> _names = new(StringComparer.Ordinal);

        public void Add(string? name, SourceLocation location)
        {
            if (name is null)
            {
                return;
            }

            if (!_names.TryAdd(name, location))
            {
                binder._diagnostics.Add(DiagnosticDescriptors.DuplicateName, location, $"{what} '{name}' is already declared at {_names[name]}");
            }
        }
    }
}
