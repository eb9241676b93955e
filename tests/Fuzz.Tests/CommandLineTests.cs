using System.Diagnostics;

namespace NetRpc.Fuzz.Tests;

/// <summary>The fuzzer's command line, run as the process the long run is.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_prints_the_usage_and_exits_zero(string option)
    {
        (int exit, string stdout, string stderr) = Run(option);

        Assert.Equal(0, exit);
        Assert.StartsWith("usage: NetRpc.Fuzz", stdout.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("--help, -h", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public void An_unknown_option_prints_the_usage_and_exits_two()
    {
        (int exit, string stdout, string stderr) = Run("--bogus");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("unknown option '--bogus'", stderr, StringComparison.Ordinal);
        Assert.Contains("usage: NetRpc.Fuzz", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs the built fuzzer (beside the tests); a minute is only a guard against a hang.</summary>
    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NetRpc.Fuzz.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill();
            Assert.Fail("the fuzzer did not exit");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
