namespace NetRpc.RpcGen.Emit;

/// <summary>
/// Value semantics of a generated struct or union: IEquatable, Equals and GetHashCode deep over arrays, opaque data
/// and nested types, and a ToString that shows the fields (<c>Primitives { I = 1, ... }</c>), as a record's would.
/// A linked list is compared, hashed and shown node by node in a loop (NetRpc.Xdr.XdrValues), so its length costs no
/// stack. No == operator: the structs are mutable classes, and == on them stays reference equality.
/// </summary>
internal static class ValueMembers
{
    private const string Values = "global::NetRpc.Xdr.XdrValues";

    public static void WriteStruct(SourceWriter w, StructType type)
    {
        bool list = type.IsListNode;
        List<Member> fields = list ? type.Fields[..^1] : type.Fields;
        string name = type.FullName;
        w.Line();
        w.Line("/// <inheritdoc/>");
        if (list)
        {
            // The whole list from here: each node's own fields, in a loop.
            w.Line($"public bool Equals({name}? other) => other is not null && {Values}.ListEqual(this, other, static (a, b) => {FieldsEqual(fields, "a", "b")});");
        }
        else
        {
            w.Line($"public bool Equals({name}? other) => other is not null && (ReferenceEquals(this, other) || {FieldsEqual(fields, "this", "other")});");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override bool Equals(object? obj) => this.Equals(obj as {name});");
        w.Line();
        w.Line("/// <inheritdoc/>");
        if (list)
        {
            w.Line($"public override int GetHashCode() => {Values}.ListHash(this, static node => {FieldsHash(fields, "node")});");
        }
        else
        {
            w.Line($"public override int GetHashCode() => {FieldsHash(fields, "this")};");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line(list
            ? $"public override string ToString() => {Values}.FormatList(this, static node => {FieldsText(type.Name, fields, "node")});"
            : $"public override string ToString() => {FieldsText(type.Name, fields, "this")};");
    }

    public static void WriteUnion(SourceWriter w, UnionType type, Func<Arm, string, string> stored)
    {
        string name = type.FullName;
        Member discriminant = type.Discriminant;
        string disc = discriminant.Name;
        Arm[] valued = [.. type.Arms.Where(a => a.Value is not null)];
        w.Line();
        w.Line("/// <inheritdoc/>");
        string armsEqual = valued.Length == 0 ? "true" : Switch(type, valued, a => Equal(a.Value!.Shape, stored(a, "this"), stored(a, "other")), "true");
        w.Line($"public bool Equals({name}? other) => other is not null && (ReferenceEquals(this, other) || (this.{type.ArmField} == other.{type.ArmField} && {Equal(discriminant.Shape, $"this.{disc}", $"other.{disc}")} && {armsEqual}));");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override bool Equals(object? obj) => this.Equals(obj as {name});");
        w.Line();
        w.Line("/// <inheritdoc/>");
        string armHash = valued.Length == 0 ? "0" : Switch(type, valued, a => Hash(a.Value!.Shape, stored(a, "this")), "0");
        w.Line($"public override int GetHashCode() => global::System.HashCode.Combine(this.{type.ArmField}, {Hash(discriminant.Shape, $"this.{disc}")}, {armHash});");
        w.Line();
        w.Line("/// <inheritdoc/>");
        string armText = valued.Length == 0 ? "\"\"" : Switch(type, valued, a => $"\", {Identifiers.Bare(a.Value!.Name)} = \" + {Text(a.Value.Shape, stored(a, "this"))}", "\"\"");
        w.Line($"public override string ToString() => \"{type.Name} {{ {Identifiers.Bare(disc)} = \" + {Text(discriminant.Shape, $"this.{disc}")} + {armText} + \" }}\";");
    }

    private static string Switch(UnionType type, Arm[] arms, Func<Arm, string> arm, string otherwise) =>
        $"this.{type.ArmField} switch {{ {string.Join(" ", arms.Select(a => $"{a.Index} => {arm(a)},"))} _ => {otherwise} }}";

    private static string FieldsEqual(List<Member> fields, string a, string b) =>
        fields.Count == 0 ? "true" : string.Join(" && ", fields.Select(f => Equal(f.Shape, $"{a}.{f.Name}", $"{b}.{f.Name}")));

    private static string FieldsHash(List<Member> fields, string v)
    {
        if (fields.Count == 0)
        {
            return "0";
        }

        // HashCode.Combine takes up to eight values; more are folded in groups.
        List<string> parts = [.. fields.Select(f => Hash(f.Shape, $"{v}.{f.Name}"))];
        while (parts.Count > 8)
        {
            parts = [.. parts.Chunk(8).Select(chunk => chunk.Length == 1 ? chunk[0] : $"global::System.HashCode.Combine({string.Join(", ", chunk)})")];
        }

        return parts.Count == 1 ? parts[0] : $"global::System.HashCode.Combine({string.Join(", ", parts)})";
    }

    private static string FieldsText(string typeName, List<Member> fields, string v) =>
        fields.Count == 0
            ? $"\"{typeName} {{ }}\""
            : $"\"{typeName} {{ \" + {string.Join(" + \", \" + ", fields.Select(f => $"\"{Identifiers.Bare(f.Name)} = \" + {Text(f.Shape, $"{v}.{f.Name}")}"))} + \" }}\"";

    /// <summary>An expression: whether <paramref name="a"/> and <paramref name="b"/>, of <paramref name="shape"/>, are equal.</summary>
    private static string Equal(Shape shape, string a, string b) => shape switch
    {
        StringShape => $"string.Equals({a}, {b})",
        OpaqueShape => $"{Values}.Equal({a}, {b})",
        ArrayShape { Element: var element } when NeedsOwnEquality(element) => $"{Values}.Equal({a}, {b}, static (x, y) => {Equal(element, "x", "y")})",
        ArrayShape => $"{Values}.Equal({a}, {b})",
        OptionalShape { Element: var element } when !element.IsValueType => Equal(element, a, b),
        _ => $"global::System.Collections.Generic.EqualityComparer<{shape.CSharpType}>.Default.Equals({a}, {b})",
    };

    /// <summary>An int expression: the hash code of <paramref name="v"/>, of <paramref name="shape"/>.</summary>
    private static string Hash(Shape shape, string v) => shape switch
    {
        OpaqueShape => $"{Values}.Hash({v})",
        ArrayShape { Element: var element } when NeedsOwnEquality(element) => $"{Values}.Hash({v}, static x => {Hash(element, "x")})",
        ArrayShape => $"{Values}.Hash({v})",
        OptionalShape { Element: var element } when !element.IsValueType => Hash(element, v),
        _ when shape.IsValueType => $"global::System.Collections.Generic.EqualityComparer<{shape.CSharpType}>.Default.GetHashCode({v})",
        _ => $"(({v})?.GetHashCode() ?? 0)",
    };

    /// <summary>A string expression: the text of <paramref name="v"/>, of <paramref name="shape"/>.</summary>
    private static string Text(Shape shape, string v) => shape switch
    {
        ArrayShape { Element: var element } when NeedsOwnEquality(element) => $"{Values}.Format({v}, static x => {Text(element, "x")})",
        OptionalShape { Element: var element } when !element.IsValueType => Text(element, v),
        _ => $"{Values}.Format({v})",
    };

    /// <summary>Elements whose equality is not their type's own: arrays and opaque data, which .NET compares by reference.</summary>
    private static bool NeedsOwnEquality(Shape element) => element is ArrayShape or OpaqueShape or OptionalShape { Element: ArrayShape or OpaqueShape };
}
