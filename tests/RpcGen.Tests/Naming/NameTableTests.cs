using System.Text;
using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Model;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Naming;

/// <summary>
/// Every .x name of every .x file in the repository, and the C# name the generator gives it, checked in as
/// names.golden.txt beside this file: a change to the naming rule shows in review as renames, line by line,
/// including the names that a collision or a keyword made different. NETRPC_UPDATE_GOLDEN=1 rewrites the table.
/// </summary>
public class NameTableTests
{
    /// <summary>The .x files of the repository: the corpus, and those the golden generated files and the tests use.</summary>
    private static readonly string[] Files =
    [
        "tests/RpcGen.Tests/Corpus/libnfs/libnfs-mount.x",
        "tests/RpcGen.Tests/Corpus/libnfs/libnfs-nfs.x",
        "tests/RpcGen.Tests/Corpus/libnfs/libnfs-nfs4.x",
        "tests/RpcGen.Tests/Corpus/libnfs/libnfs-nlm.x",
        "src/RpcRuntime/Binding/rpcbind.x",
        "tests/RpcRuntime.Tests/Yp/yp.x",
        "tests/RpcRuntime.Tests/Interop/interop.x",
        "tests/RpcRuntime.Tests/Binding/Native/my_proto.x",
        "tests/Interop.Tests/Protocols/my_proto.x",
        "tests/Interop.Tests/Protocols/rich.x",
        "tests/Xdr.Tests/Interop/alltypes.x",
        "samples/my_proto/my_proto.x",
        "bench/bench.x",
    ];

    private const string Golden = "tests/RpcGen.Tests/Naming/names.golden.txt";

    [Fact]
    public void The_checked_in_name_table_is_what_the_generator_names_now()
    {
        string root = Corpus.RepositoryRoot ?? throw new InvalidOperationException("the repository is not above the test's output folder");
        var table = new StringBuilder();
        table.Append("# .x name -> C# name, for every file below, as the generator names them by default (PascalCase).\n");
        table.Append("# Written by NameTableTests with NETRPC_UPDATE_GOLDEN=1; the rule is in docs/rpcgen.md, \"Names\".\n");
        foreach (string file in Files)
        {
            table.Append('\n').Append("## ").Append(file).Append('\n');
            Describe(table, Model(Path.Combine(root, file)));
        }

        string path = Path.Combine(root, Golden);
        if (Environment.GetEnvironmentVariable("NETRPC_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, table.ToString());
            return;
        }

        Assert.True(File.Exists(path), $"{path} is missing; run the tests with NETRPC_UPDATE_GOLDEN=1 to write it");
        Assert.True(File.ReadAllText(path) == table.ToString(), $"{path} differs from the names the generator gives now; if the change is intended, run the tests with NETRPC_UPDATE_GOLDEN=1 and review the diff");
    }

    private static EmitModel Model(string file)
    {
        CheckResult result = RpcgenCompiler.Check(file, new DiskSources());
        Assert.False(result.HasErrors, $"{file}:\n{Compile.Describe(result.Diagnostics)}");
        var diagnostics = new DiagnosticBag();
        var model = new EmitModel(result.Specification!, NameStyle.Pascal, "N", diagnostics);
        Assert.False(diagnostics.HasErrors, Compile.Describe(diagnostics.All));
        model.NameConstants();
        return model;
    }

    private static void Describe(StringBuilder table, EmitModel model)
    {
        foreach (ConstantDefinition constant in model.Specification.Constants)
        {
            Line("const", constant.Name, $"{model.ConstantsClass}.{model.ConstantName(constant)}");
        }

        foreach (TypeDefinition definition in model.Specification.Types)
        {
            if (model.TypeOf(definition.Name) is { } type)
            {
                Type(type, type.Name);
            }
            else if (definition is TypedefDefinition typedef)
            {
                // A typedef names no C# type; the line says what its uses become.
                Line("typedef", typedef.Name, Short(model.ShapeOf(typedef.Declaration).CSharpType));
            }
        }

        foreach (ProgramInfo program in model.Programs)
        {
            Line("program", program.Definition.Name, program.Name);
            foreach (VersionInfo version in program.Versions)
            {
                Line("version", $"{program.Definition.Name}.{version.Definition.Name}", $"{program.Name}.{version.Name}, {version.ClientName}, {version.ServiceName}");
                foreach (ProcedureInfo procedure in version.Procedures)
                {
                    Line("procedure", $"{version.Definition.Name}.{procedure.Definition.Name}", $"{version.Name}.{procedure.Constant}, {procedure.Method}({string.Join(", ", procedure.Arguments.Select(a => a.Parameter))})");
                }
            }
        }

        void Type(GeneratedType type, string path)
        {
            switch (type)
            {
                case EnumType e:
                    Line("enum", type.XdrName, path);
                    foreach ((EnumMember member, string name) in e.Members)
                    {
                        Line("member", $"{type.XdrName}.{member.Name}", $"{path}.{name}");
                    }

                    break;
                case StructType s:
                    Line("struct", type.XdrName, path);
                    foreach (Member field in s.Fields)
                    {
                        Line("field", $"{type.XdrName}.{field.Declaration.Name}", $"{path}.{field.Name}");
                    }

                    break;
                case UnionType u:
                    Line("union", type.XdrName, path);
                    Line("field", $"{type.XdrName}.{u.Discriminant.Declaration.Name}", $"{path}.{u.Discriminant.Name}");
                    foreach (Arm arm in u.Arms.Where(a => a.Value is not null))
                    {
                        Line("arm", $"{type.XdrName}.{arm.Value!.Declaration.Name}", $"{path}.{arm.Value.Name}, {arm.Factory}");
                    }

                    break;
            }

            foreach (GeneratedType nested in type.Nested)
            {
                Type(nested, $"{path}.{nested.Name}");
            }
        }

        void Line(string kind, string xdr, string csharp) =>
            table.Append(kind.PadRight(10)).Append(xdr).Append(" -> ").Append(csharp).Append('\n');

        string Short(string csharpType) => csharpType.Replace("global::N.", string.Empty, StringComparison.Ordinal).Replace("global::", string.Empty, StringComparison.Ordinal);
    }
}
