using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests.Support;

/// <summary>The C# twin of Native/rich_samples.c: the same values, built with the generated types.</summary>
internal static class RichSamples
{
    public const int Count = 3;

    /// <summary>Sample <paramref name="n"/>: 0, everything zero or empty; 1, every field set; 2, the other arms.</summary>
    public static Everything Get(int n) => n switch
    {
        1 => Full(),
        2 => OtherArms(),
        _ => new Everything(),
    };

    private static Everything Full() => new()
    {
        P = new Primitives
        {
            I = -123456,
            U = 4000000000,
            H = -1234567890123,
            Uh = 18000000000000000000,
            F = 1.5f,
            D = -2.25,
            Q = XdrQuadruple.FromDouble(3.5),
            B = true,
            C = Color.Blue,
        },
        Hash = [1, 2, 3, 4, 5, 6],
        Blob = [0xde, 0xad, 0xbe, 0xef, 0x01],
        Any = "héllo wörld",
        Name = "sixteen-chars-ok",
        Names = ["a", "bb", "ccc"],
        Triple = [1, -2, 3],
        Counts = [10, 20, 30, 40, 50],
        Pair = [long.MinValue, long.MaxValue],
        Shapes = [Shape.FromRadius(2.5), Shape.FromSides([3, 4]), Shape.Of(Color.Blue)],
        Nickname = Maybe.FromValue("nick"),
        Res = Result.FromMessage(2, "two"),
        Tag = Tagged.FromBig(0x0123456789abcdef),
        List = new Node { Label = "x", Weight = 1, Next = new Node { Label = "y", Weight = 2, Next = new Node { Label = "z", Weight = -3 } } },
        Extra = new Primitives { I = 7, C = Color.None, Q = XdrQuadruple.FromDouble(-0.125) },
        Colors = [Color.Green, Color.None, Color.Red],
        Flags = [true, false],
        Quads = [XdrQuadruple.FromDouble(1.0), XdrQuadruple.FromDouble(-0.5)],
    };

    private static Everything OtherArms() => new()
    {
        Shapes = [Shape.FromSides([])],
        Res = Result.Of(7),
        Tag = Tagged.FromRaw(9, [1, 2, 3]),
        List = new Node { Label = "only" },
        Extra = new Primitives { C = Color.Green },
    };

    public static byte[] Encode<T>(T value)
        where T : IXdrCodec<T> => XdrCodec.EncodeToArray(value);

    public static T Decode<T>(string hex)
        where T : IXdrCodec<T> => XdrCodec.Decode<T>(Convert.FromHexString(hex));

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
