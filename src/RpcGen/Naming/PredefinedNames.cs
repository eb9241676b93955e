using System.Collections.Frozen;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Naming;

/// <summary>
/// Names real .x files use without defining them, because rpcgen hands them to a C compiler that finds them
/// in system headers. A definition in the file always wins; otherwise NetRpc uses these meanings and says so
/// (RPCG3001, RPCG3002), except for bool's TRUE and FALSE, which XDR itself defines. The set is what Debian's rpcsvc files, libtirpc's rpcb_prot.x and the NFS, MOUNT and
/// NLM files people use need; docs/diagnostics.md lists it.
/// </summary>
public static class PredefinedNames
{
    /// <summary>C type names and the XDR type libtirpc's matching xdr_ routine encodes.</summary>
    public static FrozenDictionary<string, XdrPrimitive> Types { get; } = new Dictionary<string, XdrPrimitive>(StringComparer.Ordinal)
    {
        ["int32_t"] = XdrPrimitive.Int,
        ["int32"] = XdrPrimitive.Int,
        ["enum_t"] = XdrPrimitive.Int,
        ["uint32_t"] = XdrPrimitive.UnsignedInt,
        ["u_int32_t"] = XdrPrimitive.UnsignedInt,
        ["uint32"] = XdrPrimitive.UnsignedInt,
        ["u_int"] = XdrPrimitive.UnsignedInt,
        ["u_long"] = XdrPrimitive.UnsignedInt,
        ["u_short"] = XdrPrimitive.UnsignedInt,
        ["u_char"] = XdrPrimitive.UnsignedInt,
        ["uint"] = XdrPrimitive.UnsignedInt,
        ["int64_t"] = XdrPrimitive.Hyper,
        ["int64"] = XdrPrimitive.Hyper,
        ["quad_t"] = XdrPrimitive.Hyper,
        ["longlong_t"] = XdrPrimitive.Hyper,
        ["uint64_t"] = XdrPrimitive.UnsignedHyper,
        ["u_int64_t"] = XdrPrimitive.UnsignedHyper,
        ["uint64"] = XdrPrimitive.UnsignedHyper,
        ["u_quad_t"] = XdrPrimitive.UnsignedHyper,
        ["u_longlong_t"] = XdrPrimitive.UnsignedHyper,
        ["bool_t"] = XdrPrimitive.Bool,
        ["rpcprog_t"] = XdrPrimitive.UnsignedInt,
        ["rpcvers_t"] = XdrPrimitive.UnsignedInt,
        ["rpcproc_t"] = XdrPrimitive.UnsignedInt,
        ["rpcprot_t"] = XdrPrimitive.UnsignedInt,
        ["rpcport_t"] = XdrPrimitive.UnsignedInt,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The names in <see cref="Types"/> for C types narrower than their XDR type (libtirpc's xdr_u_short, xdr_u_char).</summary>
    public static FrozenDictionary<string, NarrowInteger> NarrowTypes { get; } = new Dictionary<string, NarrowInteger>(StringComparer.Ordinal)
    {
        ["u_short"] = NarrowInteger.Short,
        ["u_char"] = NarrowInteger.Char,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The C types with more structure than a primitive, and the .x definition of each one's wire form.</summary>
    public static FrozenDictionary<string, string> DefinitionNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["netobj"] = "typedef opaque netobj<1024>",
        ["des_block"] = "typedef opaque des_block[8]",
        ["netbuf"] = "struct netbuf { unsigned int maxlen; opaque buf<>; }",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// A C type whose xdr_ routine writes more than a primitive, as the .x definition that describes the same wire
    /// form: <c>netobj</c> (rpc/xdr.h: <c>opaque netobj&lt;1024&gt;</c>, MAX_NETOBJ_SZ), <c>des_block</c> (rpc/auth.h,
    /// written by xdr_des_block as <c>opaque des_block[8]</c>), and <c>struct netbuf</c> (rpc/types.h, written by
    /// xdr_netbuf as <c>{ unsigned int maxlen; opaque buf&lt;&gt;; }</c>).
    /// </summary>
    /// <param name="name">The name used.</param>
    /// <param name="at">Where the file first uses it; the definition is placed there.</param>
    /// <returns>The definition, or null when the name is not a key of <see cref="DefinitionNames"/>.</returns>
    public static TypeDefinition? Definition(string name, Diagnostics.SourceLocation at)
    {
        var opaque = new PrimitiveType(XdrPrimitive.Opaque, "opaque");
        return name switch
        {
            "netobj" => Typedef(new Declaration(name, DeclarationKind.VariableOpaque, opaque, new Size(1024, null), at, null), "libtirpc's netobj (rpc/xdr.h): opaque data of at most 1024 bytes."),
            "des_block" => Typedef(new Declaration(name, DeclarationKind.FixedOpaque, opaque, new Size(8, null), at, null), "libtirpc's des_block (rpc/auth.h): 8 bytes of opaque data."),
            "netbuf" => new StructDefinition(name, at, "libtirpc's struct netbuf (rpc/types.h), as xdr_netbuf writes it: the buffer's capacity, then its bytes.", new StructBody(
            [
                new Declaration("maxlen", DeclarationKind.Scalar, new PrimitiveType(XdrPrimitive.UnsignedInt, "unsigned int"), null, at, null),
                new Declaration("buf", DeclarationKind.VariableOpaque, opaque, Size.Unbounded, at, null),
            ])),
            _ => null,
        };

        TypedefDefinition Typedef(Declaration declaration, string documentation) => new(name, at, documentation, declaration);
    }

    /// <summary>
    /// TRUE and FALSE, the members of bool: RFC 4506 section 4.4 defines bool as <c>enum { FALSE = 0, TRUE = 1 }</c>,
    /// so they are the XDR language's own names, valid wherever a value is, and not taken on trust. A definition in
    /// the file still wins, as for every predefined name.
    /// </summary>
    public static FrozenDictionary<string, long> BoolMembers { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["FALSE"] = 0,
        ["TRUE"] = 1,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Constants from C headers: the authentication flavours of RFC 5531 section 8.2 (and RFC 9289's AUTH_TLS), and
    /// rpc/auth.h's MAXNETNAMELEN.
    /// </summary>
    public static FrozenDictionary<string, long> Constants { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["AUTH_NONE"] = 0,
        ["AUTH_NULL"] = 0,
        ["AUTH_SYS"] = 1,
        ["AUTH_UNIX"] = 1,
        ["AUTH_SHORT"] = 2,
        ["AUTH_DH"] = 3,
        ["AUTH_DES"] = 3,
        ["AUTH_KERB"] = 4,
        ["RPCSEC_GSS"] = 6,
        ["AUTH_TLS"] = 7,
        ["MAXNETNAMELEN"] = 255,
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
