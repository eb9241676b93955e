using System.Reflection;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// The default state of generated types encodes (fixed arrays of default elements, empty strings and arrays, absent
/// optionals, unions on a valid arm), and a null the wire cannot carry is ArgumentNullException naming the field.
/// The generated code is compiled and run.
/// </summary>
public class GeneratedDefaultsTests
{
    private const string Awkward = """
        enum kind { FIRST = 1, SECOND = 2 };
        typedef int ints<>;
        typedef string text<>;
        struct leaf { string text<>; opaque data<>; int numbers<>; };
        union only_second switch (kind k) { case SECOND: leaf value; };
        union on_int switch (int n) { case 7: string text<>; case 8: void; };
        struct awkward {
            text names[3];
            leaf leaves[2];
            only_second choices[2];
            ints nested[2];
            opaque hashes[4];
            on_int pick;
            only_second only;
            leaf *maybe;
            string text<>;
        };
        """;

    private static readonly Lazy<Assembly> s_generated = new(() =>
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, Awkward)), generation: new GenerationOptions { Namespace = "Defaults", Outputs = GeneratedOutputs.Types });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        return CSharpBuild.Load(result.Files, "GeneratedDefaults");
    });

    [Fact]
    public void Every_type_made_with_new_encodes_and_decodes_back_the_same_bytes()
    {
        (List<Type> checkedTypes, List<string> failures) = DefaultValues.RoundTripAll(s_generated.Value, "Defaults");
        Assert.Empty(failures);
        Assert.Equal(["Defaults.Awkward", "Defaults.Leaf"], checkedTypes.Select(t => t.FullName).Order());
    }

    [Fact]
    public void A_union_whose_zero_selects_no_arm_starts_on_its_first_arm()
    {
        object awkward = Activator.CreateInstance(s_generated.Value.GetType("Defaults.Awkward")!)!;
        object only = awkward.GetType().GetProperty("Only")!.GetValue(awkward)!;
        Assert.Equal("Second", only.GetType().GetProperty("K")!.GetValue(only)!.ToString());
        object pick = awkward.GetType().GetProperty("Pick")!.GetValue(awkward)!;
        Assert.Equal(7, pick.GetType().GetProperty("N")!.GetValue(pick));
    }

    [Theory]
    [InlineData("Text")]
    [InlineData("Names")]
    [InlineData("Leaves")]
    [InlineData("Hashes")]
    [InlineData("Pick")]
    public void A_null_the_wire_cannot_carry_is_argument_null_naming_the_field(string field)
    {
        Type type = s_generated.Value.GetType("Defaults.Awkward")!;
        object awkward = Activator.CreateInstance(type)!;
        type.GetProperty(field)!.SetValue(awkward, null);
        MethodInfo encode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(type);
        var e = Assert.Throws<TargetInvocationException>(() => encode.Invoke(null, [awkward, null]));
        ArgumentNullException inner = Assert.IsType<ArgumentNullException>(e.InnerException);
        Assert.Equal($"Awkward.{field}", inner.ParamName);
    }

    [Fact]
    public void A_null_element_of_an_array_is_argument_null_naming_its_index()
    {
        Type type = s_generated.Value.GetType("Defaults.Awkward")!;
        object awkward = Activator.CreateInstance(type)!;
        var leaves = (Array)type.GetProperty("Leaves")!.GetValue(awkward)!;
        leaves.SetValue(null, 1);
        MethodInfo encode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(type);
        var e = Assert.Throws<TargetInvocationException>(() => encode.Invoke(null, [awkward, null]));
        Assert.Equal("values[1]", Assert.IsType<ArgumentNullException>(e.InnerException).ParamName);
    }

    [Fact]
    public void A_null_optional_is_absent_not_an_error()
    {
        Type type = s_generated.Value.GetType("Defaults.Awkward")!;
        object awkward = Activator.CreateInstance(type)!;
        Assert.Null(type.GetProperty("Maybe")!.GetValue(awkward));
        MethodInfo encode = typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(type);
        Assert.NotEmpty((byte[])encode.Invoke(null, [awkward, null])!);
    }
}
