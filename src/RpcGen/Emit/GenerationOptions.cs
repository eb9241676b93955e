namespace NetRpc.RpcGen.Emit;

/// <summary>The files the generator can write, after rpcgen's outputs (docs/rpcgen.md has the table of names).</summary>
[Flags]
public enum GeneratedOutputs
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary><c>p_xdr.cs</c> (rpcgen -c): constants, enums, structs, unions and their XDR codecs, program and procedure numbers.</summary>
    Types = 1 << 0,

    /// <summary><c>p_clnt.cs</c> (rpcgen -l): a client class per program version.</summary>
    Client = 1 << 1,

    /// <summary><c>p_svc.cs</c> (rpcgen -m): an abstract service class per program version, with its dispatch glue.</summary>
    Server = 1 << 2,

    /// <summary><c>p_client.cs</c> (rpcgen -Sc): a sample program that calls each procedure once.</summary>
    SampleClient = 1 << 3,

    /// <summary><c>p_server.cs</c> (rpcgen -Ss): a sample service whose procedures say where to insert code.</summary>
    SampleServer = 1 << 4,

    /// <summary><c>p.csproj</c> (rpcgen -Sm): a project that builds the samples, in place of <c>Makefile.p</c>.</summary>
    SampleProject = 1 << 5,

    /// <summary><c>p.lua</c> (rpcgen --wireshark): a Wireshark dissector in Lua for the file's programs. Only when asked for: not part of <see cref="All"/>.</summary>
    Wireshark = 1 << 6,

    /// <summary>What rpcgen writes without a flag: types, client and server.</summary>
    Default = Types | Client | Server,

    /// <summary>rpcgen -a: everything, samples included.</summary>
    All = Default | SampleClient | SampleServer | SampleProject,
}

/// <summary>The accessibility of the generated types.</summary>
public enum GeneratedAccess
{
    /// <summary><c>public</c> (the default).</summary>
    Public,

    /// <summary><c>internal</c>: for code generated into the assembly that uses it alone.</summary>
    Internal,
}

/// <summary>How C# is generated; the naming style is <see cref="CompilerOptions.Names"/>.</summary>
public sealed record GenerationOptions
{
    /// <summary>Defaults: all of rpcgen's default outputs, public types, the namespace named after the file.</summary>
    public static GenerationOptions Default { get; } = new();

    /// <summary>Which files to generate.</summary>
    public GeneratedOutputs Outputs { get; init; } = GeneratedOutputs.Default;

    /// <summary>The namespace; null means one made from the input file's name (<c>my_proto.x</c> gives <c>MyProto</c>).</summary>
    public string? Namespace { get; init; }

    /// <summary>The accessibility of the generated types.</summary>
    public GeneratedAccess Access { get; init; } = GeneratedAccess.Public;

    /// <summary>Whether <paramref name="name"/> is a dotted C# namespace name, such as <c>My.Protocol</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when it is.</returns>
    public static bool IsValidNamespace(string name) => Identifiers.IsNamespace(name);

    /// <summary>
    /// The procedures whose reply is a stream, by their .x names (<c>YPPROC_ALL</c>), in every version that declares one
    /// of that name. The result must be a union switched on a bool whose TRUE arm holds an element and whose FALSE arm
    /// is void (YPPROC_ALL's <c>ypresp_all</c>); such a procedure is generated with an <c>IAsyncEnumerable</c> of the
    /// element on the client and on the service. A name that is no procedure's, or a result of another shape, is an
    /// error (RPCG4002, RPCG4003). Empty by default.
    /// </summary>
    public IReadOnlyList<string> StreamedProcedures { get; init; } = [];

    /// <summary>
    /// Whether every variable-length opaque declaration of the file (<c>opaque data&lt;&gt;</c>: fields, union arms,
    /// typedefs and so procedure arguments and results) is generated as <c>NetRpc.Xdr.PooledOpaque</c>, data in pooled
    /// memory that the caller or the server runtime disposes, instead of a new <c>byte[]</c> per value (rpcgen
    /// <c>--pooled-opaque</c>). Fixed-length opaque data and strings stay as they are. False by default.
    /// </summary>
    public bool AllOpaquePooled { get; init; }

    /// <summary>
    /// The variable-length opaque declarations generated as <c>NetRpc.Xdr.PooledOpaque</c> (rpcgen
    /// <c>--pooled-opaque=NAME,...</c>): a typedef's name (<c>nfsdata2</c>), which takes every use of it, or a
    /// struct field or union arm as <c>Type.member</c> (<c>WRITE3args.data</c>; a type written in place inside one,
    /// <c>Outer.member.inner</c>), which takes that one member. Each must name variable-length opaque data, declared
    /// so or through typedefs; any other name is an error (RPCG4004). Empty by default.
    /// </summary>
    public IReadOnlyList<string> PooledOpaque { get; init; } = [];

    /// <summary>The NetRpc.Runtime package version the sample project references: by default the one released with this compiler (<see cref="RpcgenCompiler.Version"/>).</summary>
    public string RuntimePackageVersion { get; init; } = RpcgenCompiler.Version;
}

/// <summary>A generated file.</summary>
/// <param name="Name">The file name, from the input's name as rpcgen makes its own (<c>my_proto_xdr.cs</c>).</param>
/// <param name="Output">Which output it is.</param>
/// <param name="Text">The content.</param>
public sealed record GeneratedFile(string Name, GeneratedOutputs Output, string Text);
