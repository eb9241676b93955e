using System.Diagnostics;

namespace NetRpc.Testing;

/// <summary>Finds gcc, rpcgen and libtirpc, and runs native helper programs.</summary>
internal static class NativeToolchain
{
    public const string TirpcInclude = "/usr/include/tirpc";

    /// <summary>gcc's flags for programs built with rpcgen's C: warnings are errors, but for the unused variables rpcgen's own output declares.</summary>
    public static readonly string[] RpcgenCFlags = ["-O1", "-Wall", "-Werror", "-Wno-unused-variable", "-Wno-unused-but-set-variable", "-I" + TirpcInclude];

    /// <summary>The dotnet host running this process (the test host's), to run a test assembly as a program with.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath!;

    /// <summary>Set by .ci/run: a missing tool is then a failure, not a skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("NETRPC_REQUIRE_NATIVE") == "1";

    /// <summary>Why native tests cannot run here, or null when they can.</summary>
    public static string? MissingReason { get; } = FindMissing();

    /// <summary>Why tests that need a network namespace of their own and native rpcbind cannot run here, or null.</summary>
    public static string? NamespaceMissingReason { get; } = FindNamespaceMissing();

    public static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, program);
            if (dir.Length != 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static void EnsureAvailable()
    {
        if (MissingReason is { } reason)
        {
            throw new InvalidOperationException(reason + " (NETRPC_REQUIRE_NATIVE=1 makes this a failure)");
        }
    }

    /// <summary>Runs a program to completion, feeding it <paramref name="stdin"/>; fails on a non-zero exit.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory, string? stdin = null, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        }

        return stdout.Result;
    }

    /// <summary>Why a test cannot make network namespaces of its own (root, unshare, ip, and ss to cut connections), or null.</summary>
    public static string? NetworkNamespaceMissingReason { get; } = FindNetworkNamespaceMissing();

    private static string? FindNetworkNamespaceMissing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces are Linux's";
        }

        if (Environment.UserName != "root")
        {
            return "unshare -n needs root";
        }

        string[] missing = [.. new[] { "unshare", "nsenter", "ip", "ss" }.Where(tool => FindOnPath(tool) is null && !File.Exists("/usr/sbin/" + tool) && !File.Exists("/sbin/" + tool))];
        return missing.Length > 0 ? $"{string.Join(", ", missing)} not installed (apt-get install -y iproute2 util-linux)" : null;
    }

    private static string? FindNamespaceMissing()
    {
        if (NetworkNamespaceMissingReason is { } reason)
        {
            return reason;
        }

        string[] missing = [.. new[] { "rpcbind", "rpcinfo" }.Where(tool => FindOnPath(tool) is null && !File.Exists("/usr/sbin/" + tool) && !File.Exists("/sbin/" + tool))];
        return missing.Length > 0 ? $"{string.Join(", ", missing)} not installed (apt-get install -y rpcbind iproute2 util-linux)" : MissingReason;
    }

    private static string? FindMissing()
    {
        var missing = new List<string>();
        if (FindOnPath("gcc") is null)
        {
            missing.Add("gcc");
        }

        if (FindOnPath("rpcgen") is null)
        {
            missing.Add("rpcgen (Debian package rpcsvc-proto)");
        }

        if (!File.Exists(Path.Combine(TirpcInclude, "rpc", "rpc.h")))
        {
            missing.Add("libtirpc headers (Debian package libtirpc-dev)");
        }

        return missing.Count == 0
            ? null
            : $"Native toolchain missing: {string.Join(", ", missing)}. Install with: apt-get install -y gcc libtirpc-dev rpcsvc-proto";
    }
}
