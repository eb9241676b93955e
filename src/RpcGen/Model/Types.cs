namespace NetRpc.RpcGen.Model;

/// <summary>The XDR primitive types (RFC 4506 section 4). rpcgen's C spellings map onto them.</summary>
public enum XdrPrimitive
{
    /// <summary><c>void</c>.</summary>
    Void,

    /// <summary><c>int</c> (also rpcgen's char, short, long; see <see cref="NarrowInteger"/>): 4 bytes, signed.</summary>
    Int,

    /// <summary><c>unsigned int</c> (also unsigned alone, and unsigned char, short, long): 4 bytes.</summary>
    UnsignedInt,

    /// <summary><c>hyper</c>: 8 bytes, signed.</summary>
    Hyper,

    /// <summary><c>unsigned hyper</c>: 8 bytes.</summary>
    UnsignedHyper,

    /// <summary><c>float</c>: IEEE binary32.</summary>
    Float,

    /// <summary><c>double</c>: IEEE binary64.</summary>
    Double,

    /// <summary><c>quadruple</c>: IEEE binary128.</summary>
    Quadruple,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary>The bytes of <c>opaque</c> data (only inside opaque declarations).</summary>
    Opaque,

    /// <summary>The bytes of a <c>string</c> (only inside string declarations).</summary>
    String,
}

/// <summary>
/// Which of rpcgen's C integer types narrower than <c>int</c> a 4-byte <see cref="XdrPrimitive.Int"/> or
/// <see cref="XdrPrimitive.UnsignedInt"/> was declared as: the wire is the same, the range of values is not.
/// </summary>
public enum NarrowInteger
{
    /// <summary>The full 32 bits (<c>int</c>, <c>long</c>, <c>unsigned</c>, ...).</summary>
    None,

    /// <summary><c>short</c> or <c>unsigned short</c> (<c>u_short</c>): 16 bits.</summary>
    Short,

    /// <summary><c>char</c> or <c>unsigned char</c> (<c>u_char</c>): 8 bits.</summary>
    Char,
}

/// <summary>The type part of a declaration.</summary>
public abstract record TypeReference;

/// <summary>A primitive type.</summary>
/// <param name="Kind">Which one.</param>
/// <param name="Spelling">How the .x file wrote it (<c>unsigned long</c>, <c>uint32_t</c>, ...), for messages.</param>
public sealed record PrimitiveType(XdrPrimitive Kind, string Spelling) : TypeReference
{
    /// <summary>For an int or unsigned int: whether the .x file declared a narrower C type.</summary>
    public NarrowInteger Narrow { get; init; }

    /// <summary><c>void</c>.</summary>
    public static PrimitiveType Void { get; } = new(XdrPrimitive.Void, "void");
}

/// <summary>A reference to a named type definition; resolve it with <see cref="Specification.FindType"/>.</summary>
/// <param name="Name">The name as written (without a <c>struct</c>/<c>union</c>/<c>enum</c> tag).</param>
public sealed record NamedType(string Name) : TypeReference;

/// <summary>An anonymous enum written in place.</summary>
/// <param name="Body">The members.</param>
public sealed record InlineEnumType(EnumBody Body) : TypeReference;

/// <summary>An anonymous struct written in place.</summary>
/// <param name="Body">The fields.</param>
public sealed record InlineStructType(StructBody Body) : TypeReference;

/// <summary>An anonymous union written in place.</summary>
/// <param name="Body">The discriminant and arms.</param>
public sealed record InlineUnionType(UnionBody Body) : TypeReference;
