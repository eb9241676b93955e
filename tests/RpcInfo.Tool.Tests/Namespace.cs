using System.Diagnostics;
using System.Text;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>What a command printed and how it ended.</summary>
internal sealed record Outcome(string Output, string Error, int ExitCode)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}

/// <summary>
/// A network and mount namespace of the test's own (<c>unshare -n -m</c>, loopback up, a private tmpfs on /run), kept
/// alive by a shell that first runs <paramref name="setup"/> (start an rpcbind, build a second namespace) and then
/// waits on its standard input; commands run inside it through nsenter. Disposing closes that input: the shell
/// stops what it started, by PID, and ends, and the namespace with it. Needs root, unshare, nsenter and ip.
/// </summary>
internal sealed class Namespace : IDisposable
{
    private readonly Process _holder;
    private readonly StringBuilder _holderError = new();
    private readonly List<Process> _background = [];

    /// <param name="setup">Shell commands run inside; <c>$daemon</c> set to a PID is stopped at the end.</param>
    public Namespace(string setup, string cleanup = "")
    {
        string script = "set -e; ip link set lo up; mount -t tmpfs tmpfs /run; daemon=; " + setup + "\n"
            + "echo NAMESPACE-READY; set +e; cat >/dev/null; "
            + "if [ -n \"$daemon\" ]; then kill \"$daemon\"; wait \"$daemon\"; fi; " + cleanup;
        var start = new ProcessStartInfo("unshare") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-n", "-m", "--propagation", "private", "sh", "-c", script })
        {
            start.ArgumentList.Add(argument);
        }

        _holder = Process.Start(start) ?? throw new InvalidOperationException("could not start unshare");
        _holder.ErrorDataReceived += (_, e) =>
        {
            lock (_holderError)
            {
                _holderError.AppendLine(e.Data);
            }
        };
        _holder.BeginErrorReadLine();
        string? line = _holder.StandardOutput.ReadLine();
        if (line != "NAMESPACE-READY")
        {
            _holder.WaitForExit(TimeSpan.FromSeconds(10));
            throw new InvalidOperationException($"the namespace did not come up: {line} {HolderError}");
        }
    }

    /// <summary>The dotnet host running these tests, which runs the tools too.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath!;

    /// <summary>netrpc-rpcinfo, as built beside the tests.</summary>
    public static string[] NetRpcInfo => [Dotnet, Path.Combine(AppContext.BaseDirectory, "netrpc-rpcinfo.dll")];

    /// <summary>netrpc-rpcbind, as built beside the tests.</summary>
    public static string NetRpcbind => $"'{Dotnet}' '{Path.Combine(AppContext.BaseDirectory, "netrpc-rpcbind.dll")}'";

    private string HolderError
    {
        get
        {
            lock (_holderError)
            {
                return _holderError.ToString();
            }
        }
    }

    /// <summary>Runs a command inside to its end (two minutes at most).</summary>
    public Outcome Run(params string[] command)
    {
        using Process process = Process.Start(Enter(command, redirectInput: false)) ?? throw new InvalidOperationException("could not start nsenter");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not finish in two minutes");
        }

        return new Outcome(output.Result, error.Result, process.ExitCode);
    }

    /// <summary>Native rpcinfo, inside.</summary>
    public Outcome Native(params string[] args) => Run(["rpcinfo", .. args]);

    /// <summary>netrpc-rpcinfo, inside.</summary>
    public Outcome Ours(params string[] args) => Run([.. NetRpcInfo, .. args]);

    /// <summary>
    /// Starts a command inside that runs until this namespace is disposed, and waits for its first line, which it
    /// returns (a server's READY).
    /// </summary>
    public string Start(params string[] command)
    {
        Process process = Process.Start(Enter(command, redirectInput: true)) ?? throw new InvalidOperationException("could not start nsenter");
        _background.Add(process);
        _ = process.StandardError.ReadToEndAsync();
        string? line = process.StandardOutput.ReadLine();
        _ = process.StandardOutput.ReadToEndAsync();
        return line ?? throw new InvalidOperationException($"{string.Join(' ', command)} ended before it was ready");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, for a minute at most.</summary>
    public static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"{what} did not happen within a minute");
            }

            Thread.Sleep(100);
        }
    }

    public void Dispose()
    {
        foreach (Process process in _background)
        {
            // Their standard input closes first (a server here ends on it), then each is stopped by PID if it has not.
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                NativeServer.Terminate(process, TimeSpan.FromSeconds(5));
            }

            process.Dispose();
        }

        _holder.StandardInput.Close();
        if (!_holder.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            NativeServer.Terminate(_holder, TimeSpan.FromSeconds(5));
        }

        _holder.Dispose();
    }

    private ProcessStartInfo Enter(string[] command, bool redirectInput)
    {
        var start = new ProcessStartInfo("nsenter") { RedirectStandardInput = redirectInput, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-t", _holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "-m", "--" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
