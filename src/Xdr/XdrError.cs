namespace NetRpc.Xdr;

/// <summary>Why a sequence of bytes is not valid XDR for the type being read.</summary>
public enum XdrError
{
    /// <summary>The input ended before a fixed-size item (an integer, padding, a fixed opaque or array) was complete.</summary>
    Truncated,

    /// <summary>A length or element count exceeds the maximum declared for the item (<c>&lt;N&gt;</c> in the .x file).</summary>
    LengthExceedsMaximum,

    /// <summary>A length or element count claims more bytes than remain in the input.</summary>
    LengthExceedsInput,

    /// <summary>Padding after opaque data or a string is not zero (RFC 4506 section 3 requires zeros).</summary>
    NonZeroPadding,

    /// <summary>A bool is neither 0 (FALSE) nor 1 (TRUE) (RFC 4506 section 4.4).</summary>
    InvalidBoolean,

    /// <summary>An enum holds a value its declaration does not list (RFC 4506 section 4.3); raised only under <see cref="XdrReaderOptions.StrictEnums"/>.</summary>
    InvalidEnumValue,

    /// <summary>A union's discriminant selects no arm, and the union has no default arm (RFC 4506 section 4.15).</summary>
    InvalidDiscriminant,

    /// <summary>A string's bytes are not valid UTF-8 and the reader was asked to decode text.</summary>
    InvalidUtf8,

    /// <summary>Nested optional data or arrays go deeper than the reader's configured maximum depth.</summary>
    DepthExceeded,

    /// <summary>Bytes remain after a value that was required to fill the whole input.</summary>
    TrailingData,

    /// <summary>A value breaks a rule specific to the type being read (for example a rule of a generated type).</summary>
    InvalidValue,

    /// <summary>
    /// A 4-byte integer read as one of rpcgen's narrower C types (<c>short</c>, <c>unsigned char</c>, ...) holds a
    /// value that type cannot. A C peer never sends one (it encodes a C <c>short</c>); libtirpc's <c>xdr_short</c>
    /// and kin would cut it down silently (70000 becomes 4464), which is refused here rather than copied.
    /// </summary>
    IntegerOutOfRange,
}
