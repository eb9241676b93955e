using System.Diagnostics;
using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// NetRpc's spans and metrics as OpenTelemetry's SDK exports them (in-memory exporters), under the RPC semantic
/// conventions' ONC RPC names (part of ObservabilityTests' subject, apart so --filter Observability finds both).
/// </summary>
public class OpenTelemetryObservabilityTests
{
    // A program of this test's own, which no other test serves or calls: other tests' spans and measurements,
    // exported by the same process-wide listeners while they run in parallel, are told apart by it.
    private const uint Program = 0x200107E1;
    private const string ProgramName = "OTEL_TEST";

    [Fact]
    public async Task Spans_and_metrics_carry_the_onc_rpc_semantic_conventions()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(RpcInstrumentation.ActivitySourceName)
            .AddInMemoryExporter(spans)
            .Build();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(RpcInstrumentation.ServerMeterName, RpcInstrumentation.ClientMeterName)
            .AddInMemoryExporter(metrics)
            .Build();

        await using var server = new RpcServer();
        server.AddProgram(new RpcProgramBuilder(Program, 3, ProgramName)
            .AddProcedure<IntValue, IntValue>(7, "SQUARE", (a, _) => ValueTask.FromResult(new IntValue(a.Value * a.Value)))
            .Build());
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));

        // Told the names, over TCP; not told them, over UDP.
        var named = new RpcClientOptions { ProgramName = ProgramName, ProcedureNames = new Dictionary<uint, string> { [7] = "SQUARE" } };
        await using (RpcClient client = RpcClient.CreateTcp(tcp, Program, 3, named))
        {
            Assert.Equal(9, (await client.CallAsync<IntValue, IntValue>(7, new IntValue(3))).Value);
        }

        await using (RpcClient client = RpcClient.CreateUdp(udp, Program, 3))
        {
            Assert.Equal(16, (await client.CallAsync<IntValue, IntValue>(7, new IntValue(4))).Value);
        }

        // A synchronous handler's server span ends, and its measurement is taken, before the reply is sent; a client's
        // before its call completes: all are in by now.
        tracing.ForceFlush();
        meters.ForceFlush();

        string programNumber = Program.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Activity[] ours = [.. spans.Where(s => s.GetTagItem("rpc.service") is ProgramName || Equals(s.GetTagItem("rpc.service"), programNumber))];

        Activity[] serverSpans = [.. ours.Where(s => s.Kind == ActivityKind.Server).OrderBy(s => s.GetTagItem("network.transport"))];
        Assert.Equal(2, serverSpans.Length);
        Assert.Equal(["tcp", "udp"], serverSpans.Select(s => s.GetTagItem("network.transport")));
        foreach (Activity span in serverSpans)
        {
            Assert.Equal("OTEL_TEST/SQUARE", span.DisplayName);
            Assert.Equal("onc_rpc", span.GetTagItem("rpc.system"));
            Assert.Equal(ProgramName, span.GetTagItem("rpc.service"));
            Assert.Equal("SQUARE", span.GetTagItem("rpc.method"));
            Assert.Equal(ProgramName, span.GetTagItem("onc_rpc.program.name"));
            Assert.Equal(3, span.GetTagItem("onc_rpc.version"));
            Assert.Equal("SQUARE", span.GetTagItem("onc_rpc.procedure.name"));
            Assert.Equal(7, span.GetTagItem("onc_rpc.procedure.number"));
            Assert.Equal("127.0.0.1", span.GetTagItem("client.address"));
            Assert.Equal("127.0.0.1", span.GetTagItem("network.peer.address"));
            Assert.IsType<int>(span.GetTagItem("client.port"));
            Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        }

        Activity namedClient = Assert.Single(ours, s => s.Kind == ActivityKind.Client && s.GetTagItem("network.transport") is "tcp");
        Assert.Equal("OTEL_TEST/SQUARE", namedClient.DisplayName);
        Assert.Equal("onc_rpc", namedClient.GetTagItem("rpc.system"));
        Assert.Equal(ProgramName, namedClient.GetTagItem("rpc.service"));
        Assert.Equal("SQUARE", namedClient.GetTagItem("rpc.method"));
        Assert.Equal(ProgramName, namedClient.GetTagItem("onc_rpc.program.name"));
        Assert.Equal(3, namedClient.GetTagItem("onc_rpc.version"));
        Assert.Equal("SQUARE", namedClient.GetTagItem("onc_rpc.procedure.name"));
        Assert.Equal(7, namedClient.GetTagItem("onc_rpc.procedure.number"));
        Assert.Equal("127.0.0.1", namedClient.GetTagItem("server.address"));
        Assert.Equal(tcp.Port, namedClient.GetTagItem("server.port"));
        Assert.Equal("127.0.0.1", namedClient.GetTagItem("network.peer.address"));
        Assert.Equal("SUCCESS", namedClient.GetTagItem("rpc.onc_rpc.status"));

        // Not told the names: the numbers stand in for rpc.service and rpc.method; the name attributes are left out.
        Activity anonymousClient = Assert.Single(ours, s => s.Kind == ActivityKind.Client && s.GetTagItem("network.transport") is "udp");
        Assert.Equal($"{programNumber}/7", anonymousClient.DisplayName);
        Assert.Equal(programNumber, anonymousClient.GetTagItem("rpc.service"));
        Assert.Equal("7", anonymousClient.GetTagItem("rpc.method"));
        Assert.Null(anonymousClient.GetTagItem("onc_rpc.program.name"));
        Assert.Null(anonymousClient.GetTagItem("onc_rpc.procedure.name"));
        Assert.Equal(3, anonymousClient.GetTagItem("onc_rpc.version"));
        Assert.Equal(7, anonymousClient.GetTagItem("onc_rpc.procedure.number"));
        Assert.Equal(udp.Port, anonymousClient.GetTagItem("server.port"));

        // The duration histograms, in seconds, tagged as the spans are.
        MetricSnapshot serverDuration = Assert.Single(metrics, m => m.Name == "rpc.server.call.duration");
        Assert.Equal("s", serverDuration.Unit);
        Assert.Equal(MetricType.Histogram, serverDuration.MetricType);
        Dictionary<string, object?>[] serverPoints = [.. Points(serverDuration).Where(p => p.Tags.GetValueOrDefault("onc_rpc.program.name") is ProgramName).Select(p => p.Tags)];
        Dictionary<string, object?> serverPoint = Assert.Single(serverPoints);
        Assert.Equal(2, Points(serverDuration).Single(p => p.Tags.GetValueOrDefault("onc_rpc.program.name") is ProgramName).Count);
        Assert.Equal("onc_rpc", serverPoint["rpc.system"]);
        Assert.Equal(ProgramName, serverPoint["rpc.service"]);
        Assert.Equal("SQUARE", serverPoint["rpc.method"]);
        Assert.Equal(3, serverPoint["onc_rpc.version"]);
        Assert.Equal("SQUARE", serverPoint["onc_rpc.procedure.name"]);
        Assert.Equal("SUCCESS", serverPoint["rpc.onc_rpc.status"]);

        MetricSnapshot clientDuration = Assert.Single(metrics, m => m.Name == "rpc.client.call.duration");
        Assert.Equal("s", clientDuration.Unit);
        Assert.Equal(MetricType.Histogram, clientDuration.MetricType);
        var clientPoints = Points(clientDuration).Where(p => p.Tags.GetValueOrDefault("onc_rpc.procedure.number") is 7
            && (p.Tags.GetValueOrDefault("rpc.service") is ProgramName || Equals(p.Tags.GetValueOrDefault("rpc.service"), programNumber))).ToArray();
        Assert.Equal(2, clientPoints.Length);
        var namedPoint = Assert.Single(clientPoints, p => p.Tags["rpc.service"] is ProgramName);
        Assert.Equal(1, namedPoint.Count);
        Assert.Equal("SQUARE", namedPoint.Tags["rpc.method"]);
        Assert.Equal(ProgramName, namedPoint.Tags["onc_rpc.program.name"]);
        Assert.Equal("SQUARE", namedPoint.Tags["onc_rpc.procedure.name"]);
        Assert.Equal(3, namedPoint.Tags["onc_rpc.version"]);
        Assert.Equal("SUCCESS", namedPoint.Tags["rpc.onc_rpc.status"]);
        var anonymousPoint = Assert.Single(clientPoints, p => Equals(p.Tags["rpc.service"], programNumber));
        Assert.Equal("7", anonymousPoint.Tags["rpc.method"]);
        Assert.False(anonymousPoint.Tags.ContainsKey("onc_rpc.program.name"));

        // NetRpc's own metrics, which the conventions do not cover, keep their names.
        Assert.Contains(metrics, m => m.Name == "rpc.server.calls");
        Assert.Contains(metrics, m => m.Name == "rpc.client.calls");
        Assert.DoesNotContain(metrics, m => m.Name is "rpc.server.duration" or "rpc.client.duration");
    }

    private static IEnumerable<(Dictionary<string, object?> Tags, long Count)> Points(MetricSnapshot metric)
    {
        foreach (MetricPoint point in metric.MetricPoints)
        {
            var tags = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            yield return (tags, point.GetHistogramCount());
        }
    }
}
