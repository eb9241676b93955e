using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Wireshark;

/// <summary>
/// What a declaration is on the wire once typedefs are seen through: the shapes a dissector decodes. Named structs and
/// unions stay named (each gets a function of its own); everything else is resolved in place.
/// </summary>
internal abstract record WireShape
{
    /// <summary>The fewest bytes a value takes (an array count against what is left is checked with it).</summary>
    public abstract int MinSize { get; }
}

/// <summary>A fixed-size item shown as one field: an integer, float, bool, enum or quadruple.</summary>
/// <param name="Field">The ProtoField constructor (<c>int32</c>, <c>uint64</c>, ...).</param>
/// <param name="Size">Its bytes on the wire.</param>
/// <param name="Values">The Lua table naming its values (bool, enum), or null.</param>
/// <param name="Discriminant">How a union reads it as a discriminant: <c>int</c>, <c>uint</c> or null.</param>
internal sealed record LeafShape(string Field, int Size, string? Values, string? Discriminant) : WireShape
{
    public override int MinSize => Size;
}

internal sealed record FixedOpaqueShape(uint Length) : WireShape
{
    public override int MinSize => (int)Math.Min(int.MaxValue, (Length + 3) & ~3u);
}

internal sealed record VariableOpaqueShape(uint Max, bool IsString) : WireShape
{
    public override int MinSize => 4;
}

internal sealed record FixedArrayShape(WireShape Element, uint Length) : WireShape
{
    public override int MinSize => (int)Math.Min(int.MaxValue, (long)Element.MinSize * Length);
}

internal sealed record VariableArrayShape(WireShape Element, uint Max) : WireShape
{
    public override int MinSize => 4;
}

internal sealed record OptionalShape(WireShape Element) : WireShape
{
    public override int MinSize => 4;
}

/// <summary>A struct or union, decoded by the function of that name.</summary>
internal sealed record CompositeShape(string Function, string TypeName, int Minimum) : WireShape
{
    public override int MinSize => Minimum;
}

internal sealed record VoidShape : WireShape
{
    public static VoidShape Instance { get; } = new();

    public override int MinSize => 0;
}
