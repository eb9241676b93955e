using System.Collections.Immutable;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Grammar;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Preprocessing;
using static NetRpc.RpcGen.Grammar.RpclParser;

namespace NetRpc.RpcGen.Checking;

/// <summary>
/// Turns the parse tree into the checked model. Pass one records every global name (constants, enum members,
/// types and programs share one namespace: RFC 4506 section 6.4, RFC 5531 section 12.3), so that anything may
/// refer forward; pass two builds each definition, evaluating values on demand and reporting every rule
/// broken. The parse tree is only ever read.
/// </summary>
internal sealed partial class Binder
{
    private readonly PreprocessedSource _source;
    private readonly BufferedTokenStream _tokens;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);

    // Version and procedure names: rpcgen's C makes each a #define, so files use them as values
    // (rpcb_prot.x: "const rpcb_highproc_2 = RPCBPROC_CALLIT;"). A name may recur across versions.
    private readonly Dictionary<string, List<ValueContext>> _programNumbers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _trusted = new(StringComparer.Ordinal);
    private readonly List<TypeDefinition> _predefinedTypes = [];

    // %#define lines the header sees: constants to rpcgen's C, so files use them as values.
    private readonly Dictionary<string, PassthroughDefine> _passthroughDefines;

    public Binder(PreprocessedSource source, BufferedTokenStream tokens, DiagnosticBag diagnostics)
    {
        _source = source;
        _tokens = tokens;
        _diagnostics = diagnostics;
        _passthroughDefines = PassthroughDefine.Collect(source.Passthroughs);
    }

    public Specification Bind(SpecificationContext tree, string path)
    {
        foreach (DefinitionContext definition in tree.definition())
        {
            Collect(definition);
        }

        var definitions = new List<Definition>();
        foreach (DefinitionContext definition in tree.definition())
        {
            if (_diagnostics.IsFull)
            {
                break;
            }

            if (BindDefinition(definition) is { } bound)
            {
                definitions.Add(bound);
            }
        }

        CheckProgramNumbers(definitions.OfType<ProgramDefinition>());
        ImmutableArray<Passthrough> passthroughs = [.. _source.Passthroughs.Select(p => new Passthrough(p.Text, p.Location, p.Targets))];
        return new Specification(path, [.. _predefinedTypes, .. definitions], passthroughs);
    }

    private SourceLocation Locate(IToken token) => _source.Locate(token.Line, token.Column + 1);

    private SourceLocation Locate(ParserRuleContext context) => Locate(context.Start);

    private void Report(DiagnosticDescriptor descriptor, IToken at, string message) => _diagnostics.Add(descriptor, Locate(at), message);

    private void Report(DiagnosticDescriptor descriptor, ParserRuleContext at, string message) => _diagnostics.Add(descriptor, Locate(at), message);

    // ------------------------------------------------------------------ pass one: names

    private void Collect(DefinitionContext definition)
    {
        // Names are declared even from definitions the parser had to repair, so that their uses elsewhere
        // do not cascade into "undefined" errors; a name the parser made up (index -1) is not real.
        bool repaired = definition.GetChild(0) is not ParserRuleContext root || !IsWellFormed(root);
        switch (definition.GetChild(0))
        {
            case ConstantDefinitionContext c:
                Declare(SymbolKind.Constant, c.IDENTIFIER(), c, repaired);
                break;
            case TypedefDefinitionContext t when t.declaration() is { } declaration && !IsIdentityTypedef(t):
                Declare(SymbolKind.Typedef, DeclaredName(declaration), t, repaired);
                break;
            case EnumDefinitionContext e:
                Declare(SymbolKind.Enum, e.IDENTIFIER(), e, repaired);
                break;
            case StructDefinitionContext s:
                Declare(SymbolKind.Struct, s.IDENTIFIER(), s, repaired);
                break;
            case UnionDefinitionContext u:
                Declare(SymbolKind.Union, u.IDENTIFIER(), u, repaired);
                break;
            case ProgramDefinitionContext p:
                Declare(SymbolKind.Program, p.IDENTIFIER(), p, repaired);
                foreach (VersionDefinitionContext version in p.versionDefinition())
                {
                    DeclareNumber(version.IDENTIFIER(), version.value());
                    foreach (ProcedureDefinitionContext procedure in version.procedureDefinition())
                    {
                        DeclareNumber(procedure.IDENTIFIER(), procedure.value());
                    }
                }

                break;
        }

        // Enum members are C enumerators: global constants, wherever the enum is written (named or inline).
        foreach (EnumBodyContext body in Descendants<EnumBodyContext>(definition))
        {
            foreach (EnumMemberContext member in body.enumMember())
            {
                Declare(SymbolKind.EnumMember, member.IDENTIFIER(), member, repaired);
            }
        }
    }

    private void Declare(SymbolKind kind, ITerminalNode? name, ParserRuleContext context, bool repaired)
    {
        if (name?.Symbol is { TokenIndex: >= 0 } token)
        {
            Declare(new Symbol(kind, token, context) { Repaired = repaired });
        }
    }

    private void DeclareNumber(ITerminalNode? name, ValueContext? value)
    {
        if (name?.Symbol is { TokenIndex: >= 0 } token && value is not null)
        {
            if (!_programNumbers.TryGetValue(token.Text, out List<ValueContext>? values))
            {
                _programNumbers[token.Text] = values = [];
            }

            values.Add(value);
        }
    }

    private void Declare(Symbol symbol)
    {
        symbol.Location = Locate(symbol.NameToken);
        if (_symbols.TryGetValue(symbol.Name, out Symbol? existing))
        {
            _diagnostics.Add(DiagnosticDescriptors.DuplicateName, symbol.Location,
                $"'{symbol.Name}' is already defined as {existing.Describe()} at {existing.Location}");
            return;
        }

        _symbols.Add(symbol.Name, symbol);
    }

    private static ITerminalNode? DeclaredName(DeclarationContext declaration) => declaration switch
    {
        PlainDeclarationContext plain => plain.IDENTIFIER(),
        OptionalDeclarationContext optional => optional.IDENTIFIER(),
        _ => null,
    };

    /// <summary>
    /// <c>typedef struct X X;</c> (or <c>typedef X X;</c>): legal C, since struct tags and typedef names are
    /// separate namespaces, and seen in real files (nis.x). In XDR's single namespace it names nothing new.
    /// </summary>
    private static bool IsIdentityTypedef(TypedefDefinitionContext typedef) =>
        typedef.declaration() is PlainDeclarationContext { } plain
        && plain.arraySuffix() is null
        && plain.IDENTIFIER() is { } name
        && plain.typeSpecifier() switch
        {
            TaggedTypeContext tagged => tagged.IDENTIFIER()?.GetText() == name.GetText(),
            NamedTypeContext named => named.IDENTIFIER()?.GetText() == name.GetText(),
            _ => false,
        };

    /// <summary>
    /// True when the parser needed no repair anywhere inside <paramref name="root"/>. Only such definitions are
    /// bound: a repaired tree has holes, and what it would mean is a guess; its syntax error was reported.
    /// </summary>
    private static bool IsWellFormed(IParseTree root)
    {
        var stack = new Stack<IParseTree>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            IParseTree node = stack.Pop();
            if (node is IErrorNode || node is ParserRuleContext { exception: not null })
            {
                return false;
            }

            for (int i = 0; i < node.ChildCount; i++)
            {
                stack.Push(node.GetChild(i));
            }
        }

        return true;
    }

    private static IEnumerable<T> Descendants<T>(IParseTree root) where T : class, IParseTree
    {
        var stack = new Stack<IParseTree>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            IParseTree node = stack.Pop();
            if (node is T match)
            {
                yield return match;
            }

            for (int i = node.ChildCount - 1; i >= 0; i--)
            {
                stack.Push(node.GetChild(i));
            }
        }
    }

    /// <summary>True when <paramref name="context"/>'s name is the one recorded in pass one (not a duplicate).</summary>
    private bool Owns(ITerminalNode? name, ParserRuleContext context) =>
        name is not null && _symbols.TryGetValue(name.GetText(), out Symbol? symbol) && ReferenceEquals(symbol.Context, context);

    // ------------------------------------------------------------------ pass two: definitions

    private Definition? BindDefinition(DefinitionContext definition)
    {
        if (definition.GetChild(0) is not ParserRuleContext context || !IsWellFormed(context))
        {
            return null;
        }

        string? documentation = Documentation.OfDefinition(_tokens, context);
        RpcgenTarget targets = _source.TargetsOf(context.Start.Line);
        if (targets != RpcgenTarget.All && targets != RpcgenTarget.None)
        {
            Report(DiagnosticDescriptors.PartialTargetDefinition, context.Start,
                $"this definition is inside a conditional that only rpcgen's {targets} output sees; NetRpc generates types and code together and includes it");
        }

        switch (context)
        {
            case ConstantDefinitionContext c when Owns(c.IDENTIFIER(), c):
                return BindConstant(c, documentation);
            case TypedefDefinitionContext t when IsIdentityTypedef(t):
                // "typedef struct X X;" is what rpcgen writes for every struct anyway: it adds nothing.
                ResolveType(((PlainDeclarationContext)t.declaration()).typeSpecifier());
                return null;
            case TypedefDefinitionContext t:
                Declaration declaration = BindDeclaration(t.declaration(), DeclarationPlace.Typedef, documentation);
                return declaration.Name is { } name && Owns(DeclaredName(t.declaration()), t)
                    ? new TypedefDefinition(name, declaration.Location, documentation, declaration)
                    : null;
            case EnumDefinitionContext e:
                EnumBody enumBody = BindEnumBody(e.enumBody());
                return Owns(e.IDENTIFIER(), e) ? new EnumDefinition(e.IDENTIFIER().GetText(), Locate(e.IDENTIFIER().Symbol), documentation, enumBody) : null;
            case StructDefinitionContext s:
                StructBody structBody = BindStructBody(s.structBody());
                return Owns(s.IDENTIFIER(), s) ? new StructDefinition(s.IDENTIFIER().GetText(), Locate(s.IDENTIFIER().Symbol), documentation, structBody) : null;
            case UnionDefinitionContext u:
                UnionBody unionBody = BindUnionBody(u.unionBody());
                return Owns(u.IDENTIFIER(), u) ? new UnionDefinition(u.IDENTIFIER().GetText(), Locate(u.IDENTIFIER().Symbol), documentation, unionBody) : null;
            case ProgramDefinitionContext p:
                ProgramDefinition program = BindProgram(p, documentation);
                return Owns(p.IDENTIFIER(), p) ? program : null;
            default:
                return null;
        }
    }

    private ConstantDefinition BindConstant(ConstantDefinitionContext context, string? documentation)
    {
        Symbol symbol = _symbols[context.IDENTIFIER().GetText()];
        System.Numerics.BigInteger? value = EvaluateConstant(symbol);
        string text = context.STRING_LITERAL()?.GetText() ?? context.value().GetText();
        return new ConstantDefinition(symbol.Name, symbol.Location, documentation, value, text);
    }

    /// <summary>What a name in the global namespace is, as pass one found it.</summary>
    private enum SymbolKind
    {
        Constant,
        EnumMember,
        Typedef,
        Enum,
        Struct,
        Union,
        Program,
    }

    /// <summary>An object-like <c>#define</c> on a <c>%</c> line that rpcgen copies into its header.</summary>
    private sealed class PassthroughDefine
    {
        public PassthroughDefine(PassthroughLine line, string replacement)
        {
            Line = line;
            Replacement = replacement;
            Node = new PassthroughNode(this);
        }

        public PassthroughLine Line { get; }

        public string Replacement { get; }

        /// <summary>Its value, evaluated when first used.</summary>
        public ValueNode Node { get; }

        /// <summary>The defines of lines the header sees; where a name is defined twice, the last one is what the C code sees.</summary>
        public static Dictionary<string, PassthroughDefine> Collect(IEnumerable<PassthroughLine> lines)
        {
            var defines = new Dictionary<string, PassthroughDefine>(StringComparer.Ordinal);
            foreach (PassthroughLine line in lines)
            {
                if ((line.Targets & RpcgenTarget.Header) != 0 && Parse(line.Text) is (string name, string replacement))
                {
                    defines[name] = new PassthroughDefine(line, replacement);
                }
            }

            return defines;
        }

        private static (string Name, string Replacement)? Parse(string text)
        {
            ReadOnlySpan<char> rest = text.AsSpan().TrimStart();
            if (!rest.StartsWith('#'))
            {
                return null;
            }

            rest = rest[1..].TrimStart(" \t");
            if (!rest.StartsWith("define", StringComparison.Ordinal) || rest.Length == 6 || rest[6] is not (' ' or '\t'))
            {
                return null;
            }

            rest = rest[6..].TrimStart(" \t");
            int length = 0;
            while (length < rest.Length && (char.IsAsciiLetterOrDigit(rest[length]) || rest[length] == '_'))
            {
                length++;
            }

            // Function-like macros (a parenthesis right after the name) are not constants.
            if (length == 0 || char.IsAsciiDigit(rest[0]) || (length < rest.Length && rest[length] == '('))
            {
                return null;
            }

            string replacement = System.Text.RegularExpressions.Regex.Replace(rest[length..].ToString(), @"/\*.*?\*/|//.*$", " ").Trim();
            return replacement.Length == 0 ? null : (rest[..length].ToString(), replacement);
        }
    }

    private sealed class Symbol(SymbolKind kind, IToken name, ParserRuleContext context)
    {
        public SymbolKind Kind { get; } = kind;

        public string Name { get; } = name.Text;

        public IToken NameToken { get; } = name;

        public ParserRuleContext Context { get; } = context;

        /// <summary>
        /// Declared from a definition the parser had to repair: the name resolves, but its tree has holes, so it has
        /// no value and no shape (its syntax error was reported); nothing reads its tree.
        /// </summary>
        public bool Repaired { get; init; }

        public SourceLocation Location { get; set; }

        /// <summary>For constants, enum members and programs: their value, evaluated when first used (see <see cref="NodeOf"/>).</summary>
        public ValueNode? Node { get; set; }

        public bool IsType => Kind is SymbolKind.Typedef or SymbolKind.Enum or SymbolKind.Struct or SymbolKind.Union;

        public string Describe() => Kind switch
        {
            SymbolKind.Constant => "a constant",
            SymbolKind.EnumMember => "an enum member",
            SymbolKind.Typedef => "a typedef",
            SymbolKind.Enum => "an enum",
            SymbolKind.Struct => "a struct",
            SymbolKind.Union => "a union",
            _ => "a program",
        };
    }
}
