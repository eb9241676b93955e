using System.Reflection;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.RpcGen.Tests.Emit;

/// <summary>
/// Variable-length opaque data as NetRpc.Xdr.PooledOpaque (rpcgen --pooled-opaque, GenerationOptions.AllOpaquePooled and
/// PooledOpaque): every such declaration, or the typedefs and members named, and nothing else (fixed-length opaque data,
/// strings). The generated code of Emit/Golden/pooled.x is compiled and run: the default values encode and decode back
/// equal, values with data travel as the same bytes as byte[] would, and equality, hash code and text are those of the
/// bytes. A name that is not variable-length opaque data is RPCG4004, saying what it is instead.
/// </summary>
public class PooledOpaqueTests
{
    /// <summary>The names the PooledByName golden files are generated with: a typedef, a field and an arm.</summary>
    public const string ByName = "blob,write_args.data,read_res.data";

    private const string Pooled = "NetRpc.Xdr.PooledOpaque";

    private static readonly Lazy<Assembly> s_byName = new(() => Load("Pooled.ByName", new GenerationOptions { PooledOpaque = ByName.Split(',') }));

    private static readonly Lazy<Assembly> s_all = new(() => Load("Pooled.All", new GenerationOptions { AllOpaquePooled = true }));

    private static readonly Lazy<Assembly> s_plain = new(() => Load("Pooled.Plain", new GenerationOptions()));

    private static string Input => Path.Combine(Corpus.RepositoryRoot!, "tests/RpcGen.Tests/Emit/Golden/pooled.x");

    [Theory]
    [InlineData("WriteArgs", "Data", Pooled)]
    [InlineData("WriteArgs", "Extra", Pooled)]
    [InlineData("WriteArgs", "Chunks", Pooled + "[]")]
    [InlineData("WriteArgs", "Pair", Pooled + "[]")]
    [InlineData("WriteArgs", "Maybe", Pooled)]
    [InlineData("WriteArgs", "Label", "System.Byte[]")]
    [InlineData("WriteArgs", "Verf", "System.Byte[]")]
    [InlineData("WriteArgs", "Cookie", "System.Byte[]")]
    [InlineData("WriteArgs", "Name", "System.String")]
    [InlineData("ReadRes", "Data", Pooled)]
    [InlineData("ReadRes", "Alias", Pooled)]
    [InlineData("ReadRes", "Label", "System.Byte[]")]
    public void By_name_a_typedef_goes_with_every_use_and_a_member_alone(string type, string property, string expected) =>
        Assert.Equal(expected, PropertyType(s_byName.Value, "Pooled.ByName." + type, property));

    [Theory]
    [InlineData("WriteArgs", "Data", Pooled)]
    [InlineData("WriteArgs", "Label", Pooled)]
    [InlineData("WriteArgs", "Chunks", Pooled + "[]")]
    [InlineData("WriteArgs", "Verf", "System.Byte[]")]
    [InlineData("WriteArgs", "Cookie", "System.Byte[]")]
    [InlineData("WriteArgs", "Name", "System.String")]
    [InlineData("ReadRes", "Label", Pooled)]
    public void All_pools_every_variable_length_opaque_and_nothing_else(string type, string property, string expected) =>
        Assert.Equal(expected, PropertyType(s_all.Value, "Pooled.All." + type, property));

    [Fact]
    public void Procedure_arguments_and_results_of_a_pooled_typedef_are_pooled_on_client_and_service()
    {
        Type client = s_byName.Value.GetType("Pooled.ByName.IPooledVersClient")!;
        MethodInfo echo = client.GetMethods().Single(m => m.Name == "EchoAsync" && m.GetParameters().Length == 2);
        Assert.Equal(typeof(Task<PooledOpaque>), echo.ReturnType);
        Assert.Equal(typeof(PooledOpaque), echo.GetParameters()[0].ParameterType);
        MethodInfo label = client.GetMethods().Single(m => m.Name == "LabelAsync" && m.GetParameters().Length == 2);
        Assert.Equal(typeof(Task<byte[]>), label.ReturnType);

        Type service = s_byName.Value.GetType("Pooled.ByName.PooledVersServiceBase")!;
        MethodInfo served = service.GetMethod("EchoAsync")!;
        Assert.Equal(typeof(ValueTask<PooledOpaque>), served.ReturnType);
        Assert.Equal(typeof(PooledOpaque), served.GetParameters()[0].ParameterType);

        MethodInfo allLabel = s_all.Value.GetType("Pooled.All.PooledVersServiceBase")!.GetMethod("LabelAsync")!;
        Assert.Equal(typeof(ValueTask<PooledOpaque>), allLabel.ReturnType);
    }

    [Theory]
    [InlineData("Pooled.ByName")]
    [InlineData("Pooled.All")]
    public void Every_type_made_with_new_encodes_and_decodes_back_equal(string @namespace)
    {
        (List<Type> checkedTypes, List<string> failures) = DefaultValues.RoundTripAll(Assembly(@namespace), @namespace);
        Assert.Empty(failures);
        Assert.Equal([@namespace + ".WriteArgs"], checkedTypes.Select(t => t.FullName));
        object made = Activator.CreateInstance(Assembly(@namespace).GetType(@namespace + ".WriteArgs")!)!;
        Assert.Same(PooledOpaque.Empty, made.GetType().GetProperty("Data")!.GetValue(made));
    }

    [Theory]
    [InlineData("Pooled.ByName")]
    [InlineData("Pooled.All")]
    public void Data_travels_as_the_same_bytes_as_byte_arrays_and_comes_back_equal(string @namespace)
    {
        byte[] payload = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];
        object pooled = WriteArgs(Assembly(@namespace), @namespace, bytes => PooledOpaque.Wrap(bytes), payload);
        object plain = WriteArgs(s_plain.Value, "Pooled.Plain", bytes => bytes, payload);

        byte[] encoded = Encode(pooled);
        Assert.Equal(Encode(plain), encoded);

        object decoded = Decode(pooled.GetType(), encoded);
        var data = (PooledOpaque)decoded.GetType().GetProperty("Data")!.GetValue(decoded)!;
        Assert.Equal(PooledOpaque.Wrap(payload), data); // read with ReadPooledOpaque, equal to one wrapped
        Assert.Equal(payload, data.ToArray());
        Assert.Equal(pooled, decoded);
        Assert.Equal(pooled.GetHashCode(), decoded.GetHashCode());
        Assert.Equal(pooled.ToString(), decoded.ToString());
        Assert.Contains("Data = 0x00070e15", decoded.ToString(), StringComparison.Ordinal);
        Assert.Equal(plain.ToString()!.Replace("Pooled.Plain", @namespace, StringComparison.Ordinal), decoded.ToString());

        // The value decoded owns pooled memory (no scope here: the caller disposes); disposed, it shows so.
        data.Dispose();
        Assert.Contains("Data = (disposed)", decoded.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_union_arm_of_pooled_data_round_trips_and_compares_by_its_bytes()
    {
        Type union = s_byName.Value.GetType("Pooled.ByName.ReadRes")!;
        MethodInfo fromData = union.GetMethod("FromData", [typeof(PooledOpaque)])!;
        object value = fromData.Invoke(null, [PooledOpaque.CopyOf([9, 8, 7, 6, 5])])!;
        object decoded = Decode(union, Encode(value));
        Assert.Equal(value, decoded);
        Assert.Equal(value.GetHashCode(), decoded.GetHashCode());
        Assert.Equal("ReadRes { Status = 0, Data = 0x0908070605 }", decoded.ToString());
        Assert.NotEqual(value, fromData.Invoke(null, [PooledOpaque.CopyOf([9, 8, 7, 6])]));

        var e = Assert.Throws<TargetInvocationException>(() => fromData.Invoke(null, [null]));
        Assert.IsType<ArgumentNullException>(e.InnerException);
    }

    [Theory]
    [InlineData("Data")]
    [InlineData("Extra")]
    [InlineData("Chunks")]
    public void A_null_is_argument_null_naming_the_field(string field)
    {
        Type type = s_byName.Value.GetType("Pooled.ByName.WriteArgs")!;
        object value = Activator.CreateInstance(type)!;
        type.GetProperty(field)!.SetValue(value, null);
        var e = Assert.Throws<TargetInvocationException>(() => Encode(value));
        Assert.Equal($"WriteArgs.{field}", Assert.IsType<ArgumentNullException>(e.InnerException).ParamName);
    }

    [Fact]
    public void The_documentation_says_the_data_is_pooled_and_who_disposes_it()
    {
        IReadOnlyList<GeneratedFile> files = Generate(Input, new GenerationOptions { PooledOpaque = ByName.Split(',') });
        string types = files.Single(f => f.Output == GeneratedOutputs.Types).Text;
        string client = files.Single(f => f.Output == GeneratedOutputs.Client).Text;
        string service = files.Single(f => f.Output == GeneratedOutputs.Server).Text;
        Assert.Contains("/// Pooled memory (<see cref=\"global::NetRpc.Xdr.PooledOpaque\"/>): a client disposes what it receives; a server's runtime disposes what it decodes or writes, once the reply is written.\n    /// </remarks>\n    public global::NetRpc.Xdr.PooledOpaque Data { get; set; }", types, StringComparison.Ordinal);
        Assert.Contains("/// <returns>The result. Its pooled data (<see cref=\"global::NetRpc.Xdr.PooledOpaque\"/>) is the caller's to dispose.</returns>", client, StringComparison.Ordinal);
        Assert.Contains("/// <returns>The result. Its pooled data (<see cref=\"global::NetRpc.Xdr.PooledOpaque\"/>) is disposed by the runtime once the reply is written; return PooledOpaque.Wrap(bytes) for bytes kept.</returns>\n    public virtual global::System.Threading.Tasks.ValueTask<global::Pooled.ReadRes> ReadAsync(", service, StringComparison.Ordinal);
        Assert.Contains("copy what is kept (ToArray).</param>\n    /// <param name=\"context\">", service, StringComparison.Ordinal);

        // Without the option nothing is pooled, and the documentation does not mention it.
        Assert.All(Generate(Input, new GenerationOptions()), f => Assert.DoesNotContain("PooledOpaque", f.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void The_samples_compile_with_pooled_data_too()
    {
        GenerateResult result = RpcgenCompiler.Generate(Input, new DiskSources(), generation: new GenerationOptions { Outputs = GeneratedOutputs.All, AllOpaquePooled = true });
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        Assert.Empty(CSharpBuild.Diagnostics(result.Files));
        Assert.Contains("global::NetRpc.Xdr.PooledOpaque result = global::NetRpc.Xdr.PooledOpaque.Empty;", result.Files.Single(f => f.Output == GeneratedOutputs.SampleServer).Text, StringComparison.Ordinal);
    }

    private const string Names = """
        typedef opaque blob<>;
        typedef blob blob2;
        typedef opaque hash[8];
        typedef int count;
        typedef string text<>;
        const LIMIT = 4;
        struct s {
            blob a;
            string name<>;
            opaque fixed[4];
            hash h;
            count c;
            blob2 b2;
            struct { opaque inner<>; int n; } nested;
        };
        union u switch (int d) { case 1: opaque arm<>; default: void; };
        enum e { E1 = 1 };
        program P { version V { blob2 GET(void) = 1; } = 1; } = 0x20000123;
        """;

    [Theory]
    [InlineData("s.name", 9, "'s.name' is to be pooled opaque data, but it is string name<> (a string); name a typedef")]
    [InlineData("s.fixed", 10, "but it is opaque fixed[4] (fixed-length opaque data, which stays byte[])")]
    [InlineData("s.h", 11, "but it is hash h, that is typedef opaque hash[8] (fixed-length opaque data, which stays byte[])")]
    [InlineData("hash", 3, "but it is typedef opaque hash[8] (fixed-length opaque data, which stays byte[])")]
    [InlineData("count", 4, "'count' is to be pooled opaque data, but it is typedef int count; name a typedef")]
    [InlineData("text", 5, "but it is typedef string text<> (a string)")]
    [InlineData("nothing", 1, "'nothing' is to be pooled opaque data, but test.x declares no typedef, struct or union named 'nothing'")]
    [InlineData("LIMIT", 6, "but 'LIMIT' is a constant")]
    [InlineData("P", 18, "but 'P' is a program")]
    [InlineData("GET", 18, "but 'GET' is a procedure: name the typedef of variable-length opaque data its arguments or result are declared with")]
    [InlineData("s", 7, "but it is a struct: name its field, as s.a")]
    [InlineData("e", 17, "but it is an enum")]
    [InlineData("u.d", 16, "but it is int d")]
    [InlineData("s.missing", 7, "but struct s has no field named 'missing'")]
    [InlineData("u.missing", 16, "but union u has no arm named 'missing'")]
    [InlineData("s.a.x", 8, "but 's.a' is blob a, that is typedef opaque blob<>, which has no members")]
    [InlineData("s..a", 1, "but it is not a name nor names joined by dots")]
    public void A_name_that_is_not_variable_length_opaque_data_is_an_error_that_says_what_it_is(string name, int line, string message)
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, Names)), generation: new GenerationOptions { PooledOpaque = ["blob", name] });
        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal(("RPCG4004", DiagnosticSeverity.Error, line), (error.Code, error.Severity, error.Location.Line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Files);
    }

    [Fact]
    public void Every_wrong_name_is_reported_even_with_all_data_pooled()
    {
        GenerateResult result = RpcgenCompiler.Generate(Compile.Path, new InMemorySources((Compile.Path, Names)), generation: new GenerationOptions { AllOpaquePooled = true, PooledOpaque = ["s.name", "s.fixed", "s.name"] });
        Assert.Equal(["RPCG4004", "RPCG4004"], result.Diagnostics.Select(d => d.Code));
        Assert.Empty(result.Files);
    }

    [Theory]
    [InlineData("s.a", new[] { "A" }, false)]
    [InlineData("s.b2", new[] { "B2" }, false)]
    [InlineData("blob2", new[] { "B2" }, true)]
    [InlineData("blob", new[] { "A", "B2" }, true)]
    [InlineData("s.nested.inner", new string[0], false)]
    [InlineData("u.arm", new string[0], false)]
    public void A_member_through_a_typedef_a_typedef_of_a_typedef_and_a_nested_member_can_be_named(string name, string[] pooledFields, bool resultPooled)
    {
        IReadOnlyList<GeneratedFile> files = Generate(Compile.Path, new GenerationOptions { PooledOpaque = [name], Namespace = "Names" }, Names);
        Assembly assembly = CSharpBuild.Load(files, "PooledNames" + name.Replace('.', '_'));
        Type s = assembly.GetType("Names.S")!;
        Assert.Equal(pooledFields, s.GetProperties().Where(p => p.PropertyType == typeof(PooledOpaque)).Select(p => p.Name).Order());
        Assert.Equal(name == "s.nested.inner", assembly.GetType("Names.S+NestedType")!.GetProperty("Inner")!.PropertyType == typeof(PooledOpaque));
        Assert.Equal(name == "u.arm", assembly.GetType("Names.U")!.GetProperty("Arm")!.PropertyType == typeof(PooledOpaque));
        Assert.Equal(resultPooled, assembly.GetType("Names.IVClient")!.GetMethods().First(m => m.Name == "GetAsync").ReturnType == typeof(Task<PooledOpaque>));
        Assert.Equal(typeof(byte[]), s.GetProperty("Fixed")!.PropertyType);
    }

    private static Assembly Assembly(string @namespace) => @namespace == "Pooled.All" ? s_all.Value : s_byName.Value;

    private static Assembly Load(string @namespace, GenerationOptions options) =>
        CSharpBuild.Load(Generate(Input, options with { Namespace = @namespace }), @namespace.Replace('.', '_'));

    private static IReadOnlyList<GeneratedFile> Generate(string path, GenerationOptions options, string? text = null)
    {
        GenerateResult result = text is null
            ? RpcgenCompiler.Generate(path, new DiskSources(), generation: options)
            : RpcgenCompiler.Generate(path, new InMemorySources((path, text)), generation: options);
        Assert.False(result.HasErrors, Compile.Describe(result.Diagnostics));
        return result.Files;
    }

    private static string PropertyType(Assembly assembly, string type, string property)
    {
        PropertyInfo info = assembly.GetType(type)!.GetProperty(property)!;
        return info.PropertyType.FullName!;
    }

    /// <summary>A write_args with the payload in Data, Extra and each of Pair, the other fields as new T() makes them.</summary>
    private static object WriteArgs(Assembly assembly, string @namespace, Func<byte[], object> data, byte[] payload)
    {
        Type type = assembly.GetType(@namespace + ".WriteArgs")!;
        object value = Activator.CreateInstance(type)!;
        type.GetProperty("Data")!.SetValue(value, data(payload));
        type.GetProperty("Extra")!.SetValue(value, data(payload[..10]));
        var pair = (Array)type.GetProperty("Pair")!.GetValue(value)!;
        pair.SetValue(data([1]), 0);
        pair.SetValue(data([1, 2, 3, 4, 5]), 1);
        type.GetProperty("Name")!.SetValue(value, "file");
        return value;
    }

    private static byte[] Encode(object value) =>
        (byte[])typeof(XdrCodec).GetMethod(nameof(XdrCodec.EncodeToArray))!.MakeGenericMethod(value.GetType()).Invoke(null, [value, null])!;

    /// <summary>Decodes with XdrCodec.Decode (the overload that reflection can call, over a ReadOnlySequence).</summary>
    private static object Decode(Type type, byte[] bytes) =>
        typeof(XdrCodec).GetMethods().Single(m => m.Name == nameof(XdrCodec.Decode) && m.GetParameters()[0].ParameterType == typeof(System.Buffers.ReadOnlySequence<byte>))
            .MakeGenericMethod(type).Invoke(null, [new System.Buffers.ReadOnlySequence<byte>(bytes), null])!;
}
