namespace NetRpc.Bench.Protocol;

/// <summary>
/// What the benchmarks add to the generated big_struct (Generated/bench_xdr.cs): the value libtirpc's xdr_bench
/// encodes, and the sum the SUM procedure computes.
/// </summary>
public sealed partial class BigStruct
{
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

    /// <summary>What the server's SUM computes: i1..i4, h1..h3 and every value, as a hyper.</summary>
    /// <returns>The sum.</returns>
    public long SumOfFields()
    {
        long sum = (long)I1 + I2 + I3 + I4 + H1 + H2 + (long)H3;
        foreach (int v in Values)
        {
            sum += v;
        }

        return sum;
    }
}
