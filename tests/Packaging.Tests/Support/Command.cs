using System.Diagnostics;
using System.Text;

namespace NetRpc.Packaging.Tests.Support;

/// <summary>What a command did: its exit code and everything it wrote, standard output and error interleaved.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Output)
{
    /// <summary>Fails the test, showing the command and its output, unless it exited 0.</summary>
    public CommandResult Succeeded()
    {
        Assert.True(ExitCode == 0, $"'{Command}' exited {ExitCode}:\n{Output}");
        return this;
    }
}

/// <summary>Runs a program to its end, or kills it (and what it started) when it takes too long.</summary>
internal static class Command
{
    /// <summary>
    /// How a program is started: its output and error redirected, and the environment changed as
    /// <paramref name="environment"/> says (a null value removes the variable).
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }

    public static CommandResult Run(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        ProcessStartInfo start = StartInfo(program, arguments, workingDirectory, environment);
        string command = $"{program} {string.Join(' ', start.ArgumentList.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a))} (in {workingDirectory})";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"'{command}' did not finish in {timeout.TotalSeconds} s and was killed:\n{Snapshot()}");
        }

        process.WaitForExit(); // the output readers have drained
        return new CommandResult(command, process.ExitCode, Snapshot());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
