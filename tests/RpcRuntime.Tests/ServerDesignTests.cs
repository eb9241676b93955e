using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The testing switch NETRPC_SERVER_DESIGN=threads (docs/runtime.md, Server): CI runs this project a second time with
/// it, and these tests show that the run really is on the thread-per-connection design, while a test that names its
/// design keeps it.
/// </summary>
public sealed class ServerDesignTests
{
    private static bool ThreadsAsked =>
        string.Equals(Environment.GetEnvironmentVariable("NETRPC_SERVER_DESIGN"), "threads", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task A_server_with_default_options_takes_the_design_the_environment_asks_for()
    {
        Assert.Equal(ThreadsAsked, RpcServerOptions.ThreadsByDefault);
        Assert.Equal(ThreadsAsked, new RpcServerOptions().ThreadPerConnection);

        await using var server = new TestServer(udp: false);
        bool epollExpected = OperatingSystem.IsLinux() && !ThreadsAsked;
        Assert.Equal(epollExpected ? 1 : 0, server.Server.TcpListenersOnEventLoops);
        await using var client = server.Client(tcp: true);
        Assert.Equal(42, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(41))).Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_design_named_explicitly_is_kept_whatever_the_environment_says(bool threads)
    {
        await using var server = new TestServer(new RpcServerOptions() with { ThreadPerConnection = threads }, udp: false);
        Assert.Equal(OperatingSystem.IsLinux() && !threads ? 1 : 0, server.Server.TcpListenersOnEventLoops);
    }
}
