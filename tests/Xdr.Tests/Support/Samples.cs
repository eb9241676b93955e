using System.Text;
using NetRpc.Bench.Protocol;
using NetRpc.Xdr.Tests.TestTypes;

namespace NetRpc.Xdr.Tests.Support;

/// <summary>Deterministic values of the test types: edge cases mixed with random ones, from a seeded generator.</summary>
internal static class Samples
{
    private static readonly string[] CodePoints = ["a", "Z", "0", " ", "-", "_", "~", "é", "ß", "中", "文", "😀", "𝄞"];

    public static AllTypes AllTypes(Random rng) => new()
    {
        I = Int32(rng),
        U = (uint)Int32(rng),
        H = Int64(rng),
        Uh = (ulong)Int64(rng),
        B = rng.Next(2) == 1,
        C = AnyColor(rng),
        F = Single(rng),
        D = Double(rng),
        Q = Quadruple(rng),
        Fo = Bytes(rng, 5, 5, allowZero: true),
        Vo = Bytes(rng, 0, (int)TestTypes.AllTypes.SmallMax, allowZero: true),
        S = Text(rng, (int)TestTypes.AllTypes.SmallMax),
        Us = Bytes(rng, 0, 40, allowZero: false),
        Fa = [Int32(rng), Int32(rng), Int32(rng)],
        Va = Many(rng, 6, Int64),
        Ua = Many(rng, 4, r => (uint)Int32(r)),
        Fs = Many(rng, 5, Single),
        Ds = Many(rng, 5, Double),
        Bs = Many(rng, 5, r => r.Next(2) == 1),
        FixedPts = [new(Int32(rng), Int32(rng)), new(Int32(rng), Int32(rng))],
        Pts = Many(rng, 4, r => new Point(Int32(r), Int32(r))),
        Opt = rng.Next(2) == 1 ? new Point(Int32(rng), Int32(rng)) : null,
        Sh = AnyShape(rng),
        Shapes = Many(rng, 4, AnyShape),
        List = Node.FromValues(Many(rng, 6, Int32)),
    };

    public static BigStruct BigStruct(Random rng) => new()
    {
        I1 = Int32(rng),
        I2 = Int32(rng),
        I3 = Int32(rng),
        I4 = Int32(rng),
        H1 = Int64(rng),
        H2 = Int64(rng),
        H3 = (ulong)Int64(rng),
        Name = Text(rng, 64),
        Values = Many(rng, 120, Int32),
        Sum = Int64(rng),
    };

    public static int Int32(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(5) switch { 0 => 0, 1 => 1, 2 => -1, 3 => int.MinValue, _ => int.MaxValue },
        _ => rng.Next(int.MinValue, int.MaxValue),
    };

    public static long Int64(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(5) switch { 0 => 0, 1 => 1, 2 => -1, 3 => long.MinValue, _ => long.MaxValue },
        _ => rng.NextInt64(long.MinValue, long.MaxValue),
    };

    public static float Single(Random rng) => rng.Next(3) switch
    {
        0 => BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue)),
        1 => rng.Next(7) switch
        {
            0 => float.NaN,
            1 => -0.0f,
            2 => float.PositiveInfinity,
            3 => float.NegativeInfinity,
            4 => float.Epsilon,
            5 => float.MaxValue,
            _ => BitConverter.Int32BitsToSingle(0x7F800001), // a signaling NaN: its bits must survive
        },
        _ => (float)((rng.NextDouble() - 0.5) * 1e6),
    };

    public static double Double(Random rng) => rng.Next(3) switch
    {
        0 => BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)),
        1 => SpecialDouble(rng.Next(8)),
        _ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300)),
    };

    public static double SpecialDouble(int which) => which switch
    {
        0 => double.NaN,
        1 => -0.0,
        2 => double.PositiveInfinity,
        3 => double.NegativeInfinity,
        4 => double.Epsilon,
        5 => double.MaxValue,
        6 => BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF), // the largest subnormal
        _ => BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), // a signaling NaN
    };

    public static XdrQuadruple Quadruple(Random rng) => rng.Next(2) == 0
        ? XdrQuadruple.FromDouble(Double(rng))
        : XdrQuadruple.FromBits(new UInt128((ulong)rng.NextInt64(long.MinValue, long.MaxValue), (ulong)rng.NextInt64(long.MinValue, long.MaxValue)));

    public static byte[] Bytes(Random rng, int minLength, int maxLength, bool allowZero)
    {
        var bytes = new byte[rng.Next(minLength, maxLength + 1)];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(allowZero ? rng.Next(256) : rng.Next(1, 256));
        }

        return bytes;
    }

    /// <summary>Text whose UTF-8 form has at most <paramref name="maxBytes"/> bytes, with multi-byte characters and no NUL (C strings cannot hold one).</summary>
    public static string Text(Random rng, int maxBytes)
    {
        var text = new StringBuilder();
        int bytes = 0;
        int wanted = rng.Next(0, maxBytes + 1);
        while (true)
        {
            string next = CodePoints[rng.Next(CodePoints.Length)];
            int size = Encoding.UTF8.GetByteCount(next);
            if (bytes + size > wanted)
            {
                return text.ToString();
            }

            text.Append(next);
            bytes += size;
        }
    }

    private static Color AnyColor(Random rng) => rng.Next(5) switch
    {
        0 => Color.Red,
        1 => Color.Green,
        2 => Color.Blue,
        3 => Color.Yellow,
        _ => Color.Negative,
    };

    private static Shape AnyShape(Random rng) => AnyColor(rng) switch
    {
        Color.Red => new Shape(Color.Red, Radius: Int32(rng)),
        Color.Green => new Shape(Color.Green, Label: Text(rng, (int)TestTypes.AllTypes.SmallMax)),
        Color.Negative => new Shape(Color.Negative, Label: Text(rng, (int)TestTypes.AllTypes.SmallMax)),
        Color.Blue => new Shape(Color.Blue),
        _ => new Shape(Color.Yellow, Other: Int64(rng)),
    };

    private static T[] Many<T>(Random rng, int max, Func<Random, T> one)
    {
        var items = new T[rng.Next(0, max + 1)];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = one(rng);
        }

        return items;
    }
}
