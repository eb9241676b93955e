using NetRpc.Xdr;

namespace NetRpc.Bench.Protocol;

/// <summary>
/// big_struct from bench.x, the record the native baseline's SUM call and XDR micro-benchmark use,
/// with a hand-written codec in the shape the generator will emit.
/// </summary>
/// <remarks><code>
/// struct big_struct {
///     int i1; int i2; int i3; int i4;
///     hyper h1; hyper h2; unsigned hyper h3;
///     string name&lt;&gt;;
///     int values&lt;&gt;;
///     hyper sum;
/// };
/// </code></remarks>
public sealed class BigStruct : IXdrCodec<BigStruct>
{
    /// <summary>i1.</summary>
    public int I1 { get; set; }

    /// <summary>i2.</summary>
    public int I2 { get; set; }

    /// <summary>i3.</summary>
    public int I3 { get; set; }

    /// <summary>i4.</summary>
    public int I4 { get; set; }

    /// <summary>h1.</summary>
    public long H1 { get; set; }

    /// <summary>h2.</summary>
    public long H2 { get; set; }

    /// <summary>h3.</summary>
    public ulong H3 { get; set; }

    /// <summary>name (string&lt;&gt;).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>values (int&lt;&gt;).</summary>
    public int[] Values { get; set; } = [];

    /// <summary>sum.</summary>
    public long Sum { get; set; }

    /// <inheritdoc/>
    public static int MinEncodedSize => 60;

    /// <inheritdoc/>
    public static BigStruct Decode(ref XdrReader reader) => new()
    {
        I1 = reader.ReadInt32(),
        I2 = reader.ReadInt32(),
        I3 = reader.ReadInt32(),
        I4 = reader.ReadInt32(),
        H1 = reader.ReadInt64(),
        H2 = reader.ReadInt64(),
        H3 = reader.ReadUInt64(),
        Name = reader.ReadString(),
        Values = reader.ReadInt32Array(),
        Sum = reader.ReadInt64(),
    };

    /// <inheritdoc/>
    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(I1);
        writer.WriteInt32(I2);
        writer.WriteInt32(I3);
        writer.WriteInt32(I4);
        writer.WriteInt64(H1);
        writer.WriteInt64(H2);
        writer.WriteUInt64(H3);
        writer.WriteString(Name);
        writer.WriteInt32Array(Values);
        writer.WriteInt64(Sum);
    }

    /// <summary>The value xdr_bench.c encodes: the same fields, a 32-character name and <paramref name="valueCount"/> ints.</summary>
    /// <param name="valueCount">How many ints (xdr_bench's default is 100, giving 488 bytes).</param>
    /// <returns>The value.</returns>
    public static BigStruct Sample(int valueCount = 100)
    {
        var values = new int[valueCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i * 31) - 1000;
        }

        return new BigStruct
        {
            I1 = 1,
            I2 = -2,
            I3 = 3,
            I4 = 4,
            H1 = 1L << 40,
            H2 = -(1L << 33),
            H3 = 0x0123456789UL,
            Name = "native-sunrpc-benchmark-string!!",
            Values = values,
            Sum = 42,
        };
    }
}
