// bench_server: NetRpc's server for bench.x, with the command line of ../shared/bench/native/bench_server.
//
//   bench_server -p PORT [--drc] [--drc-tcp] [--redis CONFIG] [--spin-us N] [--tls CERT.pem KEY.pem] [--gss]
//                serve TCP and UDP on 127.0.0.1:PORT (fixed-port mode)
//
//   --drc        turn on the duplicate request cache for UDP (NetRpc's default; off here, see below)
//   --drc-tcp    turn on the duplicate request cache for TCP and UDP, in memory (RpcServerOptions.TcpDuplicateRequestCache)
//   --redis CONFIG  the duplicate request cache of a fleet, shared in Redis (NetRpc.DuplicateRequests.Redis) at CONFIG
//                (StackExchange.Redis syntax; "!/path" for a Unix socket), for TCP and UDP
//   --spin-us N  RpcServerOptions.SpinBeforeSleep in microseconds (default: the library's default)
//   --tls CERT.pem KEY.pem  offer RPC-with-TLS (RFC 9289) with this certificate and key
//   --gss        take RPCSEC_GSS (RFC 2203, Kerberos v5: krb5, krb5i, krb5p) with the keys of the keytab KRB5_KTNAME names
//                (RpcServerOptions.RpcsecGss, default options); AUTH_NONE and AUTH_SYS calls are still taken
//
// PING, ECHO and SUM do what the C server's procedures do, in the service class rpcgen generates from bench.x. The C server has no duplicate request cache;
// neither does this one unless --drc is given, so that the two do the same work per call.
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Bench.Protocol;
using NetRpc.DuplicateRequests.Redis;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

int port = 0;
bool drc = false;
double? spinMicroseconds = null;
(string Certificate, string Key)? tls = null;
bool gss = false;
bool drcTcp = false;
string? redis = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-p" when i + 1 < args.Length && int.TryParse(args[i + 1], out port):
            i++;
            break;
        case "--drc":
            drc = true;
            break;
        case "--drc-tcp":
            drcTcp = true;
            break;
        case "--redis" when i + 1 < args.Length:
            redis = args[++i];
            break;
        case "--spin-us" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out double spin) && spin >= 0:
            spinMicroseconds = spin;
            i++;
            break;
        case "--tls" when i + 2 < args.Length:
            tls = (args[i + 1], args[i + 2]);
            i += 2;
            break;
        case "--gss":
            gss = true;
            break;
        default:
            Console.Error.WriteLine("usage: bench_server -p PORT [--drc] [--drc-tcp] [--redis CONFIG] [--spin-us N] [--tls CERT.pem KEY.pem] [--gss]");
            return 2;
    }
}

if (port == 0)
{
    Console.Error.WriteLine("bench_server: rpcbind mode needs NetRpc's rpcbind support, which is not built yet; use -p PORT");
    return 2;
}

var options = new RpcServerOptions { UdpDuplicateRequestCache = drc ? new DuplicateRequestCacheOptions() : null };
if (spinMicroseconds is double us)
{
    options = options with { SpinBeforeSleep = TimeSpan.FromMicroseconds(us) };
}

if (tls is var (certificate, key))
{
    var authentication = new SslServerAuthenticationOptions { ServerCertificate = X509Certificate2.CreateFromPemFile(certificate, key) };
    options = options with { Tls = new RpcTlsServerOptions { Authentication = authentication } };
}

if (drcTcp)
{
    options = options with { TcpDuplicateRequestCache = new DuplicateRequestCacheOptions(), UdpDuplicateRequestCache = new DuplicateRequestCacheOptions() };
}

await using RedisDuplicateRequestStore? store = redis is null ? null : await RedisDuplicateRequestStore.ConnectAsync(new RedisDuplicateRequestStoreOptions { Configuration = redis, KeyPrefix = $"bench:{Environment.ProcessId}:" });
if (store is not null)
{
    options = options with { DuplicateRequestStore = store };
}

if (gss)
{
    options = options with { RpcsecGss = new RpcsecGssServerOptions() };
}

await using var server = new RpcServer(options);
server.AddProgram(new BenchService().ToProgram());

IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, port));
IPEndPoint udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, port));

var stop = new TaskCompletionSource();
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});

Console.WriteLine($"READY pid={Environment.ProcessId} mode=fixed-port tcp_port={tcp.Port} udp_port={udp.Port}");
Console.Out.Flush();
await stop.Task;
await server.StopAsync();
return 0;

/// <summary>bench.x's procedures, as the C server's bench_server.c implements them.</summary>
internal sealed class BenchService : BenchVersServiceBase
{
    public override ValueTask PingAsync(RpcCallContext context) => default;

    // opaque_blob is pooled (rpcgen --pooled-opaque=opaque_blob): the argument borrows the receive buffer, and the
    // runtime gives it back once the reply holding it is written.
    public override ValueTask<PooledOpaque> EchoAsync(PooledOpaque opaqueBlob, RpcCallContext context) => ValueTask.FromResult(opaqueBlob);

    public override ValueTask<BigStruct> SumAsync(BigStruct bigStruct, RpcCallContext context)
    {
        bigStruct.Sum = bigStruct.SumOfFields();
        return ValueTask.FromResult(bigStruct);
    }
}
