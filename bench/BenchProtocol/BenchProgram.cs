using NetRpc.Xdr;

namespace NetRpc.Bench.Protocol;

/// <summary>bench.x's program: BENCH_PROG 0x20000099 version 1, procedures PING, ECHO and SUM.</summary>
public static class BenchProgram
{
    /// <summary>BENCH_PROG.</summary>
    public const uint Program = 0x20000099;

    /// <summary>BENCH_VERS.</summary>
    public const uint Version = 1;

    /// <summary>void PING(void) = 1.</summary>
    public const uint Ping = 1;

    /// <summary>opaque_blob ECHO(opaque_blob) = 2.</summary>
    public const uint Echo = 2;

    /// <summary>big_struct SUM(big_struct) = 3.</summary>
    public const uint Sum = 3;

    /// <summary>What the server's SUM computes: i1..i4, h1..h3 and every value, as a hyper.</summary>
    /// <param name="value">The argument.</param>
    /// <returns>The sum.</returns>
    public static long SumOf(BigStruct value)
    {
        long sum = (long)value.I1 + value.I2 + value.I3 + value.I4 + value.H1 + value.H2 + (long)value.H3;
        foreach (int v in value.Values)
        {
            sum += v;
        }

        return sum;
    }
}

/// <summary><c>typedef opaque opaque_blob&lt;&gt;;</c></summary>
/// <param name="Bytes">The bytes.</param>
public readonly record struct OpaqueBlob(byte[] Bytes) : IXdrCodec<OpaqueBlob>
{
    /// <inheritdoc/>
    public static OpaqueBlob Decode(ref XdrReader reader) => new(reader.ReadOpaque());

    /// <inheritdoc/>
    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Bytes);
}
