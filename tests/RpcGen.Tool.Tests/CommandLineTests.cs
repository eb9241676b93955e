using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Naming;

namespace NetRpc.RpcGen.Tool.Tests;

/// <summary>
/// rpcgen's command line at its edges, where System.CommandLine alone would read it otherwise: the messages and exit
/// codes are those of the hand-written parser it replaced, run on the same arguments.
/// </summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("unknown option '-S'", "-S", "c", "a.x")]
    [InlineData("unknown option '-Sx'", "-Sx", "a.x")]
    [InlineData("unknown option '-px'", "-px", "a.x")]
    [InlineData("unknown option '-ac'", "-ac", "a.x")]
    [InlineData("unknown option '-cl'", "-cl", "a.x")]
    [InlineData("unknown option '-ox.cs'", "-c", "-ox.cs", "a.x")]
    [InlineData("unknown option '-o:x.cs'", "-c", "-o:x.cs", "a.x")]
    [InlineData("unknown option '--names=keep'", "-c", "--names=keep", "a.x")]
    [InlineData("unknown option '--pooled-opaque:blob'", "-c", "--pooled-opaque:blob", "a.x")]
    [InlineData("unknown option '--warnaserror=true'", "--warnaserror=true", "a.x")]
    [InlineData("unknown option '--'", "--", "a.x")]
    [InlineData("unknown option '-'", "a.x", "-")]
    [InlineData("unknown option '--HELP'", "--HELP")]
    [InlineData("unknown option '--bogus'", "--help", "--bogus")]
    [InlineData("-h writes rpcgen's C header; C# has none: the types are in what -c writes (p_xdr.cs)", "a.x", "-h")]
    [InlineData("more than one input file ('blob' and 'a.x')", "-c", "--pooled-opaque", "blob", "a.x")]
    [InlineData("more than one input file ('[diagram]' and 'a.x')", "[diagram]", "a.x")]
    [InlineData("more than one input file ('true' and 'a.x')", "-c", "true", "a.x")]
    public void A_word_rpcgen_does_not_take_is_rejected_by_name(string message, params string[] args) => AssertRejected(message, args);

    [Theory]
    [InlineData("-o needs a file name", "-c", "a.x", "-o")]
    [InlineData("-o needs a file name", "-c", "-o", "", "a.x")]
    [InlineData("-I needs a value", "--check", "a.x", "-I")]
    [InlineData("-I needs a value", "--check", "-I", "", "a.x")]
    [InlineData("-D needs a value", "--check", "a.x", "-D")]
    [InlineData("--namespace needs a C# namespace name, such as My.Protocol (not '')", "-c", "a.x", "--namespace")]
    [InlineData("--namespace needs a C# namespace name, such as My.Protocol (not '--check')", "-c", "--namespace", "--check", "a.x")]
    [InlineData("--access takes public or internal", "-c", "a.x", "--access")]
    [InlineData("--access takes public or internal", "-c", "--access", "-c", "a.x")]
    [InlineData("--names takes pascal or keep", "-c", "a.x", "--names")]
    [InlineData("--stream needs a procedure name, such as YPPROC_ALL", "-l", "--stream", " ", "a.x")]
    [InlineData("--nowarn needs diagnostic codes such as RPCG3001, separated by commas (not '')", "--check", "a.x", "--nowarn")]
    [InlineData("--pooled-opaque= needs a typedef name or Type.member, such as nfsdata2 or WRITE3args.data (or give --pooled-opaque alone for all opaque data)", "-c", "--pooled-opaque= , ", "a.x")]
    public void An_option_without_its_value_is_rejected_with_its_own_message(string message, params string[] args) => AssertRejected(message, args);

    [Theory]
    [InlineData("--access takes public or internal", "--access", "bad", "--bogus", "a.x")]
    [InlineData("unknown option '--bogus'", "--bogus", "--access", "bad", "a.x")]
    [InlineData("more than one input file ('a.x' and 'b.x')", "a.x", "b.x", "--bogus")]
    [InlineData("unknown option '--bogus'", "--bogus", "a.x", "b.x")]
    [InlineData("Cannot have more than one file generation flag!", "-c", "-l", "a.x", "b.x")]
    [InlineData("more than one input file ('a.x' and 'b.x')", "a.x", "b.x", "-c", "-l")]
    [InlineData("--names takes pascal or keep", "-c", "--access", "public", "--names", "bad", "--access", "bad", "a.x")]
    [InlineData("Cannot have more than one file generation flag!", "-a", "-c", "-o", "x.cs", "a.x")]
    public void Of_several_errors_the_first_from_the_left_is_reported(string message, params string[] args) => AssertRejected(message, args);

    [Fact]
    public void An_option_takes_the_next_word_as_its_value_whatever_it_looks_like()
    {
        CommandLine line = Parsed("-c", "-o", "-l", "a.x");
        Assert.Equal("-l", line.Output);
        Assert.Equal(GeneratedOutputs.Types, line.Single);

        Assert.Equal("--", Parsed("-c", "-o", "--", "a.x").Output);
        Assert.Equal("-c:x", Parsed("-c", "-o", "-c:x", "a.x").Output);
        Assert.Equal("@x.cs", Parsed("-c", "-o", "@x.cs", "a.x").Output);

        line = Parsed("--check", "-I", "--check", "-I", "-c", "a.x");
        Assert.Equal(["--check", "-c"], line.IncludeDirectories);
        Assert.Null(line.Single);
    }

    [Fact]
    public void Include_and_define_take_their_value_joined_or_apart_and_keep_it_as_written()
    {
        CommandLine line = Parsed("--check", "-Iinc", "-I", "more", "-I:colon", "-I=equals", "-DFOO=1", "-D", "BAR", "a.x");
        Assert.Equal(["inc", "more", ":colon", "=equals"], line.IncludeDirectories);
        Assert.Equal([KeyValuePair.Create("FOO", "1"), KeyValuePair.Create("BAR", "1")], line.Defines);
    }

    [Fact]
    public void Pooled_opaque_has_a_value_only_after_an_equals_sign()
    {
        CommandLine alone = Parsed("-c", "--pooled-opaque", "a.x");
        Assert.True(alone.AllOpaquePooled);
        Assert.Empty(alone.PooledOpaque);
        Assert.Equal("a.x", alone.Input);

        CommandLine named = Parsed("-c", "--pooled-opaque=blob, args.data", "--pooled-opaque=more", "a.x");
        Assert.False(named.AllOpaquePooled);
        Assert.Equal(["blob", "args.data", "more"], named.PooledOpaque);

        CommandLine both = Parsed("-c", "--pooled-opaque=blob", "--pooled-opaque", "a.x");
        Assert.True(both.AllOpaquePooled);
        Assert.Equal(["blob"], both.PooledOpaque);
    }

    [Fact]
    public void The_last_of_a_repeated_option_wins_and_a_repeated_flag_is_one()
    {
        CommandLine line = Parsed("-c", "-c", "--namespace", "A", "--namespace", "B", "--access", "internal", "--access", "public",
            "--names", "keep", "--names", "pascal", "-o", "a.cs", "-o", "b.cs", "a.x");
        Assert.Equal(GeneratedOutputs.Types, line.Single);
        Assert.Equal("B", line.Namespace);
        Assert.Equal(GeneratedAccess.Public, line.Access);
        Assert.Equal(NameStyle.Pascal, line.Names);
        Assert.Equal("b.cs", line.Output);

        line = Parsed("--check", "--nowarn", "RPCG3001", "--nowarn", "rpcg3002;RPCG3003", "--stream", "A,B", "--stream", "C", "a.x");
        Assert.Equal(["RPCG3001", "rpcg3002", "RPCG3003"], line.Warnings.Suppressed);
        Assert.Equal(["A", "B", "C"], line.StreamedProcedures);
    }

    [Theory]
    [InlineData("@a.x")]
    [InlineData("[a]")]
    [InlineData("")]
    [InlineData("rpcgen")]
    [InlineData("/?")]
    public void An_input_file_is_taken_as_written(string input) => Assert.Equal(input, Parsed("--check", input).Input);

    [Fact]
    public void Help_has_a_short_spelling_and_neither_help_nor_version_needs_an_input()
    {
        Assert.True(Parsed("-?").Help);
        Assert.True(Parsed("--version").Version);
        (int exit, string stdout, string stderr) = Run("-?");
        Assert.Equal(0, exit);
        Assert.Equal(CommandLine.Usage + "\n", stdout);
        Assert.Empty(stderr);
    }

    private static void AssertRejected(string message, string[] args)
    {
        (int exit, string stdout, string stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal($"rpcgen: {message}\n{CommandLine.Usage}\n", stderr);
    }

    private static CommandLine Parsed(params string[] args)
    {
        CommandLine line = CommandLine.Parse(args);
        Assert.Null(line.Error);
        return line;
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = Program.Run(args, stdout, stderr, new FileSystemSources());
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
