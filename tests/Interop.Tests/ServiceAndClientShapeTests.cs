using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NSubstitute;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// What the generated service and client give a .NET developer beyond the wire: a service that overrides only some
/// procedures (the rest answer PROC_UNAVAIL, as the C client rpcgen makes sees), and a client interface that unit tests
/// fake without a network, with a mocking library or by hand.
/// </summary>
[Collection(NativeCollection.Name)]
public class ServiceAndClientShapeTests(NativePrograms native)
{
    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_service_that_overrides_one_procedure_answers_proc_unavail_for_the_rest(bool tcp)
    {
        await using var server = new GeneratedServer(new AddOnlyService().ToProgram());
        string[] lines = native.RichClient(tcp, tcp ? server.Tcp.Port : server.Udp.Port);

        // ADD is served; every other call the C client makes is answered PROC_UNAVAIL (NEXT prints 99 for a failure).
        Assert.Contains("ADD 1999999993", lines);
        Assert.Contains("NEXT 99 99 99 99", lines);
        string[] refused = [.. Enumerable.Range(0, RichSamples.Count).Select(n => $"ECHO{n}"), "REVERSE", "CHECK1", "CHECK2", "CHECK3", "RESET"];
        Assert.Equal(
            refused.Select(label => $"{label} FAILED RPC: Procedure unavailable"),
            lines.Where(line => line.Contains(" FAILED ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_generated_client_is_faked_with_a_mocking_library()
    {
        IRichV1Client client = Substitute.For<IRichV1Client>();
        client.AddAsync(Arg.Any<int>(), Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(call => call.ArgAt<int>(0) + call.ArgAt<int>(1));
        client.CountAsync(Arg.Any<RpcCallOptions>(), Arg.Any<CancellationToken>()).Returns(7UL, 8UL);

        Assert.Equal(5, await Tally.SumAsync(client, 2, 3));
        Assert.Equal(15UL, await Tally.CountTwiceAsync(client, new RpcCallOptions { Timeout = TimeSpan.FromSeconds(1) }));
        await client.Received(1).AddAsync(2, 3, Arg.Any<CancellationToken>());
        await client.Received(2).CountAsync(Arg.Is<RpcCallOptions>(o => o.Timeout == TimeSpan.FromSeconds(1)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_hand_written_fake_implements_only_the_overloads_with_options()
    {
        // The overloads without options come from the interface: they call these with empty options.
        await using var fake = new FakeRichClient();
        IRichV1Client client = fake;
        Assert.Equal(5, await Tally.SumAsync(client, 2, 3));
        Assert.Equal(1UL, await client.CountAsync());
        await client.ResetAsync();
        Assert.Equal([new RpcCallOptions(), new RpcCallOptions(), new RpcCallOptions()], fake.Options);
    }

    /// <summary>Code under test: it takes the interface, as application code would.</summary>
    private static class Tally
    {
        public static Task<int> SumAsync(IRichV1Client client, int a, int b) => client.AddAsync(a, b);

        public static async Task<ulong> CountTwiceAsync(IRichV1Client client, RpcCallOptions options) =>
            await client.CountAsync(options) + await client.CountAsync(options);
    }

    /// <summary>Serves ADD only.</summary>
    private sealed class AddOnlyService : RichV1ServiceBase
    {
        public override ValueTask<int> AddAsync(int arg1, int arg2, RpcCallContext context) => ValueTask.FromResult(arg1 + arg2);
    }

    /// <summary>A fake with no network: the methods with options, the one-way and batch methods, and disposal.</summary>
    private sealed class FakeRichClient : IRichV1Client
    {
        public List<RpcCallOptions> Options { get; } = [];

        public Task<Everything> EchoAsync(Everything everything, RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, everything);

        public Task<int> AddAsync(int arg1, int arg2, RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, arg1 + arg2);

        public Task<Node> ReverseAsync(Node node, RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, node);

        public Task<Color> NextAsync(Color color, RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, color);

        public Task<Result> CheckAsync(Shape arg1, Maybe arg2, ulong arg3, RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, Result.Of(9));

        public Task ResetAsync(RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, 0);

        public Task ResetOneWayAsync(RpcCallOptions? options = null, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task ResetBatchAsync(RpcCallOptions? options = null, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<ulong> CountAsync(RpcCallOptions options, CancellationToken cancellationToken = default) => Record(options, 1UL);

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private Task<T> Record<T>(RpcCallOptions options, T result)
        {
            Options.Add(options);
            return Task.FromResult(result);
        }
    }
}
