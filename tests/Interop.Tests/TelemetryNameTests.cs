using System.Collections.Concurrent;
using System.Diagnostics;
using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Client;

namespace NetRpc.Interop.Tests;

/// <summary>
/// A generated client names its program and procedures for telemetry as the .x file does (OpenTelemetry's
/// rpc.service, rpc.method, onc_rpc.program.name, onc_rpc.procedure.name), where a client made from numbers alone
/// reports numbers; names the caller's options give are kept.
/// </summary>
public sealed class TelemetryNameTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryNameTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "NetRpc",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(null, "TEST_PROG")]
    [InlineData("my-service", "my-service")]
    public async Task A_generated_clients_spans_carry_the_names_of_the_x_file(string? given, string expected)
    {
        await using var server = new GeneratedServer(new MyProtoService().ToProgram());
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(20), ProgramName = given };
        await using (MyProto.TestVersClient client = MyProto.TestVersClient.CreateTcp(server.Tcp, options))
        {
            Assert.Equal(100, await client.TestAsync());
        }

        // The client's span ends before its call completes; other tests' spans may be here too, so pick ours by port.
        Activity span = Assert.Single(_stopped, a => a.Kind == ActivityKind.Client && Equals(a.GetTagItem("server.port"), server.Tcp.Port));
        Assert.Equal(expected, span.GetTagItem("rpc.service"));
        Assert.Equal("TEST", span.GetTagItem("rpc.method"));
        Assert.Equal("TEST", span.GetTagItem("onc_rpc.procedure.name"));
        Assert.Equal(expected, span.GetTagItem("onc_rpc.program.name"));
        Assert.Equal($"{expected}/TEST", span.DisplayName);
    }
}
