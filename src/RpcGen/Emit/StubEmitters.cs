using System.Globalization;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Emit;

/// <summary>
/// The private structs that carry a procedure's arguments and result on the wire when they are not one
/// generated class: several arguments are encoded one after another, exactly as rpcgen -N packs them, so a
/// peer that declares one struct argument reads the same bytes. Client and service each get their own copy,
/// so that p_clnt.cs and p_svc.cs compile without each other.
/// </summary>
internal static class WireTypes
{
    public const string Void = "global::NetRpc.Xdr.XdrVoid";

    public static string ArgumentsType(ProcedureInfo procedure) =>
        procedure.ArgumentsWrapper ?? (procedure.Arguments.Count == 0 ? Void : procedure.Arguments[0].Shape.CSharpType);

    public static string ResultType(ProcedureInfo procedure) =>
        procedure.ResultWrapper ?? (procedure.Result is VoidShape ? Void : procedure.Result.CSharpType);

    /// <summary>A streamed procedure's element as it travels after each TRUE.</summary>
    public static string ElementType(ProcedureInfo procedure) => procedure.StreamElementWrapper ?? procedure.StreamElement!.CSharpType;

    public const string AsyncEnumerable = "global::System.Collections.Generic.IAsyncEnumerable";

    public static void Write(EmitModel model, SourceWriter w, VersionInfo version)
    {
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            if (procedure.ArgumentsWrapper is { } arguments)
            {
                w.Line();
                WriteStruct(model, w, arguments, procedure.Arguments.Select((a, i) => (procedure.ArgumentFields[i], a.Shape)).ToList(), $"The arguments of {procedure.Definition.Name}, as they travel.");
            }

            if (procedure.ResultWrapper is { } result)
            {
                w.Line();
                WriteStruct(model, w, result, [("Value", procedure.Result)], $"The result of {procedure.Definition.Name}, as it travels.");
            }

            if (procedure.StreamElementWrapper is { } element)
            {
                w.Line();
                WriteStruct(model, w, element, [("Value", procedure.StreamElement!)], $"An element of {procedure.Definition.Name}'s streamed reply, as it travels after each TRUE.");
            }
        }
    }

    private static void WriteStruct(EmitModel model, SourceWriter w, string name, List<(string Name, Shape Shape)> members, string summary)
    {
        // The field names are taken already; the scope keeps helper methods clear of them.
        var scope = new NameScope([name, "Encode", "Decode", "MinEncodedSize", .. members.Select(m => m.Name)]);
        var fields = members;
        var codec = new CodecWriter(model, scope);
        w.Summary(summary);
        w.Open($"private readonly struct {name} : global::NetRpc.Xdr.IXdrCodec<{name}>");
        foreach ((string field, Shape shape) in fields)
        {
            w.Line($"public readonly {shape.CSharpType} {field};");
        }

        w.Line();
        w.Open($"public {name}({string.Join(", ", fields.Select((f, i) => $"{f.Shape.CSharpType} value{i.ToString(CultureInfo.InvariantCulture)}"))})");
        for (int i = 0; i < fields.Count; i++)
        {
            w.Line($"this.{fields[i].Name} = value{i.ToString(CultureInfo.InvariantCulture)};");
        }

        w.Close();
        w.Line();
        w.Line($"public static int MinEncodedSize => {fields.Aggregate(0L, (sum, f) => sum + f.Shape.MinSize).ToString(CultureInfo.InvariantCulture)};");
        w.Line();
        w.Line($"public static {name} Decode(ref global::NetRpc.Xdr.XdrReader reader) => new(");
        for (int i = 0; i < fields.Count; i++)
        {
            w.Line($"    {codec.Read(fields[i].Shape, Identifiers.Bare(fields[i].Name))}{(i == fields.Count - 1 ? ");" : ",")}");
        }

        w.Line();
        w.Open("public void Encode(ref global::NetRpc.Xdr.XdrWriter writer)");
        foreach ((string field, Shape shape) in fields)
        {
            codec.Write(w, shape, $"this.{field}", Identifiers.Bare(field));
        }

        w.Close();
        codec.WriteHelpers(w);
        w.Close();
    }

    /// <summary>Documents a procedure's parameters; of one that holds pooled opaque data, who disposes it (<paramref name="pooledNote"/>).</summary>
    public static void ParameterDocs(SourceWriter w, EmitModel model, ProcedureInfo procedure, string pooledNote)
    {
        for (int i = 0; i < procedure.Arguments.Count; i++)
        {
            Member argument = procedure.Arguments[i];
            Argument source = procedure.Definition.Arguments[i];
            string xdr = EmitModel.XdrText(source.IsNamed ? argument.Declaration : argument.Declaration with { Name = null }).Trim();
            string text = SourceWriter.Xml(argument.Declaration.Documentation ?? (procedure.Arguments.Count == 1 ? $"The argument, {xdr}." : $"Argument {i + 1}, {xdr}."));
            w.DocXml("param", model.HoldsPooledOpaque(argument.Shape) ? $"{text} {pooledNote}" : text, $"name=\"{Identifiers.Bare(argument.Parameter)}\"");
        }
    }

    public static string ProcedureSummary(ProcedureInfo procedure) =>
        procedure.Definition.Documentation ?? $"Calls {TypesEmitter.ProcedureText(procedure.Definition)}.";
}

/// <summary><c>p_clnt.cs</c> (rpcgen -l): per program version, a client interface and a class implementing it, with async methods per procedure.</summary>
internal sealed class ClientEmitter(EmitModel model, string access)
{
    private const string RpcClient = "global::NetRpc.Runtime.Client.RpcClient";

    public string Emit(string inputName)
    {
        var w = new SourceWriter();
        CSharpFile.Header(w, inputName, "a client interface and class per program version (rpcgen -l)", model);
        w.Line($"namespace {model.Namespace};");
        foreach (VersionInfo version in model.Programs.SelectMany(p => p.Versions))
        {
            w.Line();
            WriteClient(w, version);
        }

        return w.ToString();
    }

    private void WriteClient(SourceWriter w, VersionInfo version)
    {
        string program = $"{version.ProgramFullName}.Program";
        string number = $"{version.FullName}.Version";
        string name = version.ClientName;
        string what = $"{version.Program.Definition.Name} version {version.Definition.Name} ({version.Definition.Number.ToString(CultureInfo.InvariantCulture)})";
        var taken = new HashSet<string>(version.Procedures.Select(p => p.Method), StringComparer.Ordinal) { "Client", "Dispose", "DisposeAsync", "CreateTcp", "CreateUdp", "CreateAsync", NoOptions };
        var noReplyNames = new HashSet<string>(StringComparer.Ordinal); // the one-way and batch methods the interface declares
        WriteInterface(w, version, what, taken, noReplyNames);
        w.Line();
        w.Summary($"Calls {what}: one method per procedure, over one RpcClient (thread-safe; calls may overlap).");
        w.DocXml("remarks", $"Code that takes a <see cref=\"{version.ClientInterfaceName}\"/> can be given a fake in its tests, with no network.");
        CSharpFile.GeneratedCode(w);
        w.Open($"{access} sealed partial class {name} : {version.ClientInterfaceName}, global::NetRpc.Runtime.Client.IRpcClient<{name}>");
        w.Summary($"Wraps a client created for program {version.Program.Definition.Name}, version {version.Definition.Name}.");
        w.Doc("param", "The client.", "name=\"client\"");
        w.DocXml("exception", "The client calls another program or version.", "cref=\"global::System.ArgumentException\"");
        w.Open($"public {name}({RpcClient} client)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(client);");
        w.Open($"if (client.Program != {program} || client.Version != {number})");
        w.Line($"throw new global::System.ArgumentException({EmitModel.Literal($"The client must call program {version.Program.Definition.Name}, version {version.Definition.Name}.")}, nameof(client));");
        w.Close();
        w.Line("this.Client = client;");
        w.Close();

        foreach ((string transport, string factory) in new[] { ("TCP", "CreateTcp"), ("UDP", "CreateUdp") })
        {
            w.Line();
            w.Summary(transport == "TCP"
                ? "A client over TCP: it connects on the first call, and again on the call after a connection breaks."
                : "A client over UDP: calls are sent again, with the same XID, until a reply comes or the call times out.");
            w.Doc("param", "The server's address and port.", "name=\"server\"");
            w.Doc("param", "Credential, timeouts, limits; null means the defaults.", "name=\"options\"");
            w.DocXml("returns", "The client.");
            w.Line($"public static {name} {factory}(global::System.Net.EndPoint server, global::NetRpc.Runtime.Client.RpcClientOptions? options = null) =>");
            w.Line($"    new({RpcClient}.{factory}(server, {program}, {number}, Named(options)));");
        }

        w.Line();
        w.Summary("clnt_create: asks the host's rpcbind where the program version is served (version 4, then 3, then the portmapper), then makes a client for it.");
        w.Doc("param", "A host name or address.", "name=\"host\"");
        w.Doc("param", "TCP or UDP.", "name=\"transport\"");
        w.Doc("param", "Credential, timeouts, limits; null means the defaults.", "name=\"options\"");
        w.Doc("param", "Abandons the lookup.", "name=\"cancellationToken\"");
        w.DocXml("returns", "The client.");
        w.DocXml("exception", "rpcbind has no address for the program version.", "cref=\"global::NetRpc.Runtime.Client.RpcProgramNotRegisteredException\"");
        w.DocXml("exception", "No rpcbind answers on the host.", "cref=\"global::NetRpc.Runtime.Client.RpcConnectionException\"");
        w.Line($"public static async global::System.Threading.Tasks.Task<{name}> CreateAsync(string host, global::NetRpc.Runtime.RpcTransport transport, global::NetRpc.Runtime.Client.RpcClientOptions? options = null, global::System.Threading.CancellationToken cancellationToken = default) =>");
        w.Line($"    new(await {RpcClient}.CreateAsync(host, {program}, {number}, transport, Named(options), cancellationToken).ConfigureAwait(false));");

        w.Line();
        w.Summary("The underlying client: its options, its calls in flight, and calls by number.");
        w.Line($"public {RpcClient} Client {{ get; }}");

        foreach (ProcedureInfo procedure in version.Procedures)
        {
            w.Line();
            WriteMethod(w, version, procedure, taken, noReplyNames, declaration: false);
        }

        w.Line();
        w.Summary("Closes the client; calls in flight fail.");
        w.Line("public void Dispose() => this.Client.Dispose();");
        w.Line();
        w.Summary("Closes the client; calls in flight fail.");
        w.DocXml("returns", "A completed task.");
        w.Line("public global::System.Threading.Tasks.ValueTask DisposeAsync() => this.Client.DisposeAsync();");
        WriteTelemetryNames(w, version);
        WriteSelfDescription(w, name, program, number);
        WireTypes.Write(model, w, version);
        w.Close();
    }

    /// <summary>
    /// The .x names of the program and its procedures, which the factories put in the client's options so that its
    /// spans and metrics carry OpenTelemetry's rpc.service, rpc.method, onc_rpc.program.name and onc_rpc.procedure.name
    /// (a client otherwise knows only numbers); names the caller's options give are kept.
    /// </summary>
    private static void WriteTelemetryNames(SourceWriter w, VersionInfo version)
    {
        const string Options = "global::NetRpc.Runtime.Client.RpcClientOptions";
        w.Line();
        w.Open("private static readonly global::System.Collections.Generic.IReadOnlyDictionary<uint, string> TelemetryNames = new global::System.Collections.Generic.Dictionary<uint, string>");
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            w.Line($"[{version.FullName}.{procedure.Constant}] = {EmitModel.Literal(procedure.Definition.Name)},");
        }

        w.Close(";");
        w.Line();
        w.Open($"private static {Options} Named({Options}? options) => (options ?? new()) with");
        w.Line($"ProgramName = options?.ProgramName ?? {EmitModel.Literal(version.Program.Definition.Name)},");
        w.Line("ProcedureNames = options?.ProcedureNames ?? TelemetryNames,");
        w.Close(";");
    }

    /// <summary>IRpcClient's static members: what a client factory needs to make this client without reflection.</summary>
    private static void WriteSelfDescription(SourceWriter w, string name, string program, string number)
    {
        const string Options = "global::NetRpc.Runtime.Client.RpcClientOptions";
        string self = $"global::NetRpc.Runtime.Client.IRpcClient<{name}>";
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"static uint {self}.Program => {program};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"static uint {self}.Version => {number};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"static {Options} {self}.WithNames({Options}? options) => Named(options);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"static {name} {self}.Create({RpcClient} client) => new(client);");
    }

    private const string CallOptions = "global::NetRpc.Runtime.Client.RpcCallOptions";

    /// <summary>The interface's empty call options, which its overloads without options pass on.</summary>
    private const string NoOptions = "NoCallOptions";

    /// <summary>
    /// The client's interface: every procedure's methods, documented here. The overloads without options have a body
    /// (the overload with options, given none), so a fake needs to implement only the ones with options.
    /// </summary>
    private void WriteInterface(SourceWriter w, VersionInfo version, string what, HashSet<string> taken, HashSet<string> noReplyNames)
    {
        w.Summary($"Calls {what}: one method per procedure. {version.ClientName} implements it over the network; a test can give code that takes it a fake.");
        CSharpFile.GeneratedCode(w);
        w.Open($"{access} partial interface {version.ClientInterfaceName} : global::System.IDisposable, global::System.IAsyncDisposable");
        w.Line($"private static readonly {CallOptions} {NoOptions} = new();");
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            w.Line();
            WriteMethod(w, version, procedure, taken, noReplyNames, declaration: true);
        }

        w.Close();
    }

    /// <summary>
    /// A procedure's methods: the call, the call with options of its own (timeout or deadline, credential), and for a
    /// procedure that returns void, a one-way send and a batched one (libtirpc's zero-timeout clnt_call and batching).
    /// As declarations (with their documentation) in the interface, or as the class's implementations.
    /// </summary>
    private void WriteMethod(SourceWriter w, VersionInfo version, ProcedureInfo procedure, HashSet<string> taken, HashSet<string> noReplyNames, bool declaration)
    {
        string parameters = string.Join(string.Empty, procedure.Arguments.Select(a => $"{a.Shape.CSharpType} {a.Parameter}, "));
        string passed = string.Join(string.Empty, procedure.Arguments.Select(a => $"{a.Parameter}, "));
        string arguments = procedure.ArgumentsWrapper is { } wrapper
            ? $"new {wrapper}({string.Join(", ", procedure.Arguments.Select(a => a.Parameter))})"
            : procedure.Arguments.Count == 0 ? "default" : procedure.Arguments[0].Parameter;
        string number = $"{version.FullName}.{procedure.Constant}";
        if (procedure.StreamElement is not null)
        {
            string stream = $"this.Client.CallStreamAsync<{WireTypes.ArgumentsType(procedure)}, {WireTypes.ElementType(procedure)}>({number}, {arguments}";
            WriteStream(w, procedure, parameters, declaration ? $"this.{procedure.Method}({passed}null, cancellationToken)" : $"{stream}, null, cancellationToken)", options: false, declaration);
            w.Line();
            WriteStream(w, procedure, parameters, declaration ? null : $"{stream}, options, cancellationToken)", options: true, declaration);
            return;
        }

        string types = $"<{WireTypes.ArgumentsType(procedure)}, {WireTypes.ResultType(procedure)}>";
        WriteCall(w, procedure, $"{parameters}global::System.Threading.CancellationToken cancellationToken = default", declaration ? $"this.{procedure.Method}({passed}{NoOptions}, cancellationToken)" : $"this.Client.CallAsync{types}({number}, {arguments}, cancellationToken)", options: false, declaration);
        w.Line();
        WriteCall(w, procedure, $"{parameters}{CallOptions} options, global::System.Threading.CancellationToken cancellationToken = default", declaration ? null : $"this.Client.CallAsync{types}({number}, {arguments}, options, cancellationToken)", options: true, declaration);
        if (procedure.Result is not VoidShape)
        {
            return;
        }

        foreach ((string suffix, string method, string what) in new[]
        {
            ("OneWay", "SendOneWayAsync", "Sends the call and expects no reply (libtirpc's clnt_call with a zero timeout): done once it is sent; nothing says whether it ran."),
            ("Batch", "BatchAsync", "Queues the call, expecting no reply (libtirpc's batching): over TCP it goes out with the next call that waits for a reply; over UDP at once."),
        })
        {
            string name = procedure.Method.EndsWith("Async", StringComparison.Ordinal) ? procedure.Method[..^"Async".Length] + suffix + "Async" : procedure.Method + suffix;
            if (declaration ? !taken.Add(name) || !noReplyNames.Add(name) : !noReplyNames.Contains(name))
            {
                continue; // another procedure's method has the name: the client's own SendOneWayAsync/BatchAsync remain
            }

            w.Line();
            string signature = $"global::System.Threading.Tasks.Task {name}({parameters}{CallOptions}? options = null, global::System.Threading.CancellationToken cancellationToken = default)";
            if (declaration)
            {
                w.Summary($"{WireTypes.ProcedureSummary(procedure)} {what}");
                WireTypes.ParameterDocs(w, model, procedure, PooledDocs.ClientArgument);
                w.Doc("param", "A credential of its own; null means the client's.", "name=\"options\"");
                w.Doc("param", "Abandons it before it is sent.", "name=\"cancellationToken\"");
                w.DocXml("returns", suffix == "OneWay" ? "A task that completes once the call is sent." : "A task that completes once the call is queued.");
                w.DocXml("exception", "It could not be sent (no connection, or the network refused it).", "cref=\"global::NetRpc.Runtime.Client.RpcException\"");
                w.Line(signature + ";");
                continue;
            }

            w.Line("/// <inheritdoc/>");
            w.Line($"public async {signature} =>");
            w.Line($"    await this.Client.{method}<{WireTypes.ArgumentsType(procedure)}>({number}, {arguments}, options, cancellationToken).ConfigureAwait(false);");
        }
    }

    /// <summary>
    /// A streamed procedure's method: the elements as they arrive, read by the runtime (RpcClient.CallStreamAsync). In
    /// the interface, <paramref name="call"/> is the body of the overload without options, or null for a declaration.
    /// </summary>
    private void WriteStream(SourceWriter w, ProcedureInfo procedure, string parameters, string? call, bool options, bool declaration)
    {
        string element = procedure.StreamElement!.CSharpType;
        string optionsParameter = options ? $"{CallOptions}? options, " : string.Empty;
        if (declaration)
        {
            w.Summary(WireTypes.ProcedureSummary(procedure));
            w.DocXml("remarks", "The reply is a stream: each element is decoded as it arrives, and the server is held back while the enumeration does not ask for more. Stopping before the end closes the connection in the middle of the reply (other calls in flight on it fail); the next call connects again.");
            WireTypes.ParameterDocs(w, model, procedure, PooledDocs.ClientArgument);
            if (options)
            {
                w.Doc("param", "What this call does differently from the client's options: a timeout (for the reply to begin, and for each wait after) or deadline, a credential.", "name=\"options\"");
            }

            w.Doc("param", "Abandons the call, or the rest of the stream.", "name=\"cancellationToken\"");
            w.DocXml("returns", Pooled("The elements, in the order the server sends them.", procedure.StreamElement));
            w.DocXml("exception", "The call failed; the derived type says how (timeout, connection lost, the server's reply status, a malformed or unterminated stream).", "cref=\"global::NetRpc.Runtime.Client.RpcException\"");
            string declared = $"{WireTypes.AsyncEnumerable}<{element}> {procedure.Method}({parameters}{optionsParameter}global::System.Threading.CancellationToken cancellationToken = default)";
            w.Line(call is null ? declared + ";" : declared + " =>");
            if (call is not null)
            {
                w.Line($"    {call};");
            }

            return;
        }

        w.Line("/// <inheritdoc/>");
        if (procedure.StreamElementWrapper is null)
        {
            w.Line($"public {WireTypes.AsyncEnumerable}<{element}> {procedure.Method}({parameters}{optionsParameter}global::System.Threading.CancellationToken cancellationToken = default) =>");
            w.Line($"    {call};");
            return;
        }

        w.Open($"public async {WireTypes.AsyncEnumerable}<{element}> {procedure.Method}({parameters}{optionsParameter}[global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)");
        w.Open($"await foreach ({WireTypes.ElementType(procedure)} element in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.ConfigureAwait({call}, false))");
        w.Line("yield return element.Value;");
        w.Close();
        w.Close();
    }

    /// <summary>The documentation of what a call returns, with who disposes its pooled opaque data when it holds some.</summary>
    private string Pooled(string returned, Shape? shape) =>
        shape is not null && model.HoldsPooledOpaque(shape) ? $"{returned} {PooledDocs.ClientResult}" : returned;

    /// <summary>A call's method; in the interface, <paramref name="call"/> is the body of the overload without options, or null for a declaration.</summary>
    private void WriteCall(SourceWriter w, ProcedureInfo procedure, string parameters, string? call, bool options, bool declaration)
    {
        string signature = $"{procedure.Method}({parameters})";
        string task = procedure.Result is VoidShape ? "global::System.Threading.Tasks.Task" : $"global::System.Threading.Tasks.Task<{procedure.Result.CSharpType}>";
        if (declaration)
        {
            w.Summary(WireTypes.ProcedureSummary(procedure));
            WireTypes.ParameterDocs(w, model, procedure, PooledDocs.ClientArgument);
            if (options)
            {
                w.Doc("param", "What this call does differently from the client's options: a timeout or deadline, a credential.", "name=\"options\"");
            }

            w.Doc("param", "Abandons the call (the server may still run it).", "name=\"cancellationToken\"");
            w.DocXml("returns", procedure.Result is VoidShape ? "A task that completes when the reply has come." : Pooled("The result.", procedure.Result));
            w.DocXml("exception", "The call failed; the derived type says how (timeout, connection lost, the server's reply status).", "cref=\"global::NetRpc.Runtime.Client.RpcException\"");
            w.Line(call is null ? $"{task} {signature};" : $"{task} {signature} =>");
            if (call is not null)
            {
                w.Line($"    {call};");
            }

            return;
        }

        w.Line("/// <inheritdoc/>");
        if (procedure.Result is VoidShape)
        {
            w.Line($"public async {task} {signature} =>");
            w.Line($"    await {call}.ConfigureAwait(false);");
        }
        else if (procedure.ResultWrapper is null)
        {
            w.Line($"public {task} {signature} =>");
            w.Line($"    {call}.AsTask();");
        }
        else
        {
            w.Line($"public async {task} {signature} =>");
            w.Line($"    (await {call}.ConfigureAwait(false)).Value;");
        }
    }
}

/// <summary><c>p_svc.cs</c> (rpcgen -m): per program version, a service base class (procedures not overridden answer PROC_UNAVAIL) and its dispatch glue.</summary>
internal sealed class ServiceEmitter(EmitModel model, string access)
{
    private const string Context = "global::NetRpc.Runtime.Server.RpcCallContext";

    public string Emit(string inputName)
    {
        var w = new SourceWriter();
        CSharpFile.Header(w, inputName, "a service base class per program version, and its dispatch glue (rpcgen -m)", model);
        w.Line($"namespace {model.Namespace};");
        foreach (VersionInfo version in model.Programs.SelectMany(p => p.Versions))
        {
            w.Line();
            WriteService(w, version);
        }

        return w.ToString();
    }

    private void WriteService(SourceWriter w, VersionInfo version)
    {
        string what = $"{version.Program.Definition.Name} version {version.Definition.Name} ({version.Definition.Number.ToString(CultureInfo.InvariantCulture)})";
        w.Summary($"Serves {what}: override the procedures it implements, then serve it with server.AddProgram(service.ToProgram()).");
        w.DocXml("remarks", "A procedure not overridden is answered PROC_UNAVAIL. A method that throws makes the call's reply SYSTEM_ERR (or what its RpcReplyException says); the server logs it and goes on. Procedure 0 (NULL) is answered even when not declared.");
        CSharpFile.GeneratedCode(w);
        w.Open($"{access} abstract partial class {version.ServiceName} : global::NetRpc.Runtime.Server.IRpcService");
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            w.Summary(procedure.Definition.Documentation ?? $"Serves {TypesEmitter.ProcedureText(procedure.Definition)}.");
            WireTypes.ParameterDocs(w, model, procedure, PooledDocs.ServiceArgument);
            w.Doc("param", "The call: the caller's address and credentials, and a token cancelled when the call is abandoned.", "name=\"context\"");
            string returned = procedure.StreamElement is not null
                ? "The elements of the streamed reply: the runtime writes TRUE before each, as it comes, and FALSE after the last; it asks for the next only as the connection takes what was sent. The enumeration is cancelled (context.CallAborted) when the connection closes."
                : procedure.Result is VoidShape ? "A task that completes when the procedure is done." : "The result.";
            w.DocXml("returns", model.HoldsPooledOpaque(procedure.StreamElement ?? procedure.Result) ? $"{returned} {PooledDocs.ServiceResult}" : returned);
            string parameters = string.Join(string.Empty, procedure.Arguments.Select(a => $"{a.Shape.CSharpType} {a.Parameter}, "));
            string returns = procedure.StreamElement is { } element ? $"{WireTypes.AsyncEnumerable}<{element.CSharpType}>"
                : procedure.Result is VoidShape ? "global::System.Threading.Tasks.ValueTask" : $"global::System.Threading.Tasks.ValueTask<{procedure.Result.CSharpType}>";
            if (procedure.IsNull)
            {
                w.Line($"public virtual {returns} {procedure.Method}({parameters}{Context} context) => default;");
            }
            else
            {
                // Not abstract: a procedure added to the .x later does not break an implementation; until it is
                // overridden, its callers are told PROC_UNAVAIL, as a C server without it would tell them.
                w.Line($"public virtual {returns} {procedure.Method}({parameters}{Context} context) =>");
                w.Line("    throw global::NetRpc.Runtime.Server.RpcReplyException.WithStatus(global::NetRpc.Runtime.Messages.AcceptStatus.ProcedureUnavailable);");
            }

            w.Line();
        }

        w.Summary("This service as the program version an RpcServer serves: this one instance serves every call.");
        w.DocXml("returns", "The program version, for RpcServer.AddProgram.");
        w.Line($"public global::NetRpc.Runtime.Server.RpcProgram ToProgram() => new global::NetRpc.Runtime.Server.RpcProgramBuilder({version.ProgramFullName}.Program, {version.FullName}.Version, {EmitModel.Literal(version.Program.Definition.Name)})");
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            WriteProcedure(w, version, procedure, activator: null);
        }

        w.Line("    .Build();");
        w.Line();
        w.Summary("The program version, served by an instance the activator makes for each call and releases when the call is done (a dependency injection scope per call).");
        w.Doc("param", "Makes the instance for each call.", "name=\"activator\"");
        w.DocXml("returns", "The program version, for RpcServer.AddProgram.");
        w.Line($"public static global::NetRpc.Runtime.Server.RpcProgram ToProgram(global::NetRpc.Runtime.Server.IRpcServiceActivator<{version.ServiceName}> activator) => new global::NetRpc.Runtime.Server.RpcProgramBuilder({version.ProgramFullName}.Program, {version.FullName}.Version, {EmitModel.Literal(version.Program.Definition.Name)})");
        foreach (ProcedureInfo procedure in version.Procedures)
        {
            WriteProcedure(w, version, procedure, activator: "activator");
        }

        w.Line("    .Build();");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"static global::NetRpc.Runtime.Server.RpcProgram global::NetRpc.Runtime.Server.IRpcService.ToProgram<TService>(global::NetRpc.Runtime.Server.IRpcServiceActivator<TService> activator) =>");
        // Covariance: an activator of a class derived from this base is an activator of this base.
        w.Line($"    ToProgram((global::NetRpc.Runtime.Server.IRpcServiceActivator<{version.ServiceName}>)activator);");
        WriteReplyHelpers(w, version);
        WireTypes.Write(model, w, version);
        w.Close();
    }

    /// <summary>
    /// One procedure of a ToProgram: on this instance, or (with <paramref name="activator"/>) on the instance the
    /// activator makes for the call, through the runtime's RpcServiceActivation, which releases it when the call is done.
    /// </summary>
    private static void WriteProcedure(SourceWriter w, VersionInfo version, ProcedureInfo procedure, string? activator)
    {
        string unpacked = procedure.ArgumentsWrapper is not null
            ? string.Join(string.Empty, procedure.ArgumentFields.Select(f => $"arguments.{f}, "))
            : procedure.Arguments.Count == 0 ? string.Empty : "arguments, ";
        string invoke = $"{(activator is null ? "this" : "service")}.{procedure.Method}({unpacked}context)";
        string number = $"{version.FullName}.{procedure.Constant}, {EmitModel.Literal(procedure.Definition.Name)}";
        if (procedure.StreamElement is not null)
        {
            string elements = procedure.StreamElementWrapper is { } wrapped ? $"Stream({invoke}, static value => new {wrapped}(value))" : invoke;
            string streamTypes = $"{WireTypes.ArgumentsType(procedure)}, {WireTypes.ElementType(procedure)}";
            w.Line(activator is null
                ? $"    .AddStreamedProcedure<{streamTypes}>({number}, (arguments, context) => {elements})"
                : $"    .AddStreamedProcedure<{streamTypes}>({number}, global::NetRpc.Runtime.Server.RpcServiceActivation.PerCallStream<{version.ServiceName}, {streamTypes}>({activator}, static (service, arguments, context) => {elements}))");
            return;
        }

        string body = procedure.Result switch
        {
            VoidShape => $"Reply({invoke})",
            _ when procedure.ResultWrapper is { } wrapper => $"Reply({invoke}, static value => new {wrapper}(value))",
            _ => invoke,
        };
        string types = $"{WireTypes.ArgumentsType(procedure)}, {WireTypes.ResultType(procedure)}";
        w.Line(activator is null
            ? $"    .AddProcedure<{types}>({number}, (arguments, context) => {body})"
            : $"    .AddProcedure<{types}>({number}, global::NetRpc.Runtime.Server.RpcServiceActivation.PerCall<{version.ServiceName}, {types}>({activator}, static (service, arguments, context) => {body}))");
    }

    private static void WriteReplyHelpers(SourceWriter w, VersionInfo version)
    {
        bool values = version.Procedures.Any(p => p.ResultWrapper is not null);
        bool voids = version.Procedures.Any(p => p.Result is VoidShape);
        if (version.Procedures.Any(p => p.StreamElementWrapper is not null))
        {
            w.Line();
            w.Line($"private static async {WireTypes.AsyncEnumerable}<TWire> Stream<TValue, TWire>({WireTypes.AsyncEnumerable}<TValue> elements, global::System.Func<TValue, TWire> wrap, [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)");
            w.Line("{");
            w.Line("    await foreach (TValue value in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(elements, cancellationToken).ConfigureAwait(false))");
            w.Line("    {");
            w.Line("        yield return wrap(value);");
            w.Line("    }");
            w.Line("}");
        }

        if (values)
        {
            w.Line();
            w.Line("private static global::System.Threading.Tasks.ValueTask<TWire> Reply<TValue, TWire>(global::System.Threading.Tasks.ValueTask<TValue> pending, global::System.Func<TValue, TWire> wrap) =>");
            w.Line("    pending.IsCompletedSuccessfully ? new(wrap(pending.Result)) : AwaitReply(pending, wrap);");
            w.Line();
            w.Line("private static async global::System.Threading.Tasks.ValueTask<TWire> AwaitReply<TValue, TWire>(global::System.Threading.Tasks.ValueTask<TValue> pending, global::System.Func<TValue, TWire> wrap) =>");
            w.Line("    wrap(await pending.ConfigureAwait(false));");
        }

        if (voids)
        {
            w.Line();
            w.Open($"private static global::System.Threading.Tasks.ValueTask<{WireTypes.Void}> Reply(global::System.Threading.Tasks.ValueTask pending)");
            w.Open("if (pending.IsCompletedSuccessfully)");
            w.Line("pending.GetAwaiter().GetResult();");
            w.Line("return default;");
            w.Close();
            w.Line();
            w.Line("return AwaitReply(pending);");
            w.Close();
            w.Line();
            w.Open($"private static async global::System.Threading.Tasks.ValueTask<{WireTypes.Void}> AwaitReply(global::System.Threading.Tasks.ValueTask pending)");
            w.Line("await pending.ConfigureAwait(false);");
            w.Line("return default;");
            w.Close();
        }
    }
}
