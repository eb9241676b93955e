namespace NetRpc.Xdr;

/// <summary>
/// The contract every XDR-encodable type fulfils (generated types, and hand-written ones). It needs no
/// reflection: generic code such as the RPC runtime constrains on it and calls the static
/// <see cref="Decode"/> and the instance <see cref="Encode"/> directly, so it is safe under trimming and NativeAOT.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IXdrCodec<TSelf> where TSelf : IXdrCodec<TSelf>
{
    /// <summary>
    /// The fewest bytes any value of the type occupies on the wire. Readers use it to refuse an array
    /// count that the remaining input cannot possibly hold before allocating the array. Most types take at
    /// least one 4-byte unit (the default); a type that can encode to nothing must return 0.
    /// </summary>
    static virtual int MinEncodedSize => 4;

    /// <summary>Reads one value.</summary>
    /// <param name="reader">The reader, positioned at the value.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding of the type.</exception>
    static abstract TSelf Decode(ref XdrReader reader);

    /// <summary>Writes this value.</summary>
    /// <param name="writer">The writer.</param>
    /// <exception cref="ArgumentException">The value breaks a declared limit (a maximum length, a fixed length, a depth).</exception>
    void Encode(ref XdrWriter writer);
}

/// <summary>
/// A node of an XDR linked list: a struct whose last field is an optional pointer to the next node, the
/// shape of <c>struct entry { ...; entry *next; }</c> (RFC 4506 section 4.19). Lists of such nodes are read
/// and written iteratively by <see cref="XdrReader.ReadList{T}"/> and <see cref="XdrWriter.WriteList{T}"/>,
/// so a list of any length costs no stack. The <see cref="IXdrCodec{TSelf}.Decode"/> and
/// <see cref="IXdrCodec{TSelf}.Encode"/> of a node read or write its fields and then the rest of the list
/// through those two methods.
/// </summary>
/// <typeparam name="TSelf">The node type.</typeparam>
public interface IXdrListNode<TSelf> : IXdrCodec<TSelf> where TSelf : class, IXdrListNode<TSelf>
{
    /// <summary>The next node, or <see langword="null"/> at the end of the list.</summary>
    TSelf? Next { get; set; }

    /// <summary>Reads the node's fields, all but the link to the next node, leaving <see cref="Next"/> null.</summary>
    /// <param name="reader">The reader, positioned at the node.</param>
    /// <returns>The node.</returns>
    /// <exception cref="XdrException">The input is not a valid encoding of the node.</exception>
    static abstract TSelf DecodeNodeFields(ref XdrReader reader);

    /// <summary>Writes the node's fields, all but the link to the next node.</summary>
    /// <param name="writer">The writer.</param>
    void EncodeNodeFields(ref XdrWriter writer);
}
