using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// A meter factory whose meters only this test listens to (tests run in parallel; the process-wide meters
/// would mix their measurements), with the measurements it recorded.
/// </summary>
internal sealed class TestMeters : IMeterFactory
{
    private readonly MeterListener _listener = new();

    public TestMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    /// <summary>The sum of an instrument's measurements whose tags include <paramref name="tag"/>=<paramref name="value"/>.</summary>
    public double Sum(string instrument, string? tag = null, object? value = null) =>
        Measurements.Where(m => m.Instrument == instrument && (tag is null || (m.Tags.TryGetValue(tag, out object? v) && Equals(v?.ToString(), value?.ToString())))).Sum(m => m.Value);

    public int Count(string instrument) => Measurements.Count(m => m.Instrument == instrument);

    public Meter Create(MeterOptions options) => new(options.Name, options.Version, options.Tags, scope: this);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue((instrument.Name, value, copy));
    }
}

/// <summary>A logger factory that keeps every entry.</summary>
internal sealed class TestLogs : ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TestLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception), exception));
    }
}

/// <summary>
/// Collects the spans of the NetRpc activity source that belong to one test: its client spans, under its root
/// span, and the server spans of the same XIDs (ONC RPC carries no trace context to parent them by).
/// </summary>
internal sealed class TestSpans : IDisposable
{
    private readonly ActivityListener _listener;

    public TestSpans()
    {
        Root = new Activity("test root").Start();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "NetRpc",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _all.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Activity Root { get; }

    private readonly ConcurrentQueue<Activity> _all = new();

    public Activity[] Client => [.. _all.Where(a => a.Kind == ActivityKind.Client && a.TraceId == Root.TraceId)];

    public Activity[] Server
    {
        get
        {
            HashSet<object?> xids = [.. Client.Select(a => a.GetTagItem("rpc.onc_rpc.xid"))];
            return [.. _all.Where(a => a.Kind == ActivityKind.Server && xids.Contains(a.GetTagItem("rpc.onc_rpc.xid")))];
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        Root.Stop();
    }
}
