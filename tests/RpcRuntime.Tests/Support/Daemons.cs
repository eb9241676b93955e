using System.Diagnostics;
using System.Globalization;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>Native daemons in a test's own network namespace: start one, and wait until rpcbind knows it.</summary>
internal static class Daemons
{
    /// <summary>Starts <paramref name="program"/>, draining its output so that it never blocks on a full pipe.</summary>
    public static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>Waits for <paramref name="condition"/>, polling; a daemon that never comes up fails the test after a minute.</summary>
    public static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("a daemon did not come up within 60 s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Whether 127.0.0.1's rpcbind lists <paramref name="program"/> (over <paramref name="protocol"/>, when given), as <c>rpcinfo -p</c> prints it.</summary>
    public static bool IsRegistered(uint program, string? protocol = null)
    {
        try
        {
            string number = program.ToString(CultureInfo.InvariantCulture);
            return NativeToolchain.Run("rpcinfo", ["-p", "127.0.0.1"], AppContext.BaseDirectory, timeoutSeconds: 10)
                .Split('\n').Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [string first, _, string proto, ..]
                    && first == number && (protocol is null || proto == protocol));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }
}
