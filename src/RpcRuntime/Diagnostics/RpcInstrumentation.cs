using System.Diagnostics;
using System.Diagnostics.Metrics;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Diagnostics;

/// <summary>
/// The names NetRpc publishes its telemetry under: the <c>NetRpc</c> activity source (a span per call, client
/// and server) and the <c>NetRpc.Server</c> and <c>NetRpc.Client</c> meters. Attributes follow OpenTelemetry's
/// RPC conventions with <c>rpc.system</c> = <c>onc_rpc</c>; their names are in <see cref="RpcSemanticConventions"/>.
/// </summary>
public static class RpcInstrumentation
{
    /// <summary>The activity source name.</summary>
    public const string ActivitySourceName = "NetRpc";

    /// <summary>The server meter's name.</summary>
    public const string ServerMeterName = "NetRpc.Server";

    /// <summary>The client meter's name.</summary>
    public const string ClientMeterName = "NetRpc.Client";

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    internal static string StatusName(AcceptStatus status) => status switch
    {
        AcceptStatus.Success => "SUCCESS",
        AcceptStatus.ProgramUnavailable => "PROG_UNAVAIL",
        AcceptStatus.ProgramMismatch => "PROG_MISMATCH",
        AcceptStatus.ProcedureUnavailable => "PROC_UNAVAIL",
        AcceptStatus.GarbageArguments => "GARBAGE_ARGS",
        _ => "SYSTEM_ERR",
    };
}

/// <summary>The server's instruments.</summary>
internal sealed class RpcServerMetrics
{
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _duplicates;
    private readonly Histogram<double> _storeDuration;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _dropped;

    public RpcServerMetrics(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(RpcInstrumentation.ServerMeterName) ?? new Meter(RpcInstrumentation.ServerMeterName);
        _calls = meter.CreateCounter<long>("rpc.server.calls", "{call}", "Calls answered, by program, version, procedure and status");
        _duration = meter.CreateHistogram<double>(RpcSemanticConventions.ServerCallDuration, "s", "Time from a call's arrival to its reply");
        _duplicates = meter.CreateCounter<long>("rpc.server.duplicate_request_cache", "{call}", "Duplicate request cache lookups, by result: hit, miss, in_progress, interrupted (running when the last server died), evicted; with a shared store also store_failed_closed (refused SYSTEM_ERR) and store_failed_open (run without at-most-once)");
        _storeDuration = meter.CreateHistogram<double>("rpc.server.duplicate_request_store.duration", "s", "Time a shared duplicate request store took to look a call up, by outcome: ok, failed");
        _connections = meter.CreateUpDownCounter<long>("rpc.server.connections", "{connection}", "Open TCP connections");
        _refused = meter.CreateCounter<long>("rpc.server.connections.refused", "{connection}", "TCP connections closed as soon as accepted, by reason: server_full (MaxConnections), address_full (MaxConnectionsPerAddress)");
        _closed = meter.CreateCounter<long>("rpc.server.connections.closed", "{connection}", "TCP connections the server closed, by reason: idle, record_timeout (a record not completed in time), write_timeout (replies not read in time), record_too_large, tls_handshake (the TLS handshake failed or took too long), tls_protocol (bytes before STARTTLS was answered)");
        _dropped = meter.CreateCounter<long>("rpc.server.datagrams.dropped", "{datagram}", "UDP datagrams dropped unread, by reason: server_busy (MaxUdpCallsInFlight), address_busy (MaxUdpCallsInFlightPerAddress)");
    }

    public bool DurationEnabled => _duration.Enabled;

    public void Called(string program, uint version, string procedure, string status, long startTimestamp)
    {
        if (_calls.Enabled)
        {
            _calls.Add(1, Tags(program, version, procedure, status));
        }

        if (_duration.Enabled && startTimestamp != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Tags(program, version, procedure, status));
        }
    }

    public void Duplicate(string result)
    {
        if (_duplicates.Enabled)
        {
            _duplicates.Add(1, new KeyValuePair<string, object?>("rpc.duplicate_request_cache.result", result));
        }
    }

    /// <summary>A lookup in the shared duplicate request store ended.</summary>
    public void StoreAsked(long startTimestamp, bool failed)
    {
        if (_storeDuration.Enabled)
        {
            _storeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("rpc.duplicate_request_store.outcome", failed ? "failed" : "ok"));
        }
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void ConnectionRefused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ConnectionClosedByServer(string reason) => _closed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DatagramDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private static TagList Tags(string program, uint version, string procedure, string status) => new()
    {
        { RpcSemanticConventions.RpcSystem, RpcSemanticConventions.OncRpcSystem },
        { RpcSemanticConventions.RpcService, program },
        { RpcSemanticConventions.RpcMethod, procedure },
        { RpcSemanticConventions.ProgramName, program },
        { RpcSemanticConventions.Version, (int)version },
        { RpcSemanticConventions.ProcedureName, procedure },
        { RpcSemanticConventions.LegacyServiceVersion, version },
        { RpcSemanticConventions.Status, status },
    };
}

/// <summary>The client's instruments.</summary>
internal sealed class RpcClientMetrics
{
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retransmissions;

    public RpcClientMetrics(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(RpcInstrumentation.ClientMeterName) ?? new Meter(RpcInstrumentation.ClientMeterName);
        _calls = meter.CreateCounter<long>("rpc.client.calls", "{call}", "Calls made, by program, version, procedure and outcome");
        _duration = meter.CreateHistogram<double>(RpcSemanticConventions.ClientCallDuration, "s", "Time from a call's start to its outcome");
        _retransmissions = meter.CreateCounter<long>("rpc.client.retransmissions", "{datagram}", "UDP calls sent again for want of a reply");
    }

    public bool Enabled => _calls.Enabled || _duration.Enabled;

    public void Called(RpcClientNames names, uint version, uint procedure, string outcome, long startTimestamp)
    {
        var tags = new TagList
        {
            { RpcSemanticConventions.RpcSystem, RpcSemanticConventions.OncRpcSystem },
            { RpcSemanticConventions.RpcService, names.Service },
            { RpcSemanticConventions.RpcMethod, names.Method(procedure) },
            { RpcSemanticConventions.Version, (int)version },
            { RpcSemanticConventions.ProcedureNumber, (int)procedure },
            { RpcSemanticConventions.LegacyServiceVersion, version },
            { RpcSemanticConventions.Status, outcome },
        };
        if (names.ProgramName is { } programName)
        {
            tags.Add(RpcSemanticConventions.ProgramName, programName);
        }

        if (names.ProcedureName(procedure) is { } procedureName)
        {
            tags.Add(RpcSemanticConventions.ProcedureName, procedureName);
        }

        _calls.Add(1, tags);
        if (startTimestamp != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }

    public void Retransmitted() => _retransmissions.Add(1);
}
