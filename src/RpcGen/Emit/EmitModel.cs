using System.Collections.Immutable;
using System.Text;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Naming;

namespace NetRpc.RpcGen.Emit;

/// <summary>A C# type the generator writes for an enum, struct or union of the .x file (named or written in place).</summary>
internal abstract class GeneratedType(string name, string fullName, string xdrName, string? documentation)
{
    /// <summary>The C# name.</summary>
    public string Name { get; } = name;

    /// <summary>The name to refer to it by from anywhere: <c>global::</c>, namespace, enclosing types.</summary>
    public string FullName { get; } = fullName;

    /// <summary>How the .x file calls it (an anonymous type: the declaration it was written in).</summary>
    public string XdrName { get; } = xdrName;

    public string? Documentation { get; } = documentation;

    /// <summary>Types written in place inside this one's declarations, nested in its C# class.</summary>
    public List<GeneratedType> Nested { get; } = [];
}

/// <summary>A generated C# enum.</summary>
internal sealed class EnumType(string name, string fullName, string xdrName, string? documentation, EnumBody body)
    : GeneratedType(name, fullName, xdrName, documentation)
{
    public EnumBody Body { get; } = body;

    /// <summary>The C# name of each member, in source order.</summary>
    public List<(EnumMember Member, string Name)> Members { get; } = [];

    /// <summary>The helper methods that read and write it with validation (in the file's helper class).</summary>
    public string ReadMethod { get; set; } = string.Empty;

    public string WriteMethod { get; set; } = string.Empty;

    /// <summary>The member a new value starts at: the one whose value is 0, or else the first (C's zero may not be a member).</summary>
    public string ZeroMember => FullName + "." + (Members.FirstOrDefault(m => m.Member.Value == 0) is { Name: not null } zero ? zero.Name : Members[0].Name);

    /// <summary>The value of <see cref="ZeroMember"/>.</summary>
    public int ZeroValue => Members.Any(m => m.Member.Value == 0) ? 0 : Members[0].Member.Value;
}

/// <summary>A generated class with an XDR codec: a struct or a union.</summary>
internal abstract class ClassType(string name, string fullName, string xdrName, string? documentation)
    : GeneratedType(name, fullName, xdrName, documentation)
{
    private int _minSize = -1;
    private bool _computing;

    /// <summary>The member names taken in the class (members and nested types).</summary>
    public NameScope Scope { get; } = new();

    /// <summary>The names of the enclosing types and this one run together, for helper names (<c>FooBarType</c>).</summary>
    public string PathName { get; init; } = string.Empty;

    /// <summary>The fewest bytes a value takes on the wire (IXdrCodec.MinEncodedSize).</summary>
    public int MinSize
    {
        get
        {
            if (_minSize < 0)
            {
                // A type cannot contain itself except through optional data or arrays, which take 4 bytes at least.
                if (_computing)
                {
                    return 4;
                }

                Settle(this);
            }

            return _minSize;
        }
    }

    /// <summary>The shapes <see cref="ComputeMinSize"/> reads, in the order it reads them.</summary>
    protected abstract IEnumerable<Shape> MemberShapes { get; }

    protected abstract int ComputeMinSize();

    /// <summary>
    /// Computes the sizes of <paramref name="root"/> and, first, of every class it contains by value that has none
    /// yet, deepest first, with the path on a stack of its own: a struct may contain a struct that contains a struct,
    /// as long a chain as the file likes, and that must not cost a frame of the thread's stack per link.
    /// </summary>
    private static void Settle(ClassType root)
    {
        var path = new Stack<(ClassType Type, IEnumerator<ClassType> Contained)>();
        Enter(root);
        while (path.Count > 0)
        {
            (ClassType type, IEnumerator<ClassType> contained) = path.Peek();
            if (contained.MoveNext())
            {
                if (contained.Current is { _minSize: < 0, _computing: false } next)
                {
                    Enter(next);
                }

                continue;
            }

            path.Pop();
            contained.Dispose();
            type._minSize = type.ComputeMinSize();
            type._computing = false;
        }

        void Enter(ClassType type)
        {
            type._computing = true;
            path.Push((type, type.MemberShapes.SelectMany(ContainedByValue).GetEnumerator()));
        }
    }

    /// <summary>The classes whose size a value of <paramref name="shape"/> includes: itself, or the elements of a fixed array.</summary>
    private static IEnumerable<ClassType> ContainedByValue(Shape shape)
    {
        while (shape is ArrayShape { IsFixed: true } array)
        {
            shape = array.Element;
        }

        return shape is ClassShape { Type: var type } ? [type] : [];
    }

    protected static int Add(long a, long b) => (int)Math.Min(int.MaxValue, a + b);
}

/// <summary>A struct's field, a union's discriminant or arm, or a procedure argument.</summary>
internal sealed class Member(Declaration declaration, string name, string parameter, Shape shape)
{
    public Declaration Declaration { get; } = declaration;

    /// <summary>The property (or field) name.</summary>
    public string Name { get; } = name;

    /// <summary>The name as a parameter.</summary>
    public string Parameter { get; } = parameter;

    public Shape Shape { get; } = shape;
}

/// <summary>A generated struct class.</summary>
internal sealed class StructType(string name, string fullName, string xdrName, string? documentation, StructBody body)
    : ClassType(name, fullName, xdrName, documentation)
{
    public StructBody Body { get; } = body;

    public List<Member> Fields { get; } = [];

    /// <summary>
    /// True when the last field is optional data of this very struct (<c>entry *next</c>): a linked list, which
    /// is read and written in a loop (IXdrListNode) so that a million entries take no stack.
    /// </summary>
    public bool IsListNode => Fields.Count > 0 && Fields[^1].Shape is OptionalShape { Element: ClassShape { Type: var t } } && ReferenceEquals(t, this);

    protected override IEnumerable<Shape> MemberShapes => Fields.Select(f => f.Shape);

    protected override int ComputeMinSize() => Fields.Aggregate(0, (sum, f) => Add(sum, f.Shape.MinSize));
}

/// <summary>An arm of a union: its labels (none for default), and its value (null for void).</summary>
internal sealed class Arm(int index, ImmutableArray<CaseLabel> labels, bool isDefault, Member? value, string? storage, string? factory)
{
    public int Index { get; } = index;

    public ImmutableArray<CaseLabel> Labels { get; } = labels;

    public bool IsDefault { get; } = isDefault;

    public Member? Value { get; } = value;

    /// <summary>The private field holding the value.</summary>
    public string? Storage { get; } = storage;

    /// <summary>The factory method (From + arm name).</summary>
    public string? Factory { get; } = factory;
}

/// <summary>A generated union class.</summary>
internal sealed class UnionType(string name, string fullName, string xdrName, string? documentation, UnionBody body)
    : ClassType(name, fullName, xdrName, documentation)
{
    public UnionBody Body { get; } = body;

    public Member Discriminant { get; set; } = null!;

    /// <summary>The case arms in source order, then the default arm, if any.</summary>
    public List<Arm> Arms { get; } = [];

    /// <summary>The factory for void arms (<c>Of</c>), when there are any.</summary>
    public string? VoidFactory { get; set; }

    /// <summary>The private field holding the selected arm's index.</summary>
    public string ArmField { get; set; } = string.Empty;

    /// <summary>The one private field (of type object) that holds the arms of reference type, when there are several; null otherwise.</summary>
    public string? SharedField { get; set; }

    /// <summary>The private method mapping a discriminant to an arm index (-1: no arm).</summary>
    public string ArmOfMethod { get; set; } = string.Empty;

    public Arm? DefaultArm => Arms.FirstOrDefault(a => a.IsDefault);

    protected override IEnumerable<Shape> MemberShapes => Arms.Where(a => a.Value is not null).Select(a => a.Value!.Shape);

    protected override int ComputeMinSize() => Add(4, Arms.Count == 0 ? 0 : Arms.Min(a => a.Value?.Shape.MinSize ?? 0));
}

/// <summary>A program: its class of numbers, and its versions.</summary>
internal sealed class ProgramInfo(ProgramDefinition definition, string name)
{
    public ProgramDefinition Definition { get; } = definition;

    /// <summary>The static class holding the program number and a nested class per version.</summary>
    public string Name { get; } = name;

    public NameScope Scope { get; } = new(name, "Program");

    public List<VersionInfo> Versions { get; } = [];
}

/// <summary>A program version: numbers, client, service.</summary>
internal sealed class VersionInfo(ProgramInfo program, VersionDefinition definition, string name)
{
    public ProgramInfo Program { get; } = program;

    public VersionDefinition Definition { get; } = definition;

    /// <summary>The static class nested in the program's, with the version and procedure numbers.</summary>
    public string Name { get; } = name;

    public string FullName => $"{ProgramFullName}.{Name}";

    public string ProgramFullName { get; set; } = string.Empty;

    public NameScope Scope { get; } = new(name, "Version");

    public string ClientName { get; set; } = string.Empty;

    /// <summary>The interface the client class implements, for code that takes a client and tests that fake one.</summary>
    public string ClientInterfaceName { get; set; } = string.Empty;

    public string ServiceName { get; set; } = string.Empty;

    public string SampleServiceName { get; set; } = string.Empty;

    public List<ProcedureInfo> Procedures { get; } = [];

    /// <summary>Types written in place in procedure signatures, nested in the version's class.</summary>
    public List<GeneratedType> Nested { get; } = [];
}

/// <summary>A procedure: its constant, its arguments and result.</summary>
internal sealed class ProcedureInfo(ProcedureDefinition definition, string constant, List<Member> arguments, Shape result)
{
    public ProcedureDefinition Definition { get; } = definition;

    /// <summary>The procedure number's constant in the version class.</summary>
    public string Constant { get; } = constant;

    public List<Member> Arguments { get; } = arguments;

    public Shape Result { get; } = result;

    /// <summary>The method name on the client and the service (PascalCase + Async).</summary>
    public string Method { get; set; } = string.Empty;

    /// <summary>The private struct that carries several arguments (or one that is not a class) on the wire, or null.</summary>
    public string? ArgumentsWrapper { get; set; }

    /// <summary>The fields of <see cref="ArgumentsWrapper"/>, one per argument.</summary>
    public List<string> ArgumentFields { get; } = [];

    /// <summary>The private struct that carries a result that is not a class on the wire, or null.</summary>
    public string? ResultWrapper { get; set; }

    /// <summary>
    /// For a procedure whose reply is a stream: the element, what the TRUE arm of its result union holds; null otherwise.
    /// The client and the service see an <c>IAsyncEnumerable</c> of it.
    /// </summary>
    public Shape? StreamElement { get; set; }

    /// <summary>The private struct that carries a streamed element that is not a class on the wire, or null.</summary>
    public string? StreamElementWrapper { get; set; }

    /// <summary>The C# type of what the client and the service see: the result, or for a stream, the element.</summary>
    public string ValueType => StreamElement?.CSharpType ?? Result.CSharpType;

    /// <summary>NULL-like: number 0, no arguments, no result. The service answers it by default.</summary>
    public bool IsNull => Definition.Number == 0 && Arguments.Count == 0 && Result is VoidShape;
}

/// <summary>
/// Everything the emitters need, decided once: the C# name of every type, member, program, client and
/// service (collision-free), and the shape of every declaration with typedefs seen through.
/// </summary>
internal sealed class EmitModel
{
    private static readonly string[] s_classMembers = ["Encode", "Decode", "MinEncodedSize", "EncodeNodeFields", "DecodeNodeFields", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize"];

    private readonly Specification _specification;
    private readonly NameStyle _style;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<object, GeneratedType> _inline = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, GeneratedType> _named = new(StringComparer.Ordinal);
    private readonly NameScope _namespaceScope = new();
    private readonly NameScope _helperScope = new();
    private readonly Dictionary<string, Shape> _typedefShapes = new(StringComparer.Ordinal);
    private readonly HashSet<Shape> _tooDeep = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _streamed;

    /// <summary>Deepest nesting of arrays and optional data in one declaration's C# type, typedefs seen through.</summary>
    public const int MaxShapeNesting = Parsing.RpclTokenSource.MaxNesting;

    public EmitModel(Specification specification, NameStyle style, string @namespace, DiagnosticBag diagnostics, IReadOnlyList<string>? streamed = null, PooledOpaqueSelection? pooled = null)
    {
        _streamed = new HashSet<string>(streamed ?? [], StringComparer.Ordinal);
        Pooled = pooled ?? PooledOpaqueSelection.None;
        _specification = specification;
        _style = style;
        _diagnostics = diagnostics;
        Namespace = @namespace;
        Stem = Identifiers.NamespaceFor(specification.Path).TrimStart('_');
        if (Stem.Length == 0 || char.IsDigit(Stem[0]))
        {
            Stem = "X" + Stem;
        }

        // Pass one: every top-level type gets its name, so that declarations may refer to any of them.
        foreach (TypeDefinition definition in specification.Types)
        {
            DeclareTopLevel(definition);
        }

        ConstantsClass = specification.Constants.Any() ? _namespaceScope.Claim(Stem + "Constants") : null;
        HelpersClass = _namespaceScope.Claim(Stem + "Xdr");
        SampleClass = _namespaceScope.Claim(Stem + "Sample");
        foreach (ProgramDefinition program in specification.Programs)
        {
            Programs.Add(new ProgramInfo(program, _namespaceScope.Claim(Identifiers.Of(program.Name, style))));
        }

        // Pass two: members, shapes, nested types.
        foreach (GeneratedType type in Types.ToList())
        {
            Complete(type);
        }

        var versionNames = Programs.SelectMany(p => p.Definition.Versions).GroupBy(v => Identifiers.Of(v.Name, style)).ToDictionary(g => g.Key, g => g.Count());
        foreach (ProgramInfo program in Programs)
        {
            foreach (VersionDefinition version in program.Definition.Versions)
            {
                CompleteVersion(program, version, versionNames);
            }
        }

        foreach (string name in _streamed.Order(StringComparer.Ordinal))
        {
            if (!Programs.SelectMany(p => p.Versions).SelectMany(v => v.Procedures).Any(p => p.Definition.Name == name))
            {
                _diagnostics.Add(DiagnosticDescriptors.StreamedProcedureNotFound, new SourceLocation(specification.Path, 1, 1),
                    $"'{name}' is to be streamed, but no version of a program in {Path.GetFileName(specification.Path)} declares a procedure of that name");
            }
        }
    }

    /// <summary>
    /// The element of a streamed procedure's result: the TRUE arm of a union switched on a bool whose FALSE arm is void
    /// (YPPROC_ALL's <c>union ypresp_all switch (bool more) { case TRUE: ypresp_key_val val; case FALSE: void; }</c>), so
    /// that the reply is TRUE and an element, again and again, then FALSE. Reported, and null, for any other shape.
    /// </summary>
    private Shape? StreamElementOf(ProcedureDefinition procedure, Shape result)
    {
        string why;
        if (result is not ClassShape { Type: UnionType union })
        {
            why = "it is not a union";
        }
        else if (union.Discriminant.Shape is not PrimitiveShape { Kind: XdrPrimitive.Bool })
        {
            why = $"union {union.XdrName} is not switched on a bool";
        }
        else
        {
            Arm? whenTrue = union.Arms.FirstOrDefault(a => a.Labels.Any(l => l.Value == 1)) ?? union.DefaultArm;
            Arm? whenFalse = union.Arms.FirstOrDefault(a => a.Labels.Any(l => l.Value == 0)) ?? union.DefaultArm;
            if (whenTrue?.Value is not { } element || ReferenceEquals(whenTrue, whenFalse))
            {
                why = $"union {union.XdrName} has no element for TRUE";
            }
            else if (whenFalse is null || whenFalse.Value is not null)
            {
                why = $"union {union.XdrName} is not void for FALSE";
            }
            else
            {
                return element.Shape;
            }
        }

        _diagnostics.Add(DiagnosticDescriptors.ResultCannotBeStreamed, procedure.Location,
            $"'{procedure.Name}' cannot be streamed: {why}; a streamed result is a union switched on a bool, with an element for TRUE and void for FALSE (as YPPROC_ALL's ypresp_all)");
        return null;
    }

    public string Namespace { get; }

    /// <summary>The file's name in PascalCase, for the constants and helper classes.</summary>
    public string Stem { get; }

    public NameStyle Style => _style;

    /// <summary>Which variable-length opaque declarations are pooled (<c>PooledOpaque</c>); <see cref="Shape(Declaration, Shape?)"/> applies it.</summary>
    public PooledOpaqueSelection Pooled { get; }

    /// <summary>Top-level types in source order.</summary>
    public List<GeneratedType> Types { get; } = [];

    /// <summary>Every enum, nested ones included, in the order met.</summary>
    public List<EnumType> Enums { get; } = [];

    public string? ConstantsClass { get; }

    /// <summary>The internal static class with the enums' read and write helpers.</summary>
    public string HelpersClass { get; }

    public List<ProgramInfo> Programs { get; } = [];

    /// <summary>The internal static class of the sample program (p_client.cs and p_server.cs).</summary>
    public string SampleClass { get; }

    public Specification Specification => _specification;

    /// <summary>The C# name of a top-level constant.</summary>
    public string ConstantName(ConstantDefinition constant) => _constantNames.TryGetValue(constant.Name, out string? name) ? name : Identifiers.Of(constant.Name, _style);

    private readonly Dictionary<string, string> _constantNames = new(StringComparer.Ordinal);

    /// <summary>Names the constants class's members (once, in source order).</summary>
    public void NameConstants()
    {
        if (_constantNames.Count > 0)
        {
            return;
        }

        var scope = new NameScope(ConstantsClass ?? string.Empty);
        foreach (ConstantDefinition constant in _specification.Constants)
        {
            _constantNames[constant.Name] = scope.Claim(Identifiers.Of(constant.Name, _style));
        }
    }

    /// <summary>The C# type generated for a top-level .x type, or null for a typedef (which names none).</summary>
    public GeneratedType? TypeOf(string xdrName) => _named.GetValueOrDefault(xdrName);

    /// <summary>A generated type referred to by full name.</summary>
    public string Full(string name) => $"global::{Namespace}.{name}";

    /// <summary>The shape of a declaration, typedefs seen through.</summary>
    public Shape ShapeOf(Declaration declaration) =>
        Shape(declaration, UsesElement(declaration.Kind) ? ShapeOf(declaration.Type) : null);

    /// <summary>Whether a declaration of this kind is made of its type (arrays, optional data, scalars), rather than being string, opaque or void.</summary>
    private static bool UsesElement(DeclarationKind kind) =>
        kind is DeclarationKind.Scalar or DeclarationKind.FixedArray or DeclarationKind.VariableArray or DeclarationKind.Optional;

    /// <summary>
    /// The shape of <paramref name="declaration"/>, given the shape of its type (null when it does not use it). Where the
    /// options pool the declaration and it is variable-length opaque data, declared so or through typedefs, the data is
    /// pooled: every declaration of the file is shaped here, typedefs included, so this is the one place that decides.
    /// </summary>
    private Shape Shape(Declaration declaration, Shape? element)
    {
        Shape shape = declaration.Kind switch
        {
            DeclarationKind.Void => VoidShape.Instance,
            DeclarationKind.String => new StringShape(declaration.Size ?? Size.Unbounded),
            DeclarationKind.FixedOpaque => new OpaqueShape(true, declaration.Size!),
            DeclarationKind.VariableOpaque => new OpaqueShape(false, declaration.Size ?? Size.Unbounded),
            DeclarationKind.FixedArray => Nest(element!, declaration, e => new ArrayShape(e, true, declaration.Size!)),
            DeclarationKind.VariableArray => Nest(element!, declaration, e => new ArrayShape(e, false, declaration.Size ?? Size.Unbounded)),
            DeclarationKind.Optional => Optional(element!, declaration),
            _ => element!,
        };
        return shape is OpaqueShape { IsFixed: false, IsPooled: false } opaque && Pooled.Applies(declaration) ? opaque with { IsPooled = true } : shape;
    }

    /// <summary>
    /// Whether a value of <paramref name="shape"/> holds pooled opaque data: is some, or an array or optional data of
    /// it, or a struct or union with such a member at any depth (walked with a stack of its own, as types may nest deep).
    /// </summary>
    public bool HoldsPooledOpaque(Shape shape)
    {
        if (Pooled.IsEmpty)
        {
            return false;
        }

        var seen = new HashSet<ClassType>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Shape>([shape]);
        while (pending.TryPop(out Shape? next))
        {
            switch (next)
            {
                case OpaqueShape { IsPooled: true }:
                    return true;
                case ArrayShape a:
                    pending.Push(a.Element);
                    break;
                case OptionalShape o:
                    pending.Push(o.Element);
                    break;
                case ClassShape { Type: var type } when seen.Add(type):
                    foreach (Shape member in type is StructType s ? s.Fields.Select(f => f.Shape) : ((UnionType)type).Arms.Where(a => a.Value is not null).Select(a => a.Value!.Shape))
                    {
                        pending.Push(member);
                    }

                    break;
            }
        }

        return false;
    }

    private Shape Optional(Shape element, Declaration declaration)
    {
        if (element is OptionalShape or VoidShape)
        {
            _diagnostics.Add(DiagnosticDescriptors.NoCSharpForm, declaration.Location,
                $"'{declaration.Name}' is optional data of optional data, which C# cannot tell apart from one level; declare a struct for the inner level");
            return element;
        }

        return Nest(element, declaration, e => new OptionalShape(e));
    }

    /// <summary>
    /// An array or optional data of <paramref name="element"/>. Typedefs of arrays of typedefs of arrays nest one C#
    /// type in another (<c>int[][][]</c>), and every level is a loop in the codec, so the nesting is bounded as the
    /// parser bounds brackets (<see cref="MaxShapeNesting"/>); a chain of typedefs that adds no level is not.
    /// </summary>
    private Shape Nest(Shape element, Declaration declaration, Func<Shape, Shape> nest)
    {
        if (element.Nesting < MaxShapeNesting)
        {
            return nest(element);
        }

        if (_tooDeep.Add(element))
        {
            _diagnostics.Add(DiagnosticDescriptors.NoCSharpForm, declaration.Location,
                $"'{declaration.Name}' nests arrays and optional data more than {MaxShapeNesting} deep (through typedefs), deeper than NetRpc writes C# types and codecs; declare a struct for an inner level");
        }

        return element;
    }

    /// <summary>
    /// A union's discriminant stays a full int or unsigned int in C# even when declared <c>short</c> or <c>char</c>:
    /// case labels are checked against the 32-bit range and written as int or uint literals.
    /// </summary>
    private static Shape Widened(Shape shape) => shape is PrimitiveShape { Narrow: not NarrowInteger.None } p ? new PrimitiveShape(p.Kind) : shape;

    private Shape ShapeOf(TypeReference type) => type switch
    {
        PrimitiveType { Kind: XdrPrimitive.Void } => VoidShape.Instance,
        PrimitiveType p => new PrimitiveShape(p.Kind, p.Narrow),
        NamedType named => NamedShape(named.Name),
        _ when _inline.TryGetValue(type, out GeneratedType? nested) => ShapeOfType(nested),
        _ => throw new InvalidOperationException($"type written in place but not declared: {type}"),
    };

    /// <summary>
    /// The shape a type name stands for. A typedef may name a typedef that names a typedef, as long a chain as the
    /// file likes, so the chain is walked in a loop to its end (a generated type, a typedef already shaped, or one
    /// that names no other), then shaped back from there; each typedef is shaped once.
    /// </summary>
    private Shape NamedShape(string name)
    {
        var chain = new List<TypedefDefinition>();
        var walked = new HashSet<string>(StringComparer.Ordinal);
        Shape? end = null;
        string current = name;
        while (true)
        {
            if (_named.TryGetValue(current, out GeneratedType? type))
            {
                end = ShapeOfType(type);
                break;
            }

            if (_typedefShapes.TryGetValue(current, out Shape? known))
            {
                end = known;
                break;
            }

            if (_specification.FindType(current) is not TypedefDefinition typedef || !walked.Add(current))
            {
                // The checker refuses undefined types and typedef cycles; this only keeps a broken model from looping.
                throw new InvalidOperationException($"unknown type or typedef cycle at {current}");
            }

            chain.Add(typedef);
            if (!UsesElement(typedef.Declaration.Kind) || typedef.Declaration.Type is not NamedType next)
            {
                break; // the last typedef of the chain is shaped from its own declaration
            }

            current = next.Name;
        }

        for (int i = chain.Count - 1; i >= 0; i--)
        {
            Declaration declaration = chain[i].Declaration;
            end = end is null ? ShapeOf(declaration) : Shape(declaration, end);
            _typedefShapes[chain[i].Name] = end;
        }

        return end!;
    }

    private static Shape ShapeOfType(GeneratedType type) => type switch
    {
        EnumType e => new EnumShape(e),
        ClassType c => new ClassShape(c),
        _ => throw new InvalidOperationException(type.Name),
    };

    private void DeclareTopLevel(TypeDefinition definition)
    {
        (object? body, string? documentation) = definition switch
        {
            EnumDefinition e => ((object?)e.Body, e.Documentation),
            StructDefinition s => (s.Body, s.Documentation),
            UnionDefinition u => (u.Body, u.Documentation),
            TypedefDefinition { Declaration: { Kind: DeclarationKind.Scalar, Type: InlineEnumType or InlineStructType or InlineUnionType } d } t => (d.Type, t.Documentation),
            _ => (null, null),
        };
        if (body is null)
        {
            return; // a typedef of anything else names no type of its own
        }

        string name = _namespaceScope.Claim(Identifiers.Of(definition.Name, _style));
        GeneratedType type = Create(body, name, Full(name), Identifiers.Bare(name), definition.Name, documentation);
        _named[definition.Name] = type;
        if (body is TypeReference inlineType)
        {
            _inline[inlineType] = type;
        }

        Types.Add(type);
    }

    private GeneratedType Create(object body, string name, string fullName, string pathName, string xdrName, string? documentation)
    {
        object normalized = body switch
        {
            InlineEnumType e => e.Body,
            InlineStructType t => t.Body,
            InlineUnionType u => u.Body,
            _ => body,
        };
        switch (normalized)
        {
            case EnumBody e:
                var enumType = new EnumType(name, fullName, xdrName, documentation, e);
                var memberScope = new NameScope();
                foreach (EnumMember member in e.Members)
                {
                    enumType.Members.Add((member, memberScope.Claim(Identifiers.Of(member.Name, _style))));
                }

                enumType.ReadMethod = _helperScope.Claim("Read" + pathName);
                enumType.WriteMethod = _helperScope.Claim("Write" + pathName);
                Enums.Add(enumType);
                return enumType;
            case StructBody s:
                return new StructType(name, fullName, xdrName, documentation, s) { PathName = pathName };
            case UnionBody u:
                return new UnionType(name, fullName, xdrName, documentation, u) { PathName = pathName };
            default:
                throw new InvalidOperationException(body.GetType().Name);
        }
    }

    private void Complete(GeneratedType type)
    {
        switch (type)
        {
            case StructType s:
                s.Scope.Claim(s.Name);
                foreach (string reserved in s_classMembers)
                {
                    s.Scope.Claim(reserved);
                }

                var parameters = new NameScope();
                foreach (Declaration field in s.Body.Fields)
                {
                    string name = s.Scope.Claim(Identifiers.Of(field.Name!, _style));
                    DeclareNested(s, field, name);
                    s.Fields.Add(new Member(field, name, parameters.Claim(Identifiers.Parameter(field.Name!, _style)), ShapeOf(field)));
                }

                break;
            case UnionType u:
                CompleteUnion(u);
                break;
        }

        foreach (GeneratedType nested in type.Nested.ToList())
        {
            Complete(nested);
        }
    }

    private void CompleteUnion(UnionType u)
    {
        u.Scope.Claim(u.Name);
        foreach (string reserved in s_classMembers)
        {
            u.Scope.Claim(reserved);
        }

        Declaration discriminant = u.Body.Discriminant;
        string discriminantName = u.Scope.Claim(Identifiers.Of(discriminant.Name!, _style));
        DeclareNested(u, discriminant, discriminantName);
        u.Discriminant = new Member(discriminant, discriminantName, Identifiers.Parameter(discriminant.Name!, _style), Widened(ShapeOf(discriminant)));

        var arms = u.Body.Arms.Select(a => (a.Labels, a.Declaration, IsDefault: false)).ToList();
        if (u.Body.Default is { } defaultArm)
        {
            arms.Add((ImmutableArray<CaseLabel>.Empty, defaultArm, true));
        }

        var members = new List<(ImmutableArray<CaseLabel> Labels, bool IsDefault, Member? Value, string? Factory)>();
        foreach ((ImmutableArray<CaseLabel> labels, Declaration declaration, bool isDefault) in arms)
        {
            Member? value = null;
            string? factory = null;
            if (declaration.Kind != DeclarationKind.Void)
            {
                string name = u.Scope.Claim(Identifiers.Of(declaration.Name!, _style));
                DeclareNested(u, declaration, name);
                value = new Member(declaration, name, Identifiers.Parameter(declaration.Name!, _style), ShapeOf(declaration));
                factory = u.Scope.Claim("From" + Identifiers.Bare(name));
            }

            members.Add((labels, isDefault, value, factory));
        }

        // Arms of reference type share one field when there are several: a value holds one arm, and a field per arm
        // made a union of nfs_argop4's 50 arms a 430-byte object, decoded from a 4-byte discriminant.
        var fields = new NameScope();
        if (members.Count(m => m.Value is { Shape.IsValueType: false }) >= 2)
        {
            u.SharedField = fields.Claim("_value");
        }

        foreach ((ImmutableArray<CaseLabel> labels, bool isDefault, Member? value, string? factory) in members)
        {
            string? storage = value is null ? null
                : u.SharedField is { } shared && !value.Shape.IsValueType ? shared
                : fields.Claim("_" + Identifiers.Bare(Identifiers.Parameter(value.Declaration.Name!, NameStyle.Pascal)));
            u.Arms.Add(new Arm(u.Arms.Count, labels, isDefault, value, storage, factory));
        }

        if (u.Arms.Any(a => a.Value is null))
        {
            u.VoidFactory = u.Scope.Claim("Of");
        }

        u.ArmField = fields.Claim("_arm");
        u.ArmOfMethod = u.Scope.Claim("ArmOf");
    }

    /// <summary>A type written in place in a declaration becomes a nested type named after the member (<c>FooType</c>).</summary>
    private void DeclareNested(GeneratedType parent, Declaration declaration, string memberName)
    {
        if (declaration.Type is not (InlineEnumType or InlineStructType or InlineUnionType) || _inline.ContainsKey(declaration.Type))
        {
            return;
        }

        NameScope scope = parent is ClassType c ? c.Scope : new NameScope();
        string name = scope.Claim(Identifiers.Bare(memberName) + "Type");
        object body = declaration.Type;
        GeneratedType nested = Create(body, name, $"{parent.FullName}.{name}", PathOf(parent) + name, $"{parent.XdrName}.{declaration.Name}", declaration.Documentation);
        _inline[declaration.Type] = nested;
        parent.Nested.Add(nested);
    }

    private void CompleteVersion(ProgramInfo program, VersionDefinition definition, Dictionary<string, int> versionNames)
    {
        string name = program.Scope.Claim(Identifiers.Of(definition.Name, _style));
        var version = new VersionInfo(program, definition, name) { ProgramFullName = Full(program.Name) };
        string stem = Identifiers.Bare(Identifiers.Of(definition.Name, _style));
        if (versionNames[Identifiers.Of(definition.Name, _style)] > 1)
        {
            // Two programs with a version of the same name: the program's name tells their classes apart.
            stem = Identifiers.Bare(program.Name) + stem;
        }

        version.ClientName = _namespaceScope.Claim(stem + "Client");
        version.ClientInterfaceName = _namespaceScope.Claim("I" + stem + "Client");
        version.ServiceName = _namespaceScope.Claim(stem + "ServiceBase");
        version.SampleServiceName = _namespaceScope.Claim(stem + "Service");

        var methods = new NameScope("Client", "Dispose", "DisposeAsync", "CreateTcp", "CreateUdp", "CreateAsync", "ToProgram", "Reply", "AwaitReply", "Stream", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", version.ClientName, version.ClientInterfaceName, version.ServiceName);
        foreach (ProcedureDefinition procedure in definition.Procedures)
        {
            string constant = version.Scope.Claim(Identifiers.Of(procedure.Name, _style));
            var arguments = new List<Member>();
            var argumentFields = new NameScope();
            var parameters = new NameScope("cancellationToken", "context");
            foreach (Argument argument in procedure.Arguments)
            {
                string parameterSource = argument.IsNamed || procedure.Arguments.Length > 1 || argument.Declaration.Type is not NamedType named ? argument.Name : named.Name;
                DeclareNestedInVersion(version, argument.Declaration, argument.Name);
                arguments.Add(new Member(
                    argument.Declaration,
                    argumentFields.Claim(Identifiers.Of(argument.Name, _style)),
                    parameters.Claim(Identifiers.Parameter(parameterSource, _style)),
                    ShapeOf(argument.Declaration)));
            }

            DeclareNestedInVersion(version, procedure.Result, procedure.Name + "_result");
            var info = new ProcedureInfo(procedure, constant, arguments, ShapeOf(procedure.Result))
            {
                Method = methods.Claim(Identifiers.Bare(Identifiers.Of(procedure.Name, _style)) + "Async"),
            };
            version.Procedures.Add(info);
        }

        foreach (ProcedureInfo procedure in version.Procedures)
        {
            string procedureStem = Identifiers.Bare(Identifiers.Of(procedure.Definition.Name, _style));
            if (procedure.Arguments.Count > 1 || (procedure.Arguments.Count == 1 && procedure.Arguments[0].Shape is not ClassShape))
            {
                procedure.ArgumentsWrapper = methods.Claim(procedureStem + "Arguments");
                var fields = new NameScope(procedure.ArgumentsWrapper, "Encode", "Decode", "MinEncodedSize");
                procedure.ArgumentFields.AddRange(procedure.Arguments.Select(a => fields.Claim(a.Name)));
            }

            if (_streamed.Contains(procedure.Definition.Name) && StreamElementOf(procedure.Definition, procedure.Result) is { } element)
            {
                procedure.StreamElement = element;
                if (element is not ClassShape)
                {
                    procedure.StreamElementWrapper = methods.Claim(procedureStem + "Element");
                }
            }
            else if (procedure.Result is not (VoidShape or ClassShape))
            {
                procedure.ResultWrapper = methods.Claim(procedureStem + "Result");
            }
        }

        program.Versions.Add(version);
    }

    private void DeclareNestedInVersion(VersionInfo version, Declaration declaration, string baseName)
    {
        if (declaration.Type is not (InlineEnumType or InlineStructType or InlineUnionType) || _inline.ContainsKey(declaration.Type))
        {
            return;
        }

        string name = version.Scope.Claim(Identifiers.Bare(Identifiers.Of(baseName, _style)) + "Type");
        GeneratedType nested = Create(declaration.Type, name, $"{version.FullName}.{name}", Identifiers.Bare(version.Program.Name) + Identifiers.Bare(version.Name) + name, baseName, declaration.Documentation);
        _inline[declaration.Type] = nested;
        version.Nested.Add(nested);
        Complete(nested);
    }

    private static string PathOf(GeneratedType type) => type switch
    {
        ClassType c => c.PathName,
        _ => Identifiers.Bare(type.Name),
    };

    /// <summary>The .x form of a declaration, for documentation: <c>string name&lt;255&gt;</c>, <c>entry *next</c>.</summary>
    public static string XdrText(Declaration declaration)
    {
        string type = declaration.Type switch
        {
            PrimitiveType p => p.Spelling,
            NamedType n => n.Name,
            InlineEnumType => "enum { ... }",
            InlineStructType => "struct { ... }",
            InlineUnionType => "union switch (...) { ... }",
            _ => "?",
        };
        string name = declaration.Name ?? string.Empty;
        string size = declaration.Size is null ? string.Empty : declaration.Size.IsUnbounded ? string.Empty : declaration.Size.ConstantName ?? declaration.Size.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return declaration.Kind switch
        {
            DeclarationKind.Void => "void",
            DeclarationKind.Optional => $"{type} *{name}",
            DeclarationKind.FixedArray => $"{type} {name}[{size}]",
            DeclarationKind.VariableArray => $"{type} {name}<{size}>",
            DeclarationKind.FixedOpaque => $"opaque {name}[{size}]",
            DeclarationKind.VariableOpaque => $"opaque {name}<{size}>",
            DeclarationKind.String => $"string {name}<{size}>",
            _ => $"{type} {name}",
        };
    }

    /// <summary>A C# string literal.</summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
