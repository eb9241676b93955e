namespace NetRpc.Xdr;

/// <summary>XDR <c>void</c> (RFC 4506 section 4.16): a value that occupies no bytes.</summary>
public readonly struct XdrVoid : IXdrCodec<XdrVoid>, IEquatable<XdrVoid>
{
    /// <summary>The only value.</summary>
    public static XdrVoid Value => default;

    /// <inheritdoc/>
    public static int MinEncodedSize => 0;

    /// <inheritdoc/>
    public static XdrVoid Decode(ref XdrReader reader) => default;

    /// <inheritdoc/>
    public void Encode(ref XdrWriter writer)
    {
    }

    /// <inheritdoc/>
    public bool Equals(XdrVoid other) => true;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is XdrVoid;

    /// <inheritdoc/>
    public override int GetHashCode() => 0;

    /// <inheritdoc/>
    public override string ToString() => "void";

    /// <summary>Always true: there is one void value.</summary>
    public static bool operator ==(XdrVoid left, XdrVoid right) => true;

    /// <summary>Always false: there is one void value.</summary>
    public static bool operator !=(XdrVoid left, XdrVoid right) => false;
}
