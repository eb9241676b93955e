using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Naming;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tool;

/// <summary>The parsed command line: rpcgen's flags, and NetRpc's own for C#.</summary>
internal sealed record CommandLine
{
    public const string Usage = """
        usage: rpcgen [-a | -c | -l | -m | -Sc | -Ss | -Sm | --wireshark] [-o FILE] [-I DIR]... [-D NAME[=VALUE]]...
                      [--namespace NS] [--access public|internal] [--names pascal|keep] [--stream PROC]...
                      [--pooled-opaque[=NAME,...]]... [--nowarn CODE]... [--warnaserror] FILE.x
               rpcgen --check FILE.x [-I DIR]... [-D NAME[=VALUE]]... [--nowarn CODE]... [--warnaserror]
               rpcgen breaking OLD.x NEW.x [-I DIR]... [-D NAME[=VALUE]]... [--strict] [--source]
                      [--nowarn CODE]... [--warnaserror]

          (no flag)      write FILE_xdr.cs, FILE_clnt.cs and FILE_svc.cs beside FILE.x (overwriting them)
          -a             also the samples FILE_client.cs, FILE_server.cs and FILE.csproj; refuses to overwrite a sample
          -c             types, constants and XDR codecs          -l   the client classes
          -m             the service classes (server skeleton)    -Sc  the sample client
          -Ss            the sample server                        -Sm  the sample project
          --wireshark    a Wireshark dissector in Lua for the file's programs (tshark -X lua_script:FILE.lua)
                         each of these writes one file to standard output, or to -o FILE (never overwritten)
          -o FILE        where the one file goes
          -I DIR         search DIR for #include files (after the including file's own directory)
          -D NAME[=VAL]  define a preprocessor macro (VAL defaults to 1)
          --namespace NS the C# namespace (default: from the file name, my_proto.x gives MyProto)
          --access A     public (default) or internal types
          --names N      pascal (default: nfs_fh3 becomes NfsFh3) or keep (.x names as written)
          --stream PROC  the reply of procedure PROC (its .x name, such as YPPROC_ALL) is a stream: an
                         IAsyncEnumerable on client and service; its result must be a union on bool, TRUE: an
                         element, FALSE: void. Repeat it, or separate names with commas, for several
          --pooled-opaque
                         variable-length opaque data (opaque x<>) is NetRpc.Xdr.PooledOpaque, in pooled memory,
                         not byte[]: for large payloads such as NFS READ and WRITE data. Alone: all of it
          --pooled-opaque=NAME[,NAME...]
                         only these: a typedef of opaque x<> (nfsdata2), or a struct field or union arm
                         declared so (WRITE3args.data). Repeat it, or separate names with commas
          --nowarn CODE  do not report warning CODE (such as RPCG3001); repeat it, or separate codes with commas,
                         for several. Errors are always reported
          --warnaserror  report every warning as an error: exit status 1 and no file written
          --check        parse and check only; print diagnostics
          breaking       compare NEW.x with OLD.x for wire and source compatibility: one line per change on standard
                         output (NEW.x(line,col): error|warning RPCG5nnn: message), then a summary; -I and -D apply
                         to both files. Errors break the wire; warnings only for old readers or only code
          --strict       (breaking) also fail on changes only new readers accept: an enum value or union case
                         added, a maximum raised
          --source       (breaking) also fail on source-breaking changes: renames, typedefs removed, ...
          --help         show this text
          --version      show the version

        Exit status: 0 done, 1 errors in the .x file (path(line,col): error RPCGnnnn: message), 2 bad command line.
        breaking: 0 nothing breaks the wire, 1 something does (or what --strict, --source or --warnaserror add),
        2 bad command line or a file that does not compile (docs/breaking.md).
        """;

    private static readonly Dictionary<string, GeneratedOutputs> s_single = new(StringComparer.Ordinal)
    {
        ["-c"] = GeneratedOutputs.Types,
        ["-l"] = GeneratedOutputs.Client,
        ["-m"] = GeneratedOutputs.Server,
        ["-Sc"] = GeneratedOutputs.SampleClient,
        ["-Ss"] = GeneratedOutputs.SampleServer,
        ["-Sm"] = GeneratedOutputs.SampleProject,
        ["--wireshark"] = GeneratedOutputs.Wireshark,
    };

    /// <summary>The input file; for <c>breaking</c>, the new version.</summary>
    public string? Input { get; private init; }

    /// <summary><c>rpcgen breaking OLD.x NEW.x</c>: compare two versions of a file rather than generate.</summary>
    public bool Breaking { get; private init; }

    /// <summary>For <c>breaking</c>: the old version, which the new one is compared with.</summary>
    public string? Baseline { get; private init; }

    /// <summary>For <c>breaking</c>, --strict: changes only new readers accept fail too.</summary>
    public bool FailOnNewReadersOnly { get; private init; }

    /// <summary>For <c>breaking</c>, --source: source-breaking changes fail too.</summary>
    public bool FailOnSourceBreaking { get; private init; }

    public bool Check { get; private init; }

    public bool Help { get; private init; }

    public bool Version { get; private init; }

    /// <summary>-a: every output, samples included.</summary>
    public bool All { get; private init; }

    /// <summary>One of -c -l -m -Sc -Ss -Sm, or null.</summary>
    public GeneratedOutputs? Single { get; private init; }

    public string? Output { get; private init; }

    public IReadOnlyList<string> IncludeDirectories { get; private init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Defines { get; private init; } = [];

    public string? Namespace { get; private init; }

    public GeneratedAccess Access { get; private init; }

    public NameStyle Names { get; private init; }

    /// <summary>--stream: the procedures whose reply is a stream.</summary>
    public IReadOnlyList<string> StreamedProcedures { get; private init; } = [];

    /// <summary>--pooled-opaque alone: every variable-length opaque declaration is pooled.</summary>
    public bool AllOpaquePooled { get; private init; }

    /// <summary>--pooled-opaque=NAME,...: the typedefs and members whose opaque data is pooled.</summary>
    public IReadOnlyList<string> PooledOpaque { get; private init; } = [];

    /// <summary>--nowarn and --warnaserror.</summary>
    public WarningOptions Warnings { get; private init; } = WarningOptions.Default;

    public string? Error { get; private init; }

    public PreprocessorOptions PreprocessorOptions => new() { IncludeDirectories = IncludeDirectories, Defines = Defines };

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        // A command word, only in first place: a file called 'breaking' is still an input elsewhere (or as ./breaking).
        if (args.Count > 0 && args[0] == "breaking")
        {
            return ParseBreaking([.. args.Skip(1)]);
        }

        string? input = null;
        bool check = false, help = false, version = false, all = false, warningsAsErrors = false, allPooled = false;
        GeneratedOutputs? single = null;
        string? output = null, @namespace = null;
        var access = GeneratedAccess.Public;
        var names = NameStyle.Pascal;
        var includes = new List<string>();
        var defines = new List<KeyValuePair<string, string>>();
        var streamed = new List<string>();
        var pooled = new List<string>();
        var suppressed = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? Value() => ++i < args.Count ? args[i] : null;
            switch (arg)
            {
                case "--check":
                    check = true;
                    continue;
                case "-h":
                    return Fail("-h writes rpcgen's C header; C# has none: the types are in what -c writes (p_xdr.cs)");
                case "--help" or "-?":
                    help = true;
                    continue;
                case "--version":
                    version = true;
                    continue;
                case "-a":
                    all = true;
                    continue;
                case "-o":
                    output = Value();
                    if (string.IsNullOrEmpty(output))
                    {
                        // An empty one ('') too: no file has that name (it crashed the writer, exit 134).
                        return Fail("-o needs a file name");
                    }

                    continue;
                case "--namespace":
                    @namespace = Value();
                    if (@namespace is null || !GenerationOptions.IsValidNamespace(@namespace))
                    {
                        return Fail($"--namespace needs a C# namespace name, such as My.Protocol (not '{@namespace}')");
                    }

                    continue;
                case "--access":
                    switch (Value())
                    {
                        case "public": access = GeneratedAccess.Public; break;
                        case "internal": access = GeneratedAccess.Internal; break;
                        default: return Fail("--access takes public or internal");
                    }

                    continue;
                case "--stream":
                    string? procedures = Value();
                    if (string.IsNullOrWhiteSpace(procedures))
                    {
                        return Fail("--stream needs a procedure name, such as YPPROC_ALL");
                    }

                    streamed.AddRange(procedures.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    continue;
                case "--pooled-opaque":
                    // Alone, it takes no value: the next argument is the input file or another option, as for
                    // getopt's optional values, which only --pooled-opaque=NAME,... gives.
                    allPooled = true;
                    continue;
                case "--nowarn":
                    string? codeList = Value();
                    IReadOnlyList<string> codes = WarningOptions.Codes(codeList);
                    if (codes.Count == 0 || !codes.All(IsDiagnosticCode))
                    {
                        return Fail($"--nowarn needs diagnostic codes such as RPCG3001, separated by commas (not '{codeList}')");
                    }

                    suppressed.AddRange(codes);
                    continue;
                case "--warnaserror":
                    warningsAsErrors = true;
                    continue;
                case "--names":
                    switch (Value())
                    {
                        case "pascal": names = NameStyle.Pascal; break;
                        case "keep": names = NameStyle.Keep; break;
                        default: return Fail("--names takes pascal or keep");
                    }

                    continue;
            }

            if (arg.StartsWith("--pooled-opaque=", StringComparison.Ordinal))
            {
                string[] opaque = arg["--pooled-opaque=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (opaque.Length == 0)
                {
                    return Fail("--pooled-opaque= needs a typedef name or Type.member, such as nfsdata2 or WRITE3args.data (or give --pooled-opaque alone for all opaque data)");
                }

                pooled.AddRange(opaque);
                continue;
            }

            if (s_single.TryGetValue(arg, out GeneratedOutputs one))
            {
                if (single is not null && single != one)
                {
                    return Fail("Cannot have more than one file generation flag!");
                }

                single = one;
                continue;
            }

            if (IncludeOrDefine(args, ref i, includes, defines, out string? valueError))
            {
                if (valueError is not null)
                {
                    return Fail(valueError);
                }

                continue;
            }

            if (arg.StartsWith('-'))
            {
                return Fail($"unknown option '{arg}'");
            }

            if (input is not null)
            {
                return Fail($"more than one input file ('{input}' and '{arg}')");
            }

            input = arg;
        }

        if (!help && !version && input is null)
        {
            return Fail("no input file");
        }

        if (all && single is not null)
        {
            return Fail("Cannot have more than one file generation flag!");
        }

        if (output is not null && single is null)
        {
            return Fail("-o goes with one of -c, -l, -m, -Sc, -Ss, -Sm");
        }

        if (check && (all || single is not null))
        {
            return Fail("--check generates nothing: it cannot be combined with a generation flag");
        }

        return new CommandLine
        {
            Input = input,
            Check = check,
            Help = help,
            Version = version,
            All = all,
            Single = single,
            Output = output,
            IncludeDirectories = includes,
            Defines = defines,
            Namespace = @namespace,
            Access = access,
            Names = names,
            StreamedProcedures = streamed,
            AllOpaquePooled = allPooled,
            PooledOpaque = pooled,
            Warnings = new WarningOptions { Suppressed = suppressed, AllAsErrors = warningsAsErrors },
        };

    }

    /// <summary><c>rpcgen breaking OLD.x NEW.x</c> and its options: -I and -D (for both files), --strict, --source, --nowarn, --warnaserror.</summary>
    private static CommandLine ParseBreaking(IReadOnlyList<string> args)
    {
        var files = new List<string>();
        bool help = false, strict = false, source = false, warningsAsErrors = false;
        var includes = new List<string>();
        var defines = new List<KeyValuePair<string, string>>();
        var suppressed = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--help" or "-?":
                    help = true;
                    continue;
                case "--strict":
                    strict = true;
                    continue;
                case "--source":
                    source = true;
                    continue;
                case "--warnaserror":
                    warningsAsErrors = true;
                    continue;
                case "--nowarn":
                    string? codeList = ++i < args.Count ? args[i] : null;
                    IReadOnlyList<string> codes = WarningOptions.Codes(codeList);
                    if (codes.Count == 0 || !codes.All(IsDiagnosticCode))
                    {
                        return Fail($"--nowarn needs diagnostic codes such as RPCG5065, separated by commas (not '{codeList}')");
                    }

                    suppressed.AddRange(codes);
                    continue;
            }

            if (IncludeOrDefine(args, ref i, includes, defines, out string? valueError))
            {
                if (valueError is not null)
                {
                    return Fail(valueError);
                }

                continue;
            }

            if (arg.StartsWith('-'))
            {
                return Fail($"unknown option '{arg}' for breaking, which takes -I, -D, --strict, --source, --nowarn and --warnaserror");
            }

            files.Add(arg);
        }

        if (help)
        {
            return new CommandLine { Help = true };
        }

        if (files.Count != 2)
        {
            return Fail($"breaking compares two files, the old version and the new one: rpcgen breaking OLD.x NEW.x (not {files.Count})");
        }

        return new CommandLine
        {
            Breaking = true,
            Baseline = files[0],
            Input = files[1],
            IncludeDirectories = includes,
            Defines = defines,
            FailOnNewReadersOnly = strict,
            FailOnSourceBreaking = source,
            Warnings = new WarningOptions { Suppressed = suppressed, AllAsErrors = warningsAsErrors },
        };
    }

    /// <summary>-I DIR, -IDIR, -D NAME[=VALUE], -DNAME[=VALUE]: true when <paramref name="args"/>[<paramref name="i"/>] is one; <paramref name="error"/> says what is wrong with its value.</summary>
    private static bool IncludeOrDefine(IReadOnlyList<string> args, ref int i, List<string> includes, List<KeyValuePair<string, string>> defines, out string? error)
    {
        error = null;
        string arg = args[i];
        if (!arg.StartsWith("-I", StringComparison.Ordinal) && !arg.StartsWith("-D", StringComparison.Ordinal))
        {
            return false;
        }

        string value = arg.Length > 2 ? arg[2..] : (++i < args.Count ? args[i] : string.Empty);
        if (value.Length == 0)
        {
            error = $"{arg[..2]} needs a value";
        }
        else if (arg[1] == 'I')
        {
            includes.Add(value);
        }
        else
        {
            defines.Add(PreprocessorOptions.ParseDefine(value));
        }

        return true;
    }

    private static CommandLine Fail(string error) => new() { Error = error };

    // RPCG and four digits (DiagnosticDescriptor.Code); case as MSBuild's NoWarn allows.
    private static bool IsDiagnosticCode(string code) =>
        code.Length == 8 && code.StartsWith("RPCG", StringComparison.OrdinalIgnoreCase) && code[4..].All(char.IsAsciiDigit);
}
