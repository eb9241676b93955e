using System.Reflection;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// Enum values a .x file does not declare, as libtirpc's xdr_enum accepts them: kept on decode and written back
/// unchanged, refused only under XdrReaderOptions.StrictEnums; a union takes its default arm for one, and without a
/// default refuses it (RFC 4506 section 4.15). The generated code is compiled and run.
/// </summary>
public class GeneratedEnumTests
{
    private const string Spec = """
        enum stat { OK = 0, NOENT = 2, IO = 5, BAD = -1, LOCKED = 10, DELAY = 11, GRACE = 12 };
        struct holder { stat s; stat many<>; };
        union with_default switch (stat status) { case OK: int value; default: void; };
        union without_default switch (stat status) { case OK: int value; case NOENT: void; };
        """;

    private static readonly XdrReaderOptions Strict = new() { StrictEnums = true };

    private static readonly Lazy<Assembly> s_generated = new(() =>
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, Spec)), generation: new GenerationOptions { Namespace = "Enums", Outputs = GeneratedOutputs.Types });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        return CSharpBuild.Load(result.Files, "GeneratedEnums");
    });

    [Theory]
    [InlineData("00000046" + "00000002" + "00000003" + "80000000")]
    [InlineData("7fffffff" + "00000000")]
    [InlineData("fffffffe" + "00000001" + "00000005")]
    public void An_undeclared_value_decodes_to_its_number_and_encodes_back_unchanged(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        object holder = Decode("Holder", bytes, null);
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes), Convert.ToInt32(Property(holder, "S"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(hex, Encode(holder));
    }

    [Theory]
    [InlineData("00000046" + "00000000")]
    [InlineData("00000000" + "00000001" + "00000003")]
    [InlineData("00000005" + "00000002" + "00000002" + "00000004")]
    [InlineData("00000000" + "00000002" + "0000000c" + "0000000d")]
    [InlineData("00000009" + "00000000")]
    public void Strict_enums_refuse_an_undeclared_value_wherever_it_is(string hex)
    {
        var e = Assert.Throws<XdrException>(() => Decode("Holder", Convert.FromHexString(hex), Strict));
        Assert.Equal(XdrError.InvalidEnumValue, e.Error);
    }

    [Fact]
    public void Strict_enums_accept_every_declared_value()
    {
        const string hex = "ffffffff" + "00000007" + "00000000" + "00000002" + "00000005" + "ffffffff" + "0000000a" + "0000000b" + "0000000c";
        Assert.Equal(hex, Encode(Decode("Holder", Convert.FromHexString(hex), Strict)));
    }

    [Fact]
    public void A_union_takes_its_default_arm_for_an_undeclared_discriminant_and_encodes_it_back()
    {
        object union = Decode("WithDefault", Convert.FromHexString("00000046"), null);
        Assert.Equal(70, Convert.ToInt32(Property(union, "Status"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsType<InvalidOperationException>(Assert.Throws<TargetInvocationException>(() => Property(union, "Value")).InnerException);
        Assert.Equal("00000046", Encode(union));
    }

    [Fact]
    public void Strict_enums_refuse_an_undeclared_discriminant_even_with_a_default_arm()
    {
        var e = Assert.Throws<XdrException>(() => Decode("WithDefault", Convert.FromHexString("00000046"), Strict));
        Assert.Equal(XdrError.InvalidEnumValue, e.Error);
    }

    [Fact]
    public void A_union_without_a_default_arm_refuses_an_undeclared_discriminant()
    {
        var e = Assert.Throws<XdrException>(() => Decode("WithoutDefault", Convert.FromHexString("00000046"), null));
        Assert.Equal(XdrError.InvalidDiscriminant, e.Error);
    }

    private static object? Property(object value, string name) => value.GetType().GetProperty(name)!.GetValue(value);

    private static object Decode(string type, byte[] bytes, XdrReaderOptions? options)
    {
        MethodInfo decode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.Decode), [typeof(ReadOnlySpan<byte>), typeof(XdrReaderOptions)])!
            .MakeGenericMethod(s_generated.Value.GetType("Enums." + type)!);

        // A span cannot be boxed for Invoke: call through a delegate bound to the closed method.
        return decode.CreateDelegate<DecodeSpan>()(bytes, options);
    }

    private static string Encode(object value)
    {
        MethodInfo encode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(value.GetType());
        return Convert.ToHexStringLower((byte[])encode.Invoke(null, [value, null])!);
    }

    private delegate object DecodeSpan(ReadOnlySpan<byte> input, XdrReaderOptions? options);
}
