using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Net.Sockets;

namespace NetRpc.DuplicateRequests.Redis.Tests.Support;

/// <summary>
/// A server of the Redis protocol started by a test on a Unix socket in a directory of its own, stopped by its PID:
/// Debian's redis-server (no TCP port, nothing on the network; with or without persistence), or Microsoft Garnet (the
/// garnet-server .NET tool, with Lua scripts on and atomic; its TCP port is a free one on loopback). <see cref="Kill"/> and
/// <see cref="StartAgainAsync"/> take the store down and bring it back on the same socket: empty, or with what it had.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly bool _persistent;
    private readonly bool _garnet;
    private Process? _process;

    private RedisServer(string directory, bool persistent, bool garnet)
    {
        _directory = directory;
        _persistent = persistent;
        _garnet = garnet;
        SocketPath = Path.Combine(directory, "redis.sock");
    }

    /// <summary>Why Redis tests cannot run here, or null.</summary>
    public static string? MissingReason { get; } = NativeToolchain.FindOnPath("redis-server") is null ? "redis-server not found (apt-get install redis-server)" : null;

    /// <summary>Where garnet-server is: on the PATH, or where <c>dotnet tool install -g garnet-server</c> puts it.</summary>
    public static string? Garnet { get; } = NativeToolchain.FindOnPath("garnet-server")
        ?? (File.Exists(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "garnet-server"))
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "garnet-server")
            : null);

    /// <summary>Why Garnet tests cannot run here, or null.</summary>
    public static string? GarnetMissingReason { get; } = Garnet is null ? "garnet-server not found (dotnet tool install -g garnet-server)" : null;

    public string SocketPath { get; }

    /// <summary>StackExchange.Redis's configuration for this server: a Unix socket is written with a leading "!".</summary>
    public string Configuration => "!" + SocketPath;

    /// <summary>Starts a server.</summary>
    /// <param name="persistent">Whether it keeps its data across a kill: an append-only file synced at every write, as a store
    /// whose loss must not run calls again is set up; otherwise it comes back empty.</param>
    public static async Task<RedisServer> StartAsync(bool persistent = false)
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("netrpc-redis-").FullName, persistent, garnet: false);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts Microsoft Garnet, without persistence.</summary>
    public static async Task<RedisServer> StartGarnetAsync()
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("netrpc-garnet-").FullName, persistent: false, garnet: true);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) and waits until it answers on its socket.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(_garnet ? Garnet! : "redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        string[] arguments = _garnet
            ? ["--port", "0", "--bind", "127.0.0.1", "--unixsocket", SocketPath, "--unixsocketperm", "700", "--lua", "--lua-transaction-mode"]
            : ["--port", "0", "--unixsocket", SocketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always", "--dir", _directory];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!Answers())
        {
            Assert.False(_process.HasExited, $"{start.FileName} exited as it started");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{start.FileName} did not answer within 60 s");
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: the store is gone, with everything it held.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private bool Answers()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            socket.Send("PING\r\n"u8);
            byte[] answer = new byte[7];
            return socket.Receive(answer) > 0 && answer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A test that needs Debian's redis-server: skipped with the reason in its name where it is missing, failed in CI (NETRPC_REQUIRE_NATIVE=1).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") => Skipping.Unless(this, RedisServer.MissingReason, test, file);
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="RedisFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RedisTheoryAttribute : TheoryAttribute
{
    public RedisTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") => Skipping.Unless(this, RedisServer.MissingReason, test, file);
}

/// <summary>A test that needs Microsoft Garnet: skipped with the reason in its name where it is missing, failed in CI (NETRPC_REQUIRE_NATIVE=1).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GarnetFactAttribute : FactAttribute
{
    public GarnetFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") => Skipping.Unless(this, RedisServer.GarnetMissingReason, test, file);
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="GarnetFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GarnetTheoryAttribute : TheoryAttribute
{
    public GarnetTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") => Skipping.Unless(this, RedisServer.GarnetMissingReason, test, file);
}
