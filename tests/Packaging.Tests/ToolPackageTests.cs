using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// NetRpc.RpcGen.Tool from the feed: installed the three ways a .NET tool is, it answers to <c>dotnet rpcgen</c>; and
/// netrpc-rpcbind and netrpc-rpcinfo installed from it, the one asked by the other.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class ToolPackageTests(PackageFeed feed)
{
    [Fact]
    public void A_local_tool_generates_the_classic_example_and_its_sample_project_builds_from_the_feed()
    {
        string work = NewFolder("local tool");
        feed.Dotnet(work, "new", "tool-manifest").Succeeded();
        feed.Dotnet(work, "tool", "install", "NetRpc.RpcGen.Tool", "--version", feed.Version).Succeeded();

        Assert.Equal($"rpcgen (NetRpc) {feed.Version}", feed.Dotnet(work, "rpcgen", "--version").Succeeded().Output.Trim());
        Assert.Contains("usage: rpcgen", feed.Dotnet(work, "rpcgen", "--help").Succeeded().Output, StringComparison.Ordinal);
        Assert.Equal(2, feed.Dotnet(work, "rpcgen").ExitCode);

        File.Copy(Path.Combine(PackageFeed.Repository, "samples", "my_proto", "my_proto.x"), Path.Combine(work, "my_proto.x"));
        feed.Dotnet(work, "rpcgen", "-a", "my_proto.x").Succeeded();
        Assert.Equal(
            ["my_proto.csproj", "my_proto_client.cs", "my_proto_clnt.cs", "my_proto_server.cs", "my_proto_svc.cs", "my_proto_xdr.cs"],
            Directory.GetFiles(work, "my_proto*").Select(Path.GetFileName).Where(f => f != "my_proto.x").Order(StringComparer.Ordinal));
        Assert.Equal(1, feed.Dotnet(work, "rpcgen", "-a", "my_proto.x").ExitCode); // samples are never overwritten

        // The sample project references the NetRpc.Runtime of the same version, which the feed has.
        Assert.Contains($"<PackageReference Include=\"NetRpc.Runtime\" Version=\"{feed.Version}\" />", File.ReadAllText(Path.Combine(work, "my_proto.csproj")), StringComparison.Ordinal);
        feed.Dotnet(work, "build", "my_proto.csproj").Succeeded();
        Assert.True(File.Exists(Path.Combine(work, "bin", "Debug", "net10.0", "my_proto.dll")));
    }

    [Theory]
    [InlineData("--global")]
    [InlineData("--tool-path")]
    public void A_global_or_tool_path_install_answers_to_dotnet_rpcgen_on_the_path(string how)
    {
        string work = NewFolder($"install {how}");
        string tools = how == "--global" ? Path.Combine(feed.Home, ".dotnet", "tools") : Path.Combine(work, "tools");
        string[] where = how == "--global" ? ["--global"] : ["--tool-path", tools];
        feed.Dotnet(work, ["tool", "install", "NetRpc.RpcGen.Tool", "--version", feed.Version, .. where]).Succeeded();
        Assert.True(File.Exists(Path.Combine(tools, "dotnet-rpcgen")), $"no dotnet-rpcgen in {tools}");

        var environment = new Dictionary<string, string?>(feed.Environment)
        {
            ["PATH"] = $"{tools}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
        };
        CommandResult version = Command.Run(PackageFeed.DotnetHost, ["rpcgen", "--version"], work, environment, TimeSpan.FromMinutes(1)).Succeeded();
        Assert.Equal($"rpcgen (NetRpc) {feed.Version}", version.Output.Trim());

        if (how == "--global")
        {
            feed.Dotnet(work, "tool", "uninstall", "--global", "NetRpc.RpcGen.Tool").Succeeded();
        }
    }

    [Fact]
    public void Netrpc_rpcbind_installs_as_a_tool_and_answers_on_the_path()
    {
        string work = NewFolder("netrpc-rpcbind");
        string tools = Path.Combine(work, "tools");
        feed.Dotnet(work, "tool", "install", "NetRpc.Rpcbind.Tool", "--version", feed.Version, "--tool-path", tools).Succeeded();
        string command = Path.Combine(tools, "netrpc-rpcbind");
        Assert.True(File.Exists(command), $"no netrpc-rpcbind in {tools}");

        IReadOnlyDictionary<string, string?> environment = AppHostEnvironment();

        CommandResult help = Command.Run(command, ["--help"], work, environment, TimeSpan.FromMinutes(1)).Succeeded();
        Assert.Equal("usage: netrpc-rpcbind [-p PORT] [-h ADDRESS] [-i] [-r]", help.Output.Trim());
        CommandResult wrong = Command.Run(command, ["--no-such-option"], work, environment, TimeSpan.FromMinutes(1));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("netrpc-rpcbind: bad argument '--no-such-option'", wrong.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Netrpc_rpcinfo_installs_as_a_tool_and_pings_netrpc_rpcbind_installed_beside_it()
    {
        string work = NewFolder("netrpc-rpcinfo");
        string tools = Path.Combine(work, "tools");
        feed.Dotnet(work, "tool", "install", "NetRpc.RpcInfo.Tool", "--version", feed.Version, "--tool-path", tools).Succeeded();
        feed.Dotnet(work, "tool", "install", "NetRpc.Rpcbind.Tool", "--version", feed.Version, "--tool-path", tools).Succeeded();
        string rpcinfo = Path.Combine(tools, "netrpc-rpcinfo");
        Assert.True(File.Exists(rpcinfo), $"no netrpc-rpcinfo in {tools}");

        IReadOnlyDictionary<string, string?> environment = AppHostEnvironment();

        // rpcinfo's syntax: a wrong option is getopt's complaint and the usage, exit 1.
        CommandResult wrong = Command.Run(rpcinfo, ["-x"], work, environment, TimeSpan.FromMinutes(1));
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith("rpcinfo: invalid option -- 'x'\nUsage: rpcinfo [-m | -s] [host]\n", wrong.Output, StringComparison.Ordinal);

        // netrpc-rpcbind on a port of loopback (not 111: the host's may be taken), pinged at its universal address.
        int port = Isolated.FreePort();
        System.Diagnostics.ProcessStartInfo start = Command.StartInfo(
            Path.Combine(tools, "netrpc-rpcbind"), ["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1"], work, environment);
        using var rpcbind = System.Diagnostics.Process.Start(start)!;
        try
        {
            Assert.Equal($"READY tcp={port} udp={port}", rpcbind.StandardOutput.ReadLine());
            string address = $"127.0.0.1.{port >> 8}.{port & 0xFF}";
            foreach (string netId in new[] { "tcp", "udp" })
            {
                CommandResult ping = Command.Run(rpcinfo, ["-a", address, "-T", netId, "100000"], work, environment, TimeSpan.FromMinutes(1)).Succeeded();
                Assert.Equal("program 100000 version 2 ready and waiting\nprogram 100000 version 3 ready and waiting\nprogram 100000 version 4 ready and waiting", ping.Output.Trim());
            }

            CommandResult mismatch = Command.Run(rpcinfo, ["-a", address, "-T", "udp", "portmapper", "7"], work, environment, TimeSpan.FromMinutes(1));
            Assert.Equal(1, mismatch.ExitCode);
            Assert.Contains("rpcinfo: RPC: Program/version mismatch; low version = 2, high version = 4", mismatch.Output, StringComparison.Ordinal);
            Assert.Contains("program 100000 version 7 is not available", mismatch.Output, StringComparison.Ordinal);
        }
        finally
        {
            rpcbind.Kill(); // by its PID
            rpcbind.WaitForExit();
        }
    }

    /// <summary>The feed's environment, for a tool's app host: it finds the runtime of the dotnet that runs these tests.</summary>
    private Dictionary<string, string?> AppHostEnvironment()
    {
        var environment = new Dictionary<string, string?>(feed.Environment);
        if (Path.IsPathRooted(PackageFeed.DotnetHost))
        {
            environment["DOTNET_ROOT"] = Path.GetDirectoryName(PackageFeed.DotnetHost);
        }

        return environment;
    }

    private string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(feed.Root, name)).FullName;
}
