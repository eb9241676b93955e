using System.Diagnostics;

namespace NetRpc.RpcGen.Tool.Tests;

/// <summary>
/// rpcgen breaking OLD.x NEW.x: one line per change in the diagnostic form, a summary, and exit status 0 (nothing breaks
/// the wire), 1 (something does, or what --strict, --source or --warnaserror add) or 2 (bad command line, a file with errors).
/// </summary>
public sealed class BreakingCommandTests : ToolTestFolder
{
    private const string Prog = "\nprogram P { version V { void F(s) = 1; } = 1; } = 0x20000001;\n";

    [Fact]
    public void No_change_exits_zero_with_the_summary_alone()
    {
        string old = Write("old.x", "struct s { int a; };" + Prog);
        string @new = Write("new.x", "struct s {\n    int a;   /* reformatted */\n};" + Prog);
        (int exit, string stdout, string stderr) = Run("breaking", old, @new);
        Assert.Equal(0, exit);
        Assert.Equal($"0 wire-breaking, 0 compatible for new readers only, 0 source-breaking change(s): {old} -> {@new}\n", stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void A_wire_breaking_change_exits_one_with_a_line_in_the_diagnostic_form()
    {
        string old = Write("old.x", "struct s {\n int a;\n int b;\n};" + Prog);
        string @new = Write("new.x", "struct s {\n int a;\n};" + Prog);
        (int exit, string stdout, _) = Run("breaking", old, @new);
        Assert.Equal(1, exit);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{@new}(1,8): error RPCG5009: struct s: field 'b' (int) removed (old: {old}(3,6)); RFC 4506 section 4.14", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1 wire-breaking, 0 compatible for new readers only, 0 source-breaking change(s)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_for_new_readers_only_exit_zero_unless_strict()
    {
        string old = Write("old.x", "enum e { A = 1 };\nstruct s { e x; };" + Prog);
        string @new = Write("new.x", "enum e { A = 1, B = 2 };\nstruct s { e x; };" + Prog);
        (int exit, string stdout, _) = Run("breaking", old, @new);
        Assert.Equal(0, exit);
        Assert.StartsWith($"{@new}(1,17): warning RPCG5041: enum e: B (2) added", stdout, StringComparison.Ordinal);
        Assert.Equal(1, Run("breaking", "--strict", old, @new).Exit);
        Assert.Equal(0, Run("breaking", "--source", old, @new).Exit);
    }

    [Fact]
    public void Source_breaking_changes_exit_zero_unless_source_is_given()
    {
        string old = Write("old.x", "struct s { int a; };" + Prog);
        string @new = Write("new.x", "struct s { int renamed; };" + Prog);
        (int exit, string stdout, _) = Run("breaking", old, @new);
        Assert.Equal(0, exit);
        Assert.Contains("warning RPCG5065", stdout, StringComparison.Ordinal);
        Assert.Equal(1, Run("breaking", old, @new, "--source").Exit);
        Assert.Equal(0, Run("breaking", old, @new, "--strict").Exit);
        Assert.Equal(1, Run("breaking", old, @new, "--warnaserror").Exit);

        (int suppressedExit, string suppressed, _) = Run("breaking", "--nowarn", "RPCG5065", "--source", old, @new);
        Assert.Equal(0, suppressedExit);
        Assert.DoesNotContain("RPCG5065", suppressed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_does_not_compile_exits_two_and_says_which()
    {
        string old = Write("old.x", "struct s { int a; };" + Prog);
        string @new = Write("new.x", "struct s { int a }" + Prog);
        (int exit, string stdout, string stderr) = Run("breaking", old, @new);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.StartsWith($"rpcgen: the new file '{@new}' does not compile; nothing was compared\n{@new}(1,17): error RPCG0005", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the old file", stderr, StringComparison.Ordinal);

        (int missingExit, _, string missing) = Run("breaking", Path.Combine(Folder, "nowhere.x"), @new);
        Assert.Equal(2, missingExit);
        Assert.Contains("the old file", missing, StringComparison.Ordinal);
        Assert.Contains("error RPCG0008", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void IncludeFolderectories_and_defines_apply_to_both_files()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "inc"));
        Write("inc/sizes.x", "const MAXNAME = 255;\n");
        string old = Write("old.x", "#include \"sizes.x\"\ntypedef string name<MAXNAME>;\nstruct s { name n; opaque b<BLOB>; };" + Prog);
        string @new = Write("new.x", "#include \"sizes.x\"\ntypedef string name<MAXNAME>;\nstruct s { name n; opaque b<BLOB>; };" + Prog);
        Assert.Equal(0, Run("breaking", old, @new, "-I", Path.Combine(Folder, "inc"), "-DBLOB=16").Exit);
        Assert.Equal(2, Run("breaking", old, @new, "-DBLOB=16").Exit); // sizes.x is not found without -I
    }

    [Theory]
    [InlineData("breaking")]
    [InlineData("breaking", "a.x")]
    [InlineData("breaking", "a.x", "b.x", "c.x")]
    [InlineData("breaking", "-c", "a.x", "b.x")]
    [InlineData("breaking", "a.x", "b.x", "--check")]
    [InlineData("breaking", "a.x", "b.x", "-I")]
    [InlineData("breaking", "a.x", "b.x", "--nowarn", "5065")]
    public void A_bad_command_line_exits_two_with_usage(params string[] args)
    {
        (int exit, string stdout, string stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("usage: rpcgen", stderr, StringComparison.Ordinal);
        Assert.Contains("rpcgen breaking OLD.x NEW.x", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Breaking_is_a_command_only_as_the_first_word()
    {
        CommandLine line = CommandLine.Parse(["breaking", "-Iinc", "-D", "A=1", "--strict", "old.x", "new.x"]);
        Assert.Null(line.Error);
        Assert.True(line.Breaking);
        Assert.Equal("old.x", line.Baseline);
        Assert.Equal("new.x", line.Input);
        Assert.Equal(["inc"], line.IncludeDirectories);
        Assert.True(line.FailOnNewReadersOnly);
        Assert.False(line.FailOnSourceBreaking);

        CommandLine input = CommandLine.Parse(["--check", "breaking"]);
        Assert.Null(input.Error);
        Assert.False(input.Breaking);
        Assert.Equal("breaking", input.Input);

        Assert.True(CommandLine.Parse(["breaking", "--help"]).Help);
    }

    [Fact]
    public void The_built_executable_exits_with_the_comparisons_status_as_a_process()
    {
        string old = Write("old.x", "struct s { int a; };" + Prog);
        string @new = Write("new.x", "struct s { hyper a; };" + Prog);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "rpcgen.dll"), "breaking", old, @new })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith($"{@new}(1,18): error RPCG5007: struct s field 'a': int is now hyper", stdout, StringComparison.Ordinal);
    }
}
