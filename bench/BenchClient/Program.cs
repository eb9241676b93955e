// bench_client: NetRpc's load generator for bench.x, with the command line and the RESULT line of
// ../shared/bench/native/bench_client (its harness.h), plus --pipeline.
//
//   bench_client [-H host] -p port [-w warmup] [-S srvpid] [--pipeline N] [--async-completions]
//                [--spin-us N] [--think-ms N] [--tls CA.pem] [--gss none|integrity|privacy SERVICE@HOST]
//                tcp|udp ping|echo|sum SIZE NCALLS NCLIENTS
//
//   NCLIENTS     clients, each with its own RpcClient (own TCP connection or UDP socket); the C harness forks
//                a process per client, this one runs them in one process
//   --pipeline N N calls in flight per client on its one connection (default 1: call, wait, call again)
//   --async-completions  run continuations on the thread pool instead of the receive thread (NetRpc's default)
//   --spin-us N  RpcClientOptions.SpinBeforeSleep in microseconds (default: the library's default)
//   --tls CA.pem RPC-with-TLS (TCP): the server's certificate must chain to this CA and name localhost
//   --gss none|integrity|privacy SERVICE@HOST  RPCSEC_GSS (RFC 2203) with Kerberos v5 to the service principal
//                SERVICE@HOST (e.g. nfs@localhost): krb5, krb5i or krb5p, with the tickets of the credential cache
//                KRB5CCNAME names (kinit first); one credential, so one context per client, made before the warm-up
//   -S PID       the server process: its CPU time per call, summed over all its threads
//
// Latency is per call, start to reply. CPU per call: the client's is this process's CPU time over the
// measured loop; the server's (with -S) is /proc/PID/task/*/schedstat over the same interval.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Bench.Protocol;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

string host = "127.0.0.1";
int port = 0;
long warmup = -1;
int serverPid = 0;
int pipeline = 1;
bool asyncCompletions = false;
double? spinMicroseconds = null;
int thinkMilliseconds = 0;
string? tlsCa = null;
(RpcsecGssService Service, string Target)? gss = null;
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
    switch (arg)
    {
        case "-H": host = Next(); break;
        case "-p": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "-w": warmup = long.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "-S": serverPid = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--pipeline": pipeline = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--async-completions": asyncCompletions = true; break;
        case "--spin-us": spinMicroseconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--think-ms": thinkMilliseconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--tls": tlsCa = Next(); break;
        case "--gss":
            RpcsecGssService service = Next() switch
            {
                "none" => RpcsecGssService.None,
                "integrity" => RpcsecGssService.Integrity,
                "privacy" => RpcsecGssService.Privacy,
                string other => throw new ArgumentException($"--gss takes none, integrity or privacy, not {other}"),
            };
            gss = (service, Next());
            break;
        default: positional.Add(arg); break;
    }
}

if (positional.Count != 5 || positional[0] is not ("tcp" or "udp") || positional[1] is not ("ping" or "echo" or "sum") || pipeline < 1)
{
    Console.Error.WriteLine("usage: bench_client [-H host] -p port [-w warmup] [-S srvpid] [--pipeline N] [--async-completions] [--spin-us N] [--tls CA.pem] [--gss none|integrity|privacy SERVICE@HOST] tcp|udp ping|echo|sum SIZE NCALLS NCLIENTS");
    return 2;
}

if (port == 0)
{
    Console.Error.WriteLine("bench_client: rpcbind mode needs NetRpc's rpcbind support, which is not built yet; use -p PORT");
    return 2;
}

string transport = positional[0];
string proc = positional[1];
long size = long.Parse(positional[2], CultureInfo.InvariantCulture);
long ncalls = long.Parse(positional[3], CultureInfo.InvariantCulture);
int nclients = int.Parse(positional[4], CultureInfo.InvariantCulture);
if (ncalls < nclients * pipeline || nclients < 1)
{
    Console.Error.WriteLine("bench_client: NCALLS must be at least NCLIENTS x pipeline");
    return 2;
}

size = proc switch { "ping" => 0, "sum" when size == 0 => 100, _ => size };
if (warmup < 0)
{
    warmup = Math.Min(1000, ncalls / nclients / 20);
}

var endPoint = new IPEndPoint(IPAddress.Parse(host), port);
var options = new RpcClientOptions { InlineCompletions = !asyncCompletions, MaxInFlight = Math.Max(pipeline, 1) };
if (spinMicroseconds is double us)
{
    options = options with { SpinBeforeSleep = TimeSpan.FromMicroseconds(us) };
}

if (tlsCa is not null)
{
    var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
    trust.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(tlsCa)));
    options = options with { Tls = new SslClientAuthenticationOptions { TargetHost = "localhost", CertificateChainPolicy = trust } };
}

if (gss is var (gssService, target))
{
    options = options with { Credential = new RpcsecGssCredential(target, gssService) };
}

var clients = new Load[nclients];
for (int c = 0; c < nclients; c++)
{
    BenchVersClient client = transport == "tcp" ? BenchVersClient.CreateTcp(endPoint, options) : BenchVersClient.CreateUdp(endPoint, options);
    clients[c] = new Load(client, proc, size, c);
}

foreach (Load client in clients)
{
    for (long i = 0; i < warmup; i++)
    {
        string? failure = null;
        try
        {
            if (!await client.CallAsync())
            {
                failure = "bad reply";
            }
        }
        catch (RpcException e)
        {
            failure = e.Message;
        }

        if (failure is not null)
        {
            Console.Error.WriteLine($"bench_client: warm-up call failed: {failure}");
            return 4;
        }
    }
}

// Every call's latency, in the slice of its client and loop.
long[] latency = new long[ncalls];
var loops = new List<Task<(long Start, long End, long Errors, long Done)>>();
var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
long offset = 0;
for (int c = 0; c < nclients; c++)
{
    long perClient = (ncalls / nclients) + (c < ncalls % nclients ? 1 : 0);
    for (int l = 0; l < pipeline; l++)
    {
        long n = (perClient / pipeline) + (l < perClient % pipeline ? 1 : 0);
        loops.Add(RunLoop(clients[c], latency.AsMemory((int)offset, (int)n), go.Task, thinkMilliseconds));
        offset += n;
    }
}

double busy0 = SystemBusyMicroseconds();
double server0 = ProcessCpuNanoseconds(serverPid);
TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
go.SetResult();
var results = await Task.WhenAll(loops);
TimeSpan cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
double server1 = ProcessCpuNanoseconds(serverPid);
double busy1 = SystemBusyMicroseconds();

long errors = results.Sum(r => r.Errors);
long done = results.Sum(r => r.Done);
long t0 = results.Min(r => r.Start);
long t1 = results.Max(r => r.End);
foreach (Load client in clients)
{
    client.Dispose();
}

string label = $"kind=rpc mode=fixed-port transport={transport} proc={proc} size={size}";
if (done == 0 || t1 <= t0)
{
    Console.WriteLine($"RESULT {label} clients={nclients} calls=0 errors={errors} ok=0");
    return 1;
}

long[] measured = [.. latency.Where(l => l > 0).Order()];
double wall = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
double Percentile(double p) => measured.Length == 0 ? 0 : measured[Math.Min(measured.Length - 1, (int)((p * (measured.Length - 1)) + 0.5))] / 1000.0;
double serverPerCall = serverPid > 0 && server0 >= 0 && server1 >= 0 ? (server1 - server0) / 1000.0 / done : -1;
// InvariantGlobalization (see the project) keeps these numbers in the C harness's format.
Console.WriteLine(
    $"RESULT {label} clients={nclients} calls={done} errors={errors} ok={(errors == 0 ? 1 : 0)} wall_s={wall:F3} calls_per_s={done / wall:F0} " +
    $"mean_us={(measured.Length == 0 ? 0 : measured.Average() / 1000.0):F2} p50_us={Percentile(0.50):F2} p90_us={Percentile(0.90):F2} p99_us={Percentile(0.99):F2} " +
    $"p999_us={Percentile(0.999):F2} max_us={(measured.Length == 0 ? 0 : measured[^1] / 1000.0):F2} srv_cpu_us_per_call={serverPerCall:F2} " +
    $"cli_cpu_us_per_call={(cpu1 - cpu0).TotalMicroseconds / done:F2} sys_cpu_us_per_call={(busy0 >= 0 ? (busy1 - busy0) / done : -1):F2} pipeline={pipeline}");
return errors == 0 ? 0 : 1;

// One loop of sequential calls; latencies in nanoseconds. Each procedure has its own loop so that the call is
// awaited directly, as a C client calls its stub directly. With think time (--think-ms) the client waits that long
// after each call, so that the server sees light load: calls further apart than any spin.
static async Task<(long Start, long End, long Errors, long Done)> RunLoop(Load client, Memory<long> latency, Task go, int thinkMilliseconds)
{
    await go.ConfigureAwait(false);
    long errors = 0;
    long start = Stopwatch.GetTimestamp();
    long previous = start;
    int i = 0;
    for (; i < latency.Length; i++)
    {
        bool ok;
        try
        {
            switch (client.Proc)
            {
                case "ping":
                    await client.Client.PingAsync().ConfigureAwait(false);
                    ok = true;
                    break;
                case "echo":
                    ok = await client.EchoAsync().ConfigureAwait(false);
                    break;
                default:
                    ok = await client.SumAsync().ConfigureAwait(false);
                    break;
            }
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"bench_client: {e.Message}");
            ok = false;
        }

        long now = Stopwatch.GetTimestamp();
        latency.Span[i] = (long)Stopwatch.GetElapsedTime(previous, now).TotalNanoseconds;
        previous = now;
        if (thinkMilliseconds > 0)
        {
            Thread.Sleep(thinkMilliseconds);
            previous = Stopwatch.GetTimestamp();
        }

        if (!ok && ++errors > 10)
        {
            break;
        }
    }

    return (start, previous, errors, i);
}

// Busy CPU time of the whole machine, from /proc/stat, in microseconds; -1 where there is none.
static double SystemBusyMicroseconds()
{
    try
    {
        string[] fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long[] ticks = [.. fields.Skip(1).Take(7).Select(f => long.Parse(f, CultureInfo.InvariantCulture))];
        long busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6];
        return busy * 1e6 / 100.0; // USER_HZ is 100 on Linux
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
    {
        return -1;
    }
}

// On-CPU time of every thread of a process, from /proc/PID/task/*/schedstat, in nanoseconds; -1 without one.
static double ProcessCpuNanoseconds(int pid)
{
    if (pid <= 0)
    {
        return -1;
    }

    try
    {
        double total = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                total += double.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended between the listing and the read; its time is lost either way.
            }
        }

        return total;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return -1;
    }
}

/// <summary>One client's connection (the client rpcgen generates from bench.x) and the call it repeats.</summary>
internal sealed class Load : IDisposable
{
    private const string Name = "native-sunrpc-benchmark-string!!";

    private readonly BenchVersClient _client;
    private readonly string _proc;
    private readonly byte[] _blob;
    private readonly BigStruct _value = new();
    private readonly long _expectedSum;

    public Load(BenchVersClient client, string proc, long size, int index)
    {
        _client = client;
        _proc = proc;
        _blob = new byte[proc == "echo" ? size : 0];
        for (int i = 0; i < _blob.Length; i++)
        {
            _blob[i] = (byte)((i * 7) + index);
        }

        if (proc == "sum")
        {
            BigStruct sample = BigStruct.Sample((int)size);
            _value = new BigStruct { I1 = 1, I2 = -2, I3 = 3, I4 = index, H1 = sample.H1, H2 = sample.H2, H3 = sample.H3, Name = Name, Values = sample.Values };
            _expectedSum = _value.SumOfFields();
        }
    }

    public string Proc => _proc;

    public BenchVersClient Client => _client;

    public async ValueTask<bool> CallAsync()
    {
        switch (_proc)
        {
            case "ping":
                await _client.PingAsync().ConfigureAwait(false);
                return true;
            case "echo":
                return await EchoAsync().ConfigureAwait(false);
            default:
                return await SumAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<bool> EchoAsync()
    {
        // bench.x is generated with opaque_blob pooled: the reply's data borrows the receive buffer until disposed.
        using PooledOpaque echoed = await _client.EchoAsync(PooledOpaque.Wrap(_blob)).ConfigureAwait(false);
        ReadOnlySpan<byte> bytes = echoed.Span;
        return bytes.Length == _blob.Length && (bytes.Length == 0 || (bytes[0] == _blob[0] && bytes[^1] == _blob[^1]));
    }

    public async ValueTask<bool> SumAsync()
    {
        BigStruct summed = await _client.SumAsync(_value).ConfigureAwait(false);
        return summed.Sum == _expectedSum && summed.Values.Length == _value.Values.Length;
    }

    public void Dispose() => _client.Dispose();
}
