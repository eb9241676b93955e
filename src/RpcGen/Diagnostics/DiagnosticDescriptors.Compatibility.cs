namespace NetRpc.RpcGen.Diagnostics;

// RPCG5001-RPCG5099: the compatibility checker (rpcgen breaking, RpcgenCompiler.CompareCompatibility), which
// compares two versions of a .x file. The range says the category (Compatibility.CompatibilityCategories):
//   RPCG5001-RPCG5039  wire-breaking: peers built from the old and the new file no longer understand each other (errors)
//   RPCG5040-RPCG5059  wire-compatible for new readers only: the new file reads everything the old one writes, not
//                      the reverse (warnings)
//   RPCG5060-RPCG5099  source-breaking only: the wire is unchanged, code written against the generated code is not (warnings)
// Each is reported at the new file, with the old file's location in the message; docs/breaking.md has examples.
public static partial class DiagnosticDescriptors
{
    /// <summary>RPCG5001: a program number the old file defines and the new one does not (RFC 5531 section 9: PROG_UNAVAIL).</summary>
    public static DiagnosticDescriptor ProgramRemoved { get; } = new("RPCG5001", DiagnosticSeverity.Error, "Program removed");

    /// <summary>RPCG5002: a program that keeps its name under another number (RFC 5531 section 8.1: calls carry the number).</summary>
    public static DiagnosticDescriptor ProgramRenumbered { get; } = new("RPCG5002", DiagnosticSeverity.Error, "Program renumbered");

    /// <summary>RPCG5003: a version of a program that the new file lacks (RFC 5531 section 9: PROG_MISMATCH).</summary>
    public static DiagnosticDescriptor VersionRemoved { get; } = new("RPCG5003", DiagnosticSeverity.Error, "Version removed");

    /// <summary>RPCG5004: a version that keeps its name under another number.</summary>
    public static DiagnosticDescriptor VersionRenumbered { get; } = new("RPCG5004", DiagnosticSeverity.Error, "Version renumbered");

    /// <summary>RPCG5005: a procedure of a version that the new file lacks (RFC 5531 section 9: PROC_UNAVAIL).</summary>
    public static DiagnosticDescriptor ProcedureRemoved { get; } = new("RPCG5005", DiagnosticSeverity.Error, "Procedure removed");

    /// <summary>RPCG5006: a procedure that keeps its name under another number.</summary>
    public static DiagnosticDescriptor ProcedureRenumbered { get; } = new("RPCG5006", DiagnosticSeverity.Error, "Procedure renumbered");

    /// <summary>RPCG5007: a declaration whose type has another encoding: int to hyper, a struct to another struct, void to data (RFC 4506 section 4).</summary>
    public static DiagnosticDescriptor TypeChanged { get; } = new("RPCG5007", DiagnosticSeverity.Error, "Type changed");

    /// <summary>RPCG5008: a struct field or procedure argument the new file adds (RFC 4506 section 4.14).</summary>
    public static DiagnosticDescriptor FieldAdded { get; } = new("RPCG5008", DiagnosticSeverity.Error, "Field added");

    /// <summary>RPCG5009: a struct field or procedure argument the new file removes.</summary>
    public static DiagnosticDescriptor FieldRemoved { get; } = new("RPCG5009", DiagnosticSeverity.Error, "Field removed");

    /// <summary>RPCG5010: a struct field or procedure argument moved to another place in the order.</summary>
    public static DiagnosticDescriptor FieldMoved { get; } = new("RPCG5010", DiagnosticSeverity.Error, "Field reordered");

    /// <summary>RPCG5011: an enum member that keeps its name with another value (RFC 4506 section 4.3).</summary>
    public static DiagnosticDescriptor EnumValueChanged { get; } = new("RPCG5011", DiagnosticSeverity.Error, "Enum value changed");

    /// <summary>RPCG5012: an enum value the new file no longer has.</summary>
    public static DiagnosticDescriptor EnumValueRemoved { get; } = new("RPCG5012", DiagnosticSeverity.Error, "Enum value removed");

    /// <summary>RPCG5013: a case value of a union that the new file no longer accepts, or accepts with another arm (RFC 4506 section 4.15).</summary>
    public static DiagnosticDescriptor CaseRemoved { get; } = new("RPCG5013", DiagnosticSeverity.Error, "Union case removed");

    /// <summary>RPCG5014: a case value the old file's default arm decoded, given an arm of another encoding.</summary>
    public static DiagnosticDescriptor CaseTakenFromDefault { get; } = new("RPCG5014", DiagnosticSeverity.Error, "Union case taken from the default arm");

    /// <summary>RPCG5015: a union's default arm removed.</summary>
    public static DiagnosticDescriptor DefaultRemoved { get; } = new("RPCG5015", DiagnosticSeverity.Error, "Union default arm removed");

    /// <summary>RPCG5016: fixed-length data made variable-length, or the reverse (RFC 4506 sections 4.9 to 4.13).</summary>
    public static DiagnosticDescriptor LengthKindChanged { get; } = new("RPCG5016", DiagnosticSeverity.Error, "Fixed and variable length swapped");

    /// <summary>RPCG5017: opaque data made a string, or the reverse (RFC 4506 sections 4.10 and 4.11).</summary>
    public static DiagnosticDescriptor OpaqueStringSwapped { get; } = new("RPCG5017", DiagnosticSeverity.Error, "opaque and string swapped");

    /// <summary>RPCG5018: optional data (<c>*</c>) added or removed (RFC 4506 section 4.19).</summary>
    public static DiagnosticDescriptor OptionalChanged { get; } = new("RPCG5018", DiagnosticSeverity.Error, "Optional data added or removed");

    /// <summary>RPCG5019: the maximum of variable-length data lowered (RFC 4506 sections 4.10, 4.11 and 4.13).</summary>
    public static DiagnosticDescriptor BoundNarrowed { get; } = new("RPCG5019", DiagnosticSeverity.Error, "Maximum length lowered");

    /// <summary>RPCG5020: the length of fixed-length data changed (RFC 4506 sections 4.9 and 4.12).</summary>
    public static DiagnosticDescriptor FixedLengthChanged { get; } = new("RPCG5020", DiagnosticSeverity.Error, "Fixed length changed");

    /// <summary>RPCG5021: an int declared as a narrower C type (<c>short</c>, <c>char</c>) than before.</summary>
    public static DiagnosticDescriptor IntegerNarrowed { get; } = new("RPCG5021", DiagnosticSeverity.Error, "Integer range narrowed");

    /// <summary>RPCG5022: a constant that no declaration uses as a size or case, whose value changed (RFC 4506 section 4.17).</summary>
    public static DiagnosticDescriptor ConstantChanged { get; } = new("RPCG5022", DiagnosticSeverity.Error, "Constant value changed");

    /// <summary>RPCG5041: an enum value added: the new file reads all the old one sends; a peer built from the old one may refuse the new value.</summary>
    public static DiagnosticDescriptor EnumValueAdded { get; } = new("RPCG5041", DiagnosticSeverity.Warning, "Enum value added");

    /// <summary>RPCG5042: a case added to a union without a default arm.</summary>
    public static DiagnosticDescriptor CaseAdded { get; } = new("RPCG5042", DiagnosticSeverity.Warning, "Union case added");

    /// <summary>RPCG5043: a default arm added to a union that had none.</summary>
    public static DiagnosticDescriptor DefaultAdded { get; } = new("RPCG5043", DiagnosticSeverity.Warning, "Union default arm added");

    /// <summary>RPCG5044: the maximum of variable-length data raised.</summary>
    public static DiagnosticDescriptor BoundWidened { get; } = new("RPCG5044", DiagnosticSeverity.Warning, "Maximum length raised");

    /// <summary>RPCG5045: an int declared as a wider C type than before (<c>short</c> to <c>int</c>).</summary>
    public static DiagnosticDescriptor IntegerWidened { get; } = new("RPCG5045", DiagnosticSeverity.Warning, "Integer range widened");

    /// <summary>RPCG5061: a program renamed, its number kept.</summary>
    public static DiagnosticDescriptor ProgramRenamed { get; } = new("RPCG5061", DiagnosticSeverity.Warning, "Program renamed");

    /// <summary>RPCG5062: a version renamed, its number kept.</summary>
    public static DiagnosticDescriptor VersionRenamed { get; } = new("RPCG5062", DiagnosticSeverity.Warning, "Version renamed");

    /// <summary>RPCG5063: a procedure renamed, its number kept.</summary>
    public static DiagnosticDescriptor ProcedureRenamed { get; } = new("RPCG5063", DiagnosticSeverity.Warning, "Procedure renamed");

    /// <summary>RPCG5064: a struct, union or enum renamed (or made anonymous, or named), its wire kept.</summary>
    public static DiagnosticDescriptor TypeRenamed { get; } = new("RPCG5064", DiagnosticSeverity.Warning, "Type renamed");

    /// <summary>RPCG5065: a struct field, union discriminant or named procedure argument renamed.</summary>
    public static DiagnosticDescriptor FieldRenamed { get; } = new("RPCG5065", DiagnosticSeverity.Warning, "Field renamed");

    /// <summary>RPCG5066: an enum member renamed, its value kept.</summary>
    public static DiagnosticDescriptor EnumMemberRenamed { get; } = new("RPCG5066", DiagnosticSeverity.Warning, "Enum member renamed");

    /// <summary>RPCG5067: a union arm renamed.</summary>
    public static DiagnosticDescriptor ArmRenamed { get; } = new("RPCG5067", DiagnosticSeverity.Warning, "Union arm renamed");

    /// <summary>RPCG5068: a declaration written another way with the same bytes on the wire: a struct wrapped around a value or removed, fields regrouped, <c>T *</c> and <c>T&lt;1&gt;</c>, a case moved into or out of the default arm.</summary>
    public static DiagnosticDescriptor SameWireOtherDeclaration { get; } = new("RPCG5068", DiagnosticSeverity.Warning, "Declaration changed, wire unchanged");

    /// <summary>RPCG5069: a type or typedef removed that no procedure of the old file sends, or that only named the same wire.</summary>
    public static DiagnosticDescriptor TypeRemoved { get; } = new("RPCG5069", DiagnosticSeverity.Warning, "Type or typedef removed");

    /// <summary>RPCG5070: a constant removed.</summary>
    public static DiagnosticDescriptor ConstantRemoved { get; } = new("RPCG5070", DiagnosticSeverity.Warning, "Constant removed");
}
