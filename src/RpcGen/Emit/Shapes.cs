using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// What a declaration is on the wire and in C#, with typedefs seen through: the generator's view of a
/// <see cref="Declaration"/>. A typedef names no C# type of its own; its rules (maxima, fixed lengths)
/// travel with the shape to every place it is used.
/// </summary>
internal abstract record Shape
{
    /// <summary>The C# type.</summary>
    public abstract string CSharpType { get; }

    /// <summary>Whether the C# type is a value type (optional data of it is <c>T?</c>, <see cref="Nullable{T}"/>).</summary>
    public abstract bool IsValueType { get; }

    /// <summary>The fewest bytes it takes on the wire.</summary>
    public abstract int MinSize { get; }

    /// <summary>How many arrays and optional data are nested in the C# type (<c>int[][]</c>: 2); a class or enum starts again at 0.</summary>
    public virtual int Nesting => 0;
}

/// <summary><c>void</c>.</summary>
internal sealed record VoidShape : Shape
{
    public static VoidShape Instance { get; } = new();

    public override string CSharpType => "global::NetRpc.Xdr.XdrVoid";

    public override bool IsValueType => true;

    public override int MinSize => 0;
}

/// <summary>An XDR primitive; an int or unsigned int declared as a narrower C type becomes the C# type of that width.</summary>
internal sealed record PrimitiveShape(XdrPrimitive Kind, NarrowInteger Narrow = NarrowInteger.None) : Shape
{
    public override string CSharpType => (Kind, Narrow) switch
    {
        (XdrPrimitive.Int, NarrowInteger.Short) => "short",
        (XdrPrimitive.UnsignedInt, NarrowInteger.Short) => "ushort",
        (XdrPrimitive.Int, NarrowInteger.Char) => "sbyte",
        (XdrPrimitive.UnsignedInt, NarrowInteger.Char) => "byte",
        (XdrPrimitive.Int, _) => "int",
        (XdrPrimitive.UnsignedInt, _) => "uint",
        (XdrPrimitive.Hyper, _) => "long",
        (XdrPrimitive.UnsignedHyper, _) => "ulong",
        (XdrPrimitive.Float, _) => "float",
        (XdrPrimitive.Double, _) => "double",
        (XdrPrimitive.Quadruple, _) => "global::NetRpc.Xdr.XdrQuadruple",
        (XdrPrimitive.Bool, _) => "bool",
        _ => throw new InvalidOperationException($"{Kind} is not a value type of its own"),
    };

    public override bool IsValueType => true;

    public override int MinSize => Kind switch
    {
        XdrPrimitive.Hyper or XdrPrimitive.UnsignedHyper or XdrPrimitive.Double => 8,
        XdrPrimitive.Quadruple => 16,
        _ => 4,
    };

    /// <summary>The XdrReader/XdrWriter method suffix (<c>Int32</c> for ReadInt32).</summary>
    public string Method => (Kind, Narrow) switch
    {
        (XdrPrimitive.Int, NarrowInteger.Short) => "Int16",
        (XdrPrimitive.UnsignedInt, NarrowInteger.Short) => "UInt16",
        (XdrPrimitive.Int, NarrowInteger.Char) => "Int8",
        (XdrPrimitive.UnsignedInt, NarrowInteger.Char) => "UInt8",
        (XdrPrimitive.Int, _) => "Int32",
        (XdrPrimitive.UnsignedInt, _) => "UInt32",
        (XdrPrimitive.Hyper, _) => "Int64",
        (XdrPrimitive.UnsignedHyper, _) => "UInt64",
        (XdrPrimitive.Float, _) => "Single",
        (XdrPrimitive.Double, _) => "Double",
        (XdrPrimitive.Quadruple, _) => "Quadruple",
        _ => "Boolean",
    };

    /// <summary>Whether XdrReader/XdrWriter have bulk array methods for it.</summary>
    public bool HasBulkArrays => Narrow == NarrowInteger.None && Kind is XdrPrimitive.Int or XdrPrimitive.UnsignedInt or XdrPrimitive.Hyper or XdrPrimitive.UnsignedHyper or XdrPrimitive.Float or XdrPrimitive.Double;
}

/// <summary>A generated enum.</summary>
internal sealed record EnumShape(EnumType Type) : Shape
{
    public override string CSharpType => Type.FullName;

    public override bool IsValueType => true;

    public override int MinSize => 4;
}

/// <summary>A generated struct or union class (an <c>IXdrCodec</c>).</summary>
internal sealed record ClassShape(ClassType Type) : Shape
{
    public override string CSharpType => Type.FullName;

    public override bool IsValueType => false;

    public override int MinSize => Type.MinSize;
}

/// <summary><c>string&lt;m&gt;</c>: a C# string, its UTF-8 form at most <see cref="Max"/> bytes.</summary>
internal sealed record StringShape(Size Max) : Shape
{
    public override string CSharpType => "string";

    public override bool IsValueType => false;

    public override int MinSize => 4;
}

/// <summary>
/// <c>opaque[n]</c> or <c>opaque&lt;m&gt;</c>: a byte array; or, for variable-length data the options choose
/// (<see cref="PooledOpaqueSelection"/>), a <c>PooledOpaque</c>, the bytes in pooled memory, which has the same wire form
/// and the same equality, hash code and text.
/// </summary>
internal sealed record OpaqueShape(bool IsFixed, Size Size, bool IsPooled = false) : Shape
{
    /// <summary>The C# type of pooled opaque data.</summary>
    public const string PooledType = "global::NetRpc.Xdr.PooledOpaque";

    public override string CSharpType => IsPooled ? PooledType : "byte[]";

    public override bool IsValueType => false;

    public override int MinSize => IsFixed ? (int)Math.Min(int.MaxValue, (Size.Value + 3L) & ~3L) : 4;
}

/// <summary><c>T[n]</c> or <c>T&lt;m&gt;</c>: an array.</summary>
internal sealed record ArrayShape(Shape Element, bool IsFixed, Size Size) : Shape
{
    public override string CSharpType => Element.CSharpType + "[]";

    public override bool IsValueType => false;

    public override int MinSize => IsFixed ? (int)Math.Min(int.MaxValue, (long)Size.Value * Element.MinSize) : 4;

    public override int Nesting { get; } = Element.Nesting + 1;
}

/// <summary><c>T *</c>: optional data, null when absent.</summary>
internal sealed record OptionalShape(Shape Element) : Shape
{
    public override string CSharpType => Element.CSharpType + "?";

    public override bool IsValueType => Element.IsValueType;

    public override int MinSize => 4;

    public override int Nesting { get; } = Element.Nesting + 1;

    /// <summary>Whether this is the link of a linked list (<c>node *next</c>), read and written without recursion.</summary>
    public bool IsListLink => Element is ClassShape { Type: StructType { IsListNode: true } };
}
