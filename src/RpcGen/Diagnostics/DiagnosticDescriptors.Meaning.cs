namespace NetRpc.RpcGen.Diagnostics;

// RPCG2001-RPCG2099: what the definitions mean (RFC 4506 section 6.4, RFC 5531 section 12.3, rpcgen's rules).
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG2001: a name defined twice in one scope.</summary>
    public static DiagnosticDescriptor DuplicateName { get; } = new("RPCG2001", DiagnosticSeverity.Error, "Name defined more than once");

    /// <summary>RPCG2002: a type name that nothing defines.</summary>
    public static DiagnosticDescriptor UndefinedType { get; } = new("RPCG2002", DiagnosticSeverity.Error, "Undefined type");

    /// <summary>RPCG2003: a value name that no constant or enum member defines.</summary>
    public static DiagnosticDescriptor UndefinedConstant { get; } = new("RPCG2003", DiagnosticSeverity.Error, "Undefined constant");

    /// <summary>RPCG2004: one program number and version number defined by two program blocks.</summary>
    public static DiagnosticDescriptor DuplicateProgramNumber { get; } = new("RPCG2004", DiagnosticSeverity.Error, "Program version defined twice");

    /// <summary>RPCG2005: two versions of a program with one number.</summary>
    public static DiagnosticDescriptor DuplicateVersionNumber { get; } = new("RPCG2005", DiagnosticSeverity.Error, "Version number used twice in a program");

    /// <summary>RPCG2006: two procedures of a version with one number.</summary>
    public static DiagnosticDescriptor DuplicateProcedureNumber { get; } = new("RPCG2006", DiagnosticSeverity.Error, "Procedure number used twice in a version");

    /// <summary>RPCG2007: a union discriminant that is not int, unsigned int, bool or an enum.</summary>
    public static DiagnosticDescriptor InvalidDiscriminantType { get; } = new("RPCG2007", DiagnosticSeverity.Error, "Invalid union discriminant type");

    /// <summary>RPCG2008: a case value listed twice in one union.</summary>
    public static DiagnosticDescriptor DuplicateCaseValue { get; } = new("RPCG2008", DiagnosticSeverity.Error, "Case value listed twice");

    /// <summary>RPCG2009: a case value the discriminant's type cannot hold.</summary>
    public static DiagnosticDescriptor CaseValueOutOfRange { get; } = new("RPCG2009", DiagnosticSeverity.Error, "Case value does not fit the discriminant");

    /// <summary>RPCG2010: void where only a union arm, or a lone argument or result, may be void.</summary>
    public static DiagnosticDescriptor VoidNotAllowed { get; } = new("RPCG2010", DiagnosticSeverity.Error, "void not allowed here");

    /// <summary>RPCG2011: opaque or string not declared as an array of the right kind.</summary>
    public static DiagnosticDescriptor ArrayDeclarationExpected { get; } = new("RPCG2011", DiagnosticSeverity.Error, "opaque and string must be declared as arrays");

    /// <summary>RPCG2012: a length or maximum outside 0..4294967295.</summary>
    public static DiagnosticDescriptor SizeOutOfRange { get; } = new("RPCG2012", DiagnosticSeverity.Error, "Size out of range");

    /// <summary>RPCG2013: a type that contains itself other than through optional data or a variable-length array.</summary>
    public static DiagnosticDescriptor RecursiveType { get; } = new("RPCG2013", DiagnosticSeverity.Error, "Type contains itself");

    /// <summary>RPCG2014: two .x names that become the same C# name; the generator tells them apart with a <c>_</c>.</summary>
    public static DiagnosticDescriptor CSharpNameCollision { get; } = new("RPCG2014", DiagnosticSeverity.Warning, "Names collide in C#");

    /// <summary>RPCG2015: a name used as a type that is a constant, or the reverse.</summary>
    public static DiagnosticDescriptor WrongKindOfName { get; } = new("RPCG2015", DiagnosticSeverity.Error, "Name of the wrong kind");

    /// <summary>RPCG2016: a value outside the range its use allows (enum values are 32-bit signed; program, version and procedure numbers 32-bit unsigned).</summary>
    public static DiagnosticDescriptor ValueOutOfRange { get; } = new("RPCG2016", DiagnosticSeverity.Error, "Value out of range");

    /// <summary>RPCG2017: constants defined in terms of each other.</summary>
    public static DiagnosticDescriptor CircularConstant { get; } = new("RPCG2017", DiagnosticSeverity.Error, "Circular constant definition");

    /// <summary>
    /// RPCG2018: a case label of an enum-discriminated union that is not a member of the enum. RFC 4506 section 4.15
    /// wants a legal value of the discriminant after each case, and section 4.3 makes encoding any other value as the
    /// enum an error: such an arm could never be sent.
    /// </summary>
    public static DiagnosticDescriptor CaseValueNotInEnum { get; } = new("RPCG2018", DiagnosticSeverity.Error, "Case value is not a member of the discriminant's enum");

    /// <summary>RPCG2019: an argument or result form rpcgen forbids (opaque or string without a typedef, arrays, pointers to strings).</summary>
    public static DiagnosticDescriptor IllegalProcedureType { get; } = new("RPCG2019", DiagnosticSeverity.Error, "Type not allowed as a procedure argument or result");

    /// <summary>RPCG2020: a string or character constant used where a number is needed.</summary>
    public static DiagnosticDescriptor NumberExpected { get; } = new("RPCG2020", DiagnosticSeverity.Error, "Number expected");

    /// <summary>RPCG2021: a definition that only some of rpcgen's outputs see (it sits inside #ifdef RPC_HDR or similar).</summary>
    public static DiagnosticDescriptor PartialTargetDefinition { get; } = new("RPCG2021", DiagnosticSeverity.Warning, "Definition seen by only some rpcgen outputs");

    /// <summary>RPCG2022: a macro defined differently for different rpcgen outputs, used in a definition.</summary>
    public static DiagnosticDescriptor TargetDependentMacro { get; } = new("RPCG2022", DiagnosticSeverity.Warning, "Macro defined differently for different rpcgen outputs");

    /// <summary>RPCG2023: a version or procedure name, used as a value, that different versions define with different numbers.</summary>
    public static DiagnosticDescriptor AmbiguousValue { get; } = new("RPCG2023", DiagnosticSeverity.Error, "Name stands for different values");
}
