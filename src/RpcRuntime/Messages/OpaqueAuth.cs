using NetRpc.Xdr;

namespace NetRpc.Runtime.Messages;

/// <summary>
/// opaque_auth (RFC 5531 section 8.2): a flavor and at most 400 bytes of body. Used for credentials and
/// verifiers of calls and replies.
/// </summary>
/// <param name="Flavor">The authentication flavor.</param>
/// <param name="Body">The flavor-specific body, at most <see cref="MaxBodyLength"/> bytes.</param>
public readonly record struct OpaqueAuth(AuthFlavor Flavor, ReadOnlyMemory<byte> Body)
{
    /// <summary>The largest body RFC 5531 allows.</summary>
    public const int MaxBodyLength = 400;

    /// <summary>AUTH_NONE with an empty body.</summary>
    public static OpaqueAuth None => default;

    /// <summary>Reads an opaque_auth.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value; the body is copied out (none for an empty body).</returns>
    /// <exception cref="XdrException">Malformed, or a body over 400 bytes.</exception>
    public static OpaqueAuth Decode(ref XdrReader reader)
    {
        var flavor = (AuthFlavor)reader.ReadEnum();
        byte[] body = reader.ReadOpaque(MaxBodyLength);
        return new OpaqueAuth(flavor, body);
    }

    /// <summary>Writes this opaque_auth.</summary>
    /// <param name="writer">The writer.</param>
    /// <exception cref="ArgumentOutOfRangeException">The body is over 400 bytes.</exception>
    public void Encode(ref XdrWriter writer)
    {
        writer.WriteEnum((int)Flavor);
        writer.WriteOpaque(Body.Span, MaxBodyLength);
    }
}
