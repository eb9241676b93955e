using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>Turns a checked specification into the C# files asked for; a file that would have nothing in it is left out, as rpcgen leaves it out.</summary>
internal static class CSharpGenerator
{
    public static List<GeneratedFile> Generate(Specification specification, CompilerOptions compiler, GenerationOptions options, DiagnosticBag diagnostics)
    {
        string @namespace = options.Namespace ?? Identifiers.NamespaceFor(specification.Path);
        PooledOpaqueSelection pooled = PooledOpaqueSelection.Resolve(specification, options.AllOpaquePooled, options.PooledOpaque, diagnostics);
        var model = new EmitModel(specification, compiler.Names, @namespace, diagnostics, options.StreamedProcedures, pooled);
        var files = new List<GeneratedFile>();
        if (diagnostics.HasErrors)
        {
            return files;
        }

        string input = Path.GetFileName(specification.Path);
        string stem = Path.GetFileNameWithoutExtension(specification.Path);
        string access = options.Access == GeneratedAccess.Public ? "public" : "internal";
        bool programs = model.Programs.Count > 0;
        bool anything = programs || specification.Definitions.Any(d => d is ConstantDefinition or TypeDefinition) ||
            specification.Passthroughs.Any(p => p.Targets == Preprocessing.RpcgenTarget.CSharp);
        var samples = new SampleEmitter(model, stem, access);

        Add(GeneratedOutputs.Types, anything, "_xdr.cs", () => new TypesEmitter(model, access).Emit(input));
        Add(GeneratedOutputs.Client, programs, "_clnt.cs", () => new ClientEmitter(model, access).Emit(input));
        Add(GeneratedOutputs.Server, programs, "_svc.cs", () => new ServiceEmitter(model, access).Emit(input));
        Add(GeneratedOutputs.SampleClient, programs, "_client.cs", () => samples.Client(input));
        Add(GeneratedOutputs.SampleServer, programs, "_server.cs", () => samples.Server(input));
        Add(GeneratedOutputs.SampleProject, programs, ".csproj", () => samples.Project(input, options.RuntimePackageVersion));
        Add(GeneratedOutputs.Wireshark, programs, ".lua", () => new Wireshark.LuaDissectorEmitter(specification).Emit(input, RpcgenCompiler.Version));
        return files;

        void Add(GeneratedOutputs output, bool wanted, string suffix, Func<string> emit)
        {
            if ((options.Outputs & output) != 0 && wanted)
            {
                files.Add(new GeneratedFile(stem + suffix, output, emit()));
            }
        }
    }
}
