// soak: a steady load on a NetRpc bench_server for a fixed time, watching the server's memory and handles.
//
//   soak --port PORT --server-pid PID [--seconds 600] [--rate 4000] [--sample-seconds 10] [--warmup-seconds 60]
//
// 8 TCP and 8 UDP clients share the rate, calling PING, ECHO (1 KiB) and SUM in turn; every second one more
// TCP client connects, makes a call and goes away, so connections come and go all the time. Every sample
// prints the server's resident memory (VmRSS), its open file descriptors, its threads, and the calls so far.
// At the end it prints the samples as a Markdown table and a verdict: after the warm-up, resident memory
// may not grow by more than 10 % (plus 8 MiB for the allocator's slack) and the descriptors and threads
// may not grow at all beyond the churn in flight. Exit code 0 when stable, 1 when not, 2 on bad arguments.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetRpc.Bench.Protocol;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: soak --port PORT --server-pid PID [--seconds 600] [--rate 4000] [--sample-seconds 10] [--warmup-seconds 60]");
    return 2;
}

var server = new IPEndPoint(IPAddress.Loopback, options.Port);
var clientOptions = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) };
BenchVersClient[] clients =
[
    .. Enumerable.Range(0, 8).Select(_ => BenchVersClient.CreateTcp(server, clientOptions)),
    .. Enumerable.Range(0, 8).Select(_ => BenchVersClient.CreateUdp(server, clientOptions)),
];
// ECHO's opaque_blob is pooled (bench.x is generated with --pooled-opaque=opaque_blob): the argument wraps an
// array kept for the whole run, and each result goes back to the pool once seen.
PooledOpaque blob = PooledOpaque.Wrap(new byte[1024]);
BigStruct sample = BigStruct.Sample();
long calls = 0, failures = 0, churned = 0;
var samples = new List<Sample>();
var clock = Stopwatch.StartNew();
var end = TimeSpan.FromSeconds(options.Seconds);
TimeSpan nextSample = TimeSpan.Zero, nextChurn = TimeSpan.FromSeconds(1);
const int TicksPerSecond = 100;
int perTick = Math.Max(1, options.Rate / TicksPerSecond);

Console.WriteLine($"soak: {options.Rate} calls/s for {options.Seconds} s against 127.0.0.1:{options.Port} (server pid {options.ServerPid})");
for (long tick = 0; clock.Elapsed < end; tick++)
{
    if (clock.Elapsed >= nextSample)
    {
        Sample now = Sample.Of(options.ServerPid, clock.Elapsed, Interlocked.Read(ref calls), Interlocked.Read(ref failures));
        samples.Add(now);
        Console.WriteLine(now.Line());
        nextSample += TimeSpan.FromSeconds(options.SampleSeconds);
    }

    if (clock.Elapsed >= nextChurn)
    {
        await using (BenchVersClient passing = BenchVersClient.CreateTcp(server, clientOptions))
        {
            await Call(passing, tick);
        }

        churned++;
        nextChurn += TimeSpan.FromSeconds(1);
    }

    var batch = new Task[perTick];
    for (int i = 0; i < perTick; i++)
    {
        batch[i] = Call(clients[(int)((tick * perTick + i) % clients.Length)], tick + i);
    }

    await Task.WhenAll(batch);
    TimeSpan due = TimeSpan.FromSeconds((tick + 1) / (double)TicksPerSecond);
    if (due > clock.Elapsed)
    {
        await Task.Delay(due - clock.Elapsed);
    }
}

samples.Add(Sample.Of(options.ServerPid, clock.Elapsed, calls, failures));
foreach (BenchVersClient client in clients)
{
    await client.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine($"{calls} calls ({calls / clock.Elapsed.TotalSeconds:F0}/s), {failures} failed, {churned} connections opened and closed besides the 16 that stayed");
Console.WriteLine();
Console.WriteLine("| time s | calls | failed | server RSS MiB | server fds | server threads |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (Sample s in samples)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Time.TotalSeconds:F0} | {s.Calls} | {s.Failures} | {s.RssKiB / 1024.0:F1} | {s.Fds} | {s.Threads} |"));
}

Sample[] settled = [.. samples.Where(s => s.Time.TotalSeconds >= options.WarmupSeconds)];
if (settled.Length < 2)
{
    Console.WriteLine("\nverdict: too short to judge (no samples after the warm-up)");
    return 1;
}

Sample first = settled[0];
long rssLimit = (long)(first.RssKiB * 1.10) + (8 * 1024);
bool memory = settled.All(s => s.RssKiB <= rssLimit);
bool fds = settled.All(s => s.Fds <= first.Fds + 2);
bool threads = settled.All(s => s.Threads <= first.Threads + 2);
bool calm = failures == 0;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"verdict: memory {(memory ? "stable" : "GROWING")} ({first.RssKiB / 1024.0:F1} MiB after the warm-up, at most {settled.Max(s => s.RssKiB) / 1024.0:F1} MiB, limit {rssLimit / 1024.0:F1}); " +
    $"fds {(fds ? "stable" : "GROWING")} ({first.Fds} to {settled.Max(s => s.Fds)}); threads {(threads ? "stable" : "GROWING")} ({first.Threads} to {settled.Max(s => s.Threads)}); failed calls {failures}"));
return memory && fds && threads && calm ? 0 : 1;

async Task Call(BenchVersClient client, long n)
{
    try
    {
        switch (n % 3)
        {
            case 0:
                await client.PingAsync();
                break;
            case 1:
                (await client.EchoAsync(blob)).Dispose();
                break;
            default:
                await client.SumAsync(sample);
                break;
        }

        Interlocked.Increment(ref calls);
    }
    catch (RpcException)
    {
        Interlocked.Increment(ref failures);
    }
}

/// <summary>The soak's command line.</summary>
internal sealed record Options(int Port, int ServerPid, int Seconds, int Rate, int SampleSeconds, int WarmupSeconds)
{
    public static Options? Parse(string[] args)
    {
        var values = new Dictionary<string, int> { ["--seconds"] = 600, ["--rate"] = 4000, ["--sample-seconds"] = 10, ["--warmup-seconds"] = 60 };
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
            {
                return null;
            }

            values[args[i]] = value;
        }

        return args.Length % 2 == 0 && values.TryGetValue("--port", out int port) && values.TryGetValue("--server-pid", out int pid) && values.Count == 6
            ? new Options(port, pid, values["--seconds"], values["--rate"], values["--sample-seconds"], values["--warmup-seconds"])
            : null;
    }
}

/// <summary>What /proc says of the server at one moment.</summary>
internal sealed record Sample(TimeSpan Time, long Calls, long Failures, long RssKiB, int Fds, int Threads)
{
    public static Sample Of(int pid, TimeSpan time, long calls, long failures)
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return new Sample(time, calls, failures, rss, Directory.GetFiles($"/proc/{pid}/fd").Length, threads);
    }

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"t={Time.TotalSeconds:F0}s calls={Calls} failed={Failures} server_rss_mib={RssKiB / 1024.0:F1} server_fds={Fds} server_threads={Threads}");
}
