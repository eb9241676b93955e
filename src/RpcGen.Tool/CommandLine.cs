using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tool;

/// <summary>The parsed command line. rpcgen's flags: -I DIR and -D NAME[=VALUE], attached (-Idir) or separate.</summary>
internal sealed record CommandLine(string? Input, bool Check, bool Help, bool Version, IReadOnlyList<string> IncludeDirectories, IReadOnlyList<KeyValuePair<string, string>> Defines, string? Error)
{
    public const string Usage = """
        usage: rpcgen --check FILE.x [-I DIR]... [-D NAME[=VALUE]]...

          --check        parse and check FILE.x; print diagnostics; exit 0 when there are no errors, 1 otherwise
          -I DIR         search DIR for #include files (after the including file's own directory)
          -D NAME[=VAL]  define a preprocessor macro (VAL defaults to 1)
          --help         show this text
          --version      show the version

        Diagnostics have the form path(line,col): error RPCGnnnn: message (docs/diagnostics.md lists the codes).
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? input = null;
        bool check = false;
        bool help = false;
        bool version = false;
        var includes = new List<string>();
        var defines = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--check":
                    check = true;
                    continue;
                case "--help" or "-h" or "-?":
                    help = true;
                    continue;
                case "--version":
                    version = true;
                    continue;
            }

            if (arg.StartsWith("-I", StringComparison.Ordinal) || arg.StartsWith("-D", StringComparison.Ordinal))
            {
                string value = arg.Length > 2 ? arg[2..] : (++i < args.Count ? args[i] : string.Empty);
                if (value.Length == 0)
                {
                    return Fail($"{arg[..2]} needs a value");
                }

                if (arg[1] == 'I')
                {
                    includes.Add(value);
                }
                else
                {
                    int equals = value.IndexOf('=', StringComparison.Ordinal);
                    defines.Add(equals < 0 ? new(value, "1") : new(value[..equals], value[(equals + 1)..]));
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

        if (!help && !version && !check)
        {
            return Fail("only --check is implemented so far: code generation comes next");
        }

        return new CommandLine(input, check, help, version, includes, defines, null);

        static CommandLine Fail(string error) => new(null, false, false, false, [], [], error);
    }

    public PreprocessorOptions PreprocessorOptions => new() { IncludeDirectories = IncludeDirectories, Defines = Defines };
}
