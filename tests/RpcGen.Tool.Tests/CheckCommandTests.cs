using System.Diagnostics;

namespace NetRpc.RpcGen.Tool.Tests;

/// <summary>rpcgen --check: diagnostics in the MSBuild format with the source line and a caret, and documented exit codes.</summary>
public sealed class CheckCommandTests : ToolTestFolder
{

    [Fact]
    public void A_clean_file_exits_zero_and_prints_nothing()
    {
        string file = Write("ok.x", "struct s { int a; };\n");
        (int exit, string stdout, string stderr) = Run("--check", file);
        Assert.Equal(0, exit);
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void Errors_print_in_msbuild_form_with_a_caret_and_exit_one()
    {
        string file = Write("bad.x", "struct s {\n    int a\n};\nstruct t { foo b; };\n");
        (int exit, _, string stderr) = Run("--check", file);
        Assert.Equal(1, exit);
        string[] lines = stderr.Split('\n');
        Assert.Equal($"{file}(2,10): error RPCG0005: expected ';'", lines[0]);
        Assert.Equal("        int a", lines[1]);
        Assert.Equal("             ^", lines[2]);
        Assert.Contains($"{file}(4,12): error RPCG2002: type 'foo' is not defined", stderr, StringComparison.Ordinal);
        Assert.Contains("2 error(s), 0 warning(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_alone_exit_zero()
    {
        string file = Write("warn.x", "struct s { uint32_t a; };\n");
        (int exit, _, string stderr) = Run("--check", file);
        Assert.Equal(0, exit);
        Assert.StartsWith($"{file}(1,12): warning RPCG3001: 'uint32_t' is not an XDR type", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void IncludeFolderectories_and_defines_are_honoured_in_both_spellings()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "inc"));
        Write("inc/sizes.x", "const MAXNAME = 255;\n");
        string file = Write("main.x", "#include \"sizes.x\"\n#ifdef WANT_NFS3\ntypedef string name<MAXNAME>;\n#endif\ntypedef opaque blob<BLOB>;\n");
        Assert.Equal(0, Run("--check", file, "-I", Path.Combine(Folder, "inc"), "-DWANT_NFS3", "-D", "BLOB=16").Exit);
        Assert.Equal(0, Run("--check", file, "-I" + Path.Combine(Folder, "inc"), "-DBLOB=16").Exit);
        (int exit, _, string stderr) = Run("--check", file, "-DBLOB=16");
        Assert.Equal(1, exit);
        Assert.Contains("error RPCG1014", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--check")]
    [InlineData("--check", "a.x", "b.x")]
    [InlineData("--bogus", "a.x")]
    [InlineData("--check", "a.x", "-I")]
    [InlineData("-c", "-l", "a.x")]
    [InlineData("-a", "-c", "a.x")]
    [InlineData("-o", "out.cs", "a.x")]
    [InlineData("--check", "-c", "a.x")]
    [InlineData("--access", "private", "a.x")]
    [InlineData("--names", "snake", "a.x")]
    [InlineData("--namespace", "1bad", "a.x")]
    [InlineData("a.x", "--nowarn")]
    [InlineData("--nowarn", "3001", "a.x")]
    [InlineData("--nowarn", "RPCG3001,CS0168", "a.x")]
    public void A_bad_command_line_exits_two_with_usage(params string[] args)
    {
        (int exit, _, string stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains("usage: rpcgen", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_and_version_exit_zero()
    {
        Assert.Contains("usage: rpcgen", Run("--help").Stdout, StringComparison.Ordinal);
        Assert.StartsWith("rpcgen (NetRpc)", Run("--version").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_is_the_package_version_without_commit()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", RpcgenCompiler.Version);
        Assert.Equal($"rpcgen (NetRpc) {RpcgenCompiler.Version}", Run("--version").Stdout.TrimEnd());
    }

    [Fact]
    public void A_missing_file_is_a_diagnostic()
    {
        (int exit, _, string stderr) = Run("--check", Path.Combine(Folder, "nowhere.x"));
        Assert.Equal(1, exit);
        Assert.Contains("error RPCG0008", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_executable_checks_a_file_as_a_process()
    {
        string file = Write("proc.x", "const A = 08;\n");
        string rpcgen = Path.Combine(AppContext.BaseDirectory, "rpcgen.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { rpcgen, "--check", file })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith($"{file}(1,11): error RPCG0007", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("typedefs")]
    [InlineData("constants")]
    [InlineData("enum members")]
    [InlineData("guarded includes")]
    public void Long_chains_and_guarded_includes_generate_in_a_process_of_its_own(string shape)
    {
        // Found by an adversarial campaign: each of these valid files once ended the process (an exception, or a
        // stack overflow, which nothing can catch) or kept it busy for minutes.
        const int Length = 6_000;
        string file = shape switch
        {
            "typedefs" => Write("chain.x", "typedef int t0;\n" + string.Concat(Enumerable.Range(1, Length - 1).Select(i => $"typedef t{i - 1} t{i};\n")) + $"struct s {{ t{Length - 1} f; }};\n"),
            "constants" => Write("chain.x", string.Concat(Enumerable.Range(0, Length - 1).Select(i => $"const c{i} = c{i + 1};\n")) + $"const c{Length - 1} = 1;\n"),
            "enum members" => Write("chain.x", "enum e {\n" + string.Concat(Enumerable.Range(0, Length - 1).Select(i => $"  m{i} = m{i + 1},\n")) + $"  m{Length - 1} = 1\n}};\n"),
            _ => WriteGuardedPair(),
        };

        (int exit, string stderr) = RunProcess(file);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.True(File.Exists(Path.ChangeExtension(file, null) + "_xdr.cs"));
    }

    [Fact]
    public void An_include_cycle_nothing_stops_is_an_error_in_a_process_of_its_own()
    {
        string file = Write("loop.x", "const A = 1;\n#include \"loop.x\"\n");
        (int exit, string stderr) = RunProcess(file);
        Assert.Equal(1, exit);
        Assert.StartsWith($"{file}(2,10): error RPCG1015: include cycle: {file} -> {file}; nothing stops it", stderr, StringComparison.Ordinal);
    }

    private string WriteGuardedPair()
    {
        Write("b.x", "#ifndef B_X\n#define B_X\n#include \"a.x\"\nconst B = 2;\n#endif\n");
        return Write("a.x", "#ifndef A_X\n#define A_X\n#include \"b.x\"\nconst A = 1;\n#endif\n");
    }

    /// <summary>Runs the built rpcgen as a process (what a build runs); a minute is only a guard against a hang.</summary>
    private static (int Exit, string Stderr) RunProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rpcgen.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill();
            Assert.Fail("rpcgen did not finish");
        }

        return (process.ExitCode, stderr.Result);
    }
}
