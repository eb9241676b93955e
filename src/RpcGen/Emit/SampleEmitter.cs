using System.Globalization;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// rpcgen -a's samples. <c>p_server.cs</c> (-Ss): a service per version whose procedures say where the code
/// goes. <c>p_client.cs</c> (-Sc): the program's entry point, which calls every procedure once
/// (<c>dotnet run -- HOST [udp|tcp]</c>, through HOST's rpcbind) or, when p_server.cs is there too, runs the server
/// (<c>dotnet run -- server</c>, registered with rpcbind). <c>p.csproj</c> (-Sm): the project, in place of <c>Makefile.p</c>.
/// </summary>
internal sealed class SampleEmitter(EmitModel model, string stem, string access)
{
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string Console = "global::System.Console";
    private const string Role = "global::System.Func<string[], global::System.Threading.Tasks.Task<int>>";

    private string SampleClass => model.SampleClass;

    public string Server(string inputName)
    {
        var w = new SourceWriter();
        CSharpFile.SampleHeader(w, inputName, "server", model);
        w.Line($"namespace {model.Namespace};");
        foreach (VersionInfo version in Versions)
        {
            w.Line();
            w.Summary($"A sample implementation of {version.Program.Definition.Name} version {version.Definition.Name}: fill in the procedures.");
            w.Open($"{access} sealed class {version.SampleServiceName} : {version.ServiceName}");
            bool first = true;
            foreach (ProcedureInfo procedure in version.Procedures.Where(p => !p.IsNull))
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                string parameters = string.Join(string.Empty, procedure.Arguments.Select(a => $"{a.Shape.CSharpType} {a.Parameter}, "));
                w.Line("/// <inheritdoc/>");
                if (procedure.StreamElement is { } element)
                {
                    w.Open($"public override async global::System.Collections.Generic.IAsyncEnumerable<{element.CSharpType}> {procedure.Method}({parameters}global::NetRpc.Runtime.Server.RpcCallContext context)");
                    w.Line("// Insert the server code here: yield return each element; the runtime sends them as they come.");
                    w.Line("await global::System.Threading.Tasks.Task.CompletedTask.ConfigureAwait(false);");
                    w.Line("yield break;");
                }
                else if (procedure.Result is VoidShape)
                {
                    w.Open($"public override {ValueTask} {procedure.Method}({parameters}global::NetRpc.Runtime.Server.RpcCallContext context)");
                    w.Line("// Insert the server code here.");
                    w.Line("return default;");
                }
                else
                {
                    w.Open($"public override {ValueTask}<{procedure.Result.CSharpType}> {procedure.Method}({parameters}global::NetRpc.Runtime.Server.RpcCallContext context)");
                    w.Line($"{procedure.Result.CSharpType} result = {ZeroOf(procedure.Result)};");
                    w.Line();
                    w.Line("// Insert the server code here.");
                    w.Line();
                    w.Line($"return {ValueTask}.FromResult(result);");
                }

                w.Close();
            }

            w.Close();
        }

        w.Line();
        w.Summary("The sample program's server role: serves every version over TCP and UDP, registered with rpcbind.");
        w.Open($"internal static partial class {SampleClass}");
        w.Line($"static partial void ServerRole(ref {Role}? run) => run = RunServerAsync;");
        w.Line();
        w.Open($"private static async {Task}<int> RunServerAsync(string[] args)");
        w.Line("await using var server = new global::NetRpc.Runtime.Server.RpcServer();");
        foreach (VersionInfo version in Versions)
        {
            w.Line($"server.AddProgram(new {version.SampleServiceName}().ToProgram());");
        }

        w.Line("server.ListenTcp(new global::System.Net.IPEndPoint(global::System.Net.IPAddress.Any, 0));");
        w.Line("server.ListenUdp(new global::System.Net.IPEndPoint(global::System.Net.IPAddress.Any, 0));");
        w.Line();
        w.Line("// Like rpcgen's servers: register with the host's rpcbind (NetRpc's embedded one where none runs).");
        w.Line("global::NetRpc.Runtime.Binding.RpcbindClient rpcbind = await server.RegisterAsync().ConfigureAwait(false);");
        string programs = string.Join(", ", model.Programs.Select(p => p.Definition.Name));
        w.Line($"{Console}.WriteLine($\"Serving {programs}, registered with rpcbind on port {{rpcbind.Port}}; Ctrl+C stops.\");");
        w.Line($"var stop = new {Task}CompletionSource();");
        w.Line("// Ctrl+C and SIGTERM stop it cleanly, so it leaves no registration behind.");
        w.Line("using var interrupt = global::System.Runtime.InteropServices.PosixSignalRegistration.Create(global::System.Runtime.InteropServices.PosixSignal.SIGINT, signal => { signal.Cancel = true; stop.TrySetResult(); });");
        w.Line("using var terminate = global::System.Runtime.InteropServices.PosixSignalRegistration.Create(global::System.Runtime.InteropServices.PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.TrySetResult(); });");
        w.Line("await stop.Task.ConfigureAwait(false);");
        w.Line("await server.StopAsync().ConfigureAwait(false); // unregisters from rpcbind");
        w.Line("return 0;");
        w.Close();
        w.Close();
        return w.ToString();
    }

    public string Client(string inputName)
    {
        var w = new SourceWriter();
        CSharpFile.SampleHeader(w, inputName, "client", model);
        w.Line($"namespace {model.Namespace};");
        w.Line();
        w.Summary($"The sample program of {inputName}: calls every procedure once, or serves them (with p_server.cs).");
        w.Open($"internal static partial class {SampleClass}");
        w.Open($"private static async {Task}<int> Main(string[] args)");
        w.Line($"{Role}? server = null;");
        w.Line("ServerRole(ref server);");
        w.Open("if (args.Length > 0 && args[0] == \"server\")");
        w.Open("if (server is null)");
        w.Line($"{Console}.Error.WriteLine(\"This build has no sample server (rpcgen -Ss makes one).\");");
        w.Line("return 2;");
        w.Close();
        w.Line();
        w.Line("return await server(args[1..]).ConfigureAwait(false);");
        w.Close();
        w.Line();
        w.Open("if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] is not (\"udp\" or \"tcp\")))");
        w.Line($"{Console}.Error.WriteLine(\"usage: {stem} HOST [udp|tcp]    (the sample client; finds the server through HOST's rpcbind)\");");
        w.Line($"{Console}.Error.WriteLine(\"       {stem} server            (the sample server)\");");
        w.Line("return 2;");
        w.Close();
        w.Line();
        w.Line("// clnt_create(host, ..., \"udp\"), as rpcgen's sample client does; \"tcp\" asks for TCP.");
        w.Line("var transport = args.Length == 2 && args[1] == \"tcp\" ? global::NetRpc.Runtime.RpcTransport.Tcp : global::NetRpc.Runtime.RpcTransport.Udp;");
        foreach (VersionInfo version in Versions)
        {
            w.Line($"await {CallsMethod(version)}(args[0], transport).ConfigureAwait(false);");
        }

        w.Line("return 0;");
        w.Close();
        w.Line();
        w.Line($"static partial void ServerRole(ref {Role}? run);");
        foreach (VersionInfo version in Versions)
        {
            w.Line();
            w.Open($"private static async {Task} {CallsMethod(version)}(string host, global::NetRpc.Runtime.RpcTransport transport)");
            w.Line($"await using {version.ClientName} client = await {version.ClientName}.CreateAsync(host, transport).ConfigureAwait(false);");
            int n = 0;
            foreach (ProcedureInfo procedure in version.Procedures)
            {
                w.Line();
                var arguments = new List<string>();
                foreach (Member argument in procedure.Arguments)
                {
                    string local = $"{Identifiers.Bare(argument.Parameter)}{(n++).ToString(CultureInfo.InvariantCulture)}";
                    w.Line($"{argument.Shape.CSharpType} {local} = {ZeroOf(argument.Shape)};");
                    arguments.Add(local);
                }

                string call = $"client.{procedure.Method}({string.Join(", ", arguments)})";
                if (procedure.StreamElement is { } element)
                {
                    string each = $"element{(n++).ToString(CultureInfo.InvariantCulture)}";
                    w.Open($"await foreach ({element.CSharpType} {each} in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.ConfigureAwait({call}, false))");
                    w.Line($"{Console}.WriteLine($\"{procedure.Definition.Name}: {{{each}}}\");");
                    w.Close();
                }
                else if (procedure.Result is VoidShape)
                {
                    w.Line($"await {call}.ConfigureAwait(false);");
                    w.Line($"{Console}.WriteLine(\"{procedure.Definition.Name}: done\");");
                }
                else
                {
                    string result = $"result{(n++).ToString(CultureInfo.InvariantCulture)}";
                    w.Line($"{procedure.Result.CSharpType} {result} = await {call}.ConfigureAwait(false);");
                    w.Line($"{Console}.WriteLine($\"{procedure.Definition.Name}: {{{result}}}\");");
                }
            }

            w.Close();
        }

        w.Close();
        return w.ToString();
    }

    public string Project(string inputName, string runtimeVersion)
    {
        var w = new SourceWriter();
        w.Line("<Project Sdk=\"Microsoft.NET.Sdk\">");
        w.Line();
        w.Line($"  <!-- The sample project NetRpc rpcgen generated from {inputName}, in place of rpcgen's Makefile.{stem}.");
        w.Line("       The program takes the classic arguments after dotnet run's double dash (an XML comment cannot hold it):");
        w.Line("       server            serves the sample server (" + stem + "_server.cs), registered with rpcbind");
        w.Line("       HOST [udp|tcp]    calls every procedure once (" + stem + "_client.cs) -->");
        w.Line("  <PropertyGroup>");
        w.Line("    <OutputType>Exe</OutputType>");
        w.Line("    <TargetFramework>net10.0</TargetFramework>");
        w.Line("    <Nullable>enable</Nullable>");
        w.Line($"    <RootNamespace>{model.Namespace}</RootNamespace>");
        w.Line($"    <AssemblyName>{stem}</AssemblyName>");
        w.Line("  </PropertyGroup>");
        w.Line();
        w.Line("  <ItemGroup>");
        w.Line($"    <PackageReference Include=\"NetRpc.Runtime\" Version=\"{runtimeVersion}\" />");
        w.Line("  </ItemGroup>");
        w.Line();
        w.Line("</Project>");
        return w.ToString();
    }

    private IEnumerable<VersionInfo> Versions => model.Programs.SelectMany(p => p.Versions);

    private static string CallsMethod(VersionInfo version) => "Call" + Identifiers.Bare(version.ClientName);

    private static string ZeroOf(Shape shape) => CodecWriter.Zero(shape) ?? (shape is OptionalShape ? "null" : "default");
}
