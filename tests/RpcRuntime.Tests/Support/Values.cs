using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>An XDR int as a codec type, for arguments and results of test procedures.</summary>
internal readonly record struct IntValue(int Value) : IXdrCodec<IntValue>
{
    public static IntValue Decode(ref XdrReader reader) => new(reader.ReadInt32());

    public void Encode(ref XdrWriter writer) => writer.WriteInt32(Value);
}

/// <summary>An XDR string&lt;&gt; as a codec type.</summary>
internal sealed record TextValue(string Value) : IXdrCodec<TextValue>
{
    public static TextValue Decode(ref XdrReader reader) => new(reader.ReadString());

    public void Encode(ref XdrWriter writer) => writer.WriteString(Value);
}

/// <summary>An XDR opaque&lt;&gt; as a codec type.</summary>
internal sealed record BlobValue(byte[] Value) : IXdrCodec<BlobValue>
{
    public static BlobValue Decode(ref XdrReader reader) => new(reader.ReadOpaque());

    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Value);
}

/// <summary>An XDR opaque&lt;&gt; decoded into pooled memory (what rpcgen's --pooled-opaque generates).</summary>
internal sealed record PooledValue(PooledOpaque Value) : IXdrCodec<PooledValue>, IDisposable
{
    public void Dispose() => Value.Dispose();

    public static PooledValue Decode(ref XdrReader reader) => new(reader.ReadPooledOpaque());

    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Value);
}
