using System.Reflection;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// rpcgen's short, unsigned short, char and unsigned char (and u_short, u_char): 4 bytes on the wire each, C# short,
/// ushort, sbyte and byte in the generated code, and a decoded value outside the type's range is an XdrException.
/// The generated code is compiled and run.
/// </summary>
public class GeneratedNarrowIntegerTests
{
    private const string Spec = """
        typedef unsigned short port_t;
        struct narrow {
            short s;
            unsigned short us;
            char c;
            unsigned char uc;
            u_short predefined_us;
            u_char predefined_uc;
            port_t ports<>;
            unsigned char fixed[2];
            long stays_int;
        };
        union on_short switch (short kind) { case 1: unsigned char value; default: void; };
        """;

    private static readonly Lazy<(Assembly Assembly, string Code)> s_generated = new(() =>
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, Spec)), generation: new GenerationOptions { Namespace = "Narrow", Outputs = GeneratedOutputs.Types });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        return (CSharpBuild.Load(result.Files, "GeneratedNarrow"), string.Concat(result.Files.Select(f => f.Text)));
    });

    [Theory]
    [InlineData("S", typeof(short))]
    [InlineData("Us", typeof(ushort))]
    [InlineData("C", typeof(sbyte))]
    [InlineData("Uc", typeof(byte))]
    [InlineData("PredefinedUs", typeof(ushort))]
    [InlineData("PredefinedUc", typeof(byte))]
    [InlineData("Ports", typeof(ushort[]))]
    [InlineData("Fixed", typeof(byte[]))]
    [InlineData("StaysInt", typeof(int))]
    public void Each_c_type_has_the_csharp_type_of_its_width(string property, Type expected)
    {
        Assert.Equal(expected, s_generated.Value.Assembly.GetType("Narrow.Narrow")!.GetProperty(property)!.PropertyType);
    }

    [Fact]
    public void A_union_switched_on_a_short_keeps_an_int_discriminant()
    {
        Assert.Contains("public int Kind { get; }", s_generated.Value.Code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ffff8000", "0000ffff", "ffffff80", "000000ff", "0000ffff", "000000ff")]
    [InlineData("00007fff", "00000000", "0000007f", "00000000", "00000000", "00000000")]
    public void The_limits_of_each_type_round_trip_as_four_bytes(string s, string us, string c, string uc, string pus, string puc)
    {
        string hex = s + us + c + uc + pus + puc + "00000001" + "0000ffff" + "000000ff" + "00000000" + "80000000";
        object value = Decode("Narrow", Convert.FromHexString(hex));
        Assert.Equal(hex, Encode(value));
    }

    [Theory]
    [InlineData(0, "ffff7fff")]
    [InlineData(0, "00008000")]
    [InlineData(1, "00010000")]
    [InlineData(1, "ffffffff")]
    [InlineData(2, "ffffff7f")]
    [InlineData(2, "00000080")]
    [InlineData(3, "00000100")]
    [InlineData(4, "00010000")]
    [InlineData(5, "00000100")]
    [InlineData(6, "00010000")]
    [InlineData(7, "00000100")]
    public void One_past_a_limit_is_an_xdr_exception_at_its_offset(int field, string bad)
    {
        // Fields 0..5 are the scalars, 6 the one element of ports<>, 7 the first of fixed[2].
        string[] parts = ["00000000", "00000000", "00000000", "00000000", "00000000", "00000000", "00000001", "00000000", "00000000", "00000000", "00000000"];
        int index = field < 6 ? field : field + 1;
        parts[index] = bad;
        var e = Assert.Throws<XdrException>(() => Decode("Narrow", Convert.FromHexString(string.Concat(parts))));
        Assert.Equal(XdrError.IntegerOutOfRange, e.Error);
        Assert.Equal(index * 4, e.Offset);
    }

    [Fact]
    public void A_narrow_arm_is_range_checked_too()
    {
        Assert.Equal("00000001" + "000000ff", Encode(Decode("OnShort", Convert.FromHexString("00000001" + "000000ff"))));
        Assert.Equal(XdrError.IntegerOutOfRange, Assert.Throws<XdrException>(() => Decode("OnShort", Convert.FromHexString("00000001" + "00000100"))).Error);
    }

    private static object Decode(string type, byte[] bytes)
    {
        MethodInfo decode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.Decode), [typeof(ReadOnlySpan<byte>), typeof(XdrReaderOptions)])!
            .MakeGenericMethod(s_generated.Value.Assembly.GetType("Narrow." + type)!);

        // A span cannot be boxed for Invoke: call through a delegate bound to the closed method.
        return decode.CreateDelegate<DecodeSpan>()(bytes, null);
    }

    private static string Encode(object value)
    {
        MethodInfo encode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(value.GetType());
        return Convert.ToHexStringLower((byte[])encode.Invoke(null, [value, null])!);
    }

    private delegate object DecodeSpan(ReadOnlySpan<byte> input, XdrReaderOptions? options);
}
