// attack-target: the server bench/attacks.py attacks, to measure an attack's cost before and after a change with the
// same command (copy bench/Attacks and bench/attacks.py into the other checkout and run the script there).
//
//   attack-target [--max-connections N] [--tcp-drc] [--journal PATH] [--counter-base N]
//
// Serves program 0x20000101 version 1 on 127.0.0.1 (TCP and UDP, free ports) and prints "READY tcp=PORT udp=PORT";
// stops on SIGTERM. Procedures: 5 COUNT(void) int (not idempotent), 6 WHOAMI(void) string (machine:uid),
// 9 GROW(int n) opaque (n zero bytes), 10 HOLD(opaque) int (waits for RELEASE), 11 RELEASE(void) void,
// 12 HELD(void) int (how many HOLD calls began). Only the library's defaults and these options are used.
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

var options = new RpcServerOptions();
int counter = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--max-connections" when i + 1 < args.Length:
            options = options with { MaxConnections = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--tcp-drc":
            options = options with { TcpDuplicateRequestCache = new DuplicateRequestCacheOptions() };
            break;
        case "--journal" when i + 1 < args.Length:
            options = options with { UdpDuplicateRequestCache = new DuplicateRequestCacheOptions { JournalPath = args[++i] } };
            break;
        case "--counter-base" when i + 1 < args.Length:
            counter = int.Parse(args[++i], CultureInfo.InvariantCulture); // a restarted server's COUNT results tell its runs apart
            break;
        default:
            Console.Error.WriteLine("usage: attack-target [--max-connections N] [--tcp-drc] [--journal PATH] [--counter-base N]");
            return 2;
    }
}

int held = 0;
var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
RpcServer server;
try
{
    server = new RpcServer(options);
}
catch (IOException e)
{
    Console.WriteLine($"REFUSED {e.GetType().Name}: {e.Message}");
    return 3;
}

await using (server)
{
    server.AddProgram(new RpcProgramBuilder(0x20000101, 1, "TARGET")
        .AddProcedure<XdrVoid, Int>(5, "COUNT", (_, _) => ValueTask.FromResult(new Int(Interlocked.Increment(ref counter))))
        .AddProcedure<XdrVoid, Text>(6, "WHOAMI", (_, call) => ValueTask.FromResult(new Text(call.AuthSys is { } sys ? $"{sys.MachineName}:{sys.Uid}" : "none")))
        .AddProcedure<Int, Blob>(9, "GROW", (n, _) => ValueTask.FromResult(new Blob(new byte[n.Value])))
        .AddProcedure<Blob, Int>(10, "HOLD", async (blob, _) =>
        {
            Interlocked.Increment(ref held);
            await gate.Task;
            return new Int(blob.Value.Length);
        })
        .AddProcedure<XdrVoid, XdrVoid>(11, "RELEASE", (_, _) =>
        {
            gate.TrySetResult();
            return ValueTask.FromResult(default(XdrVoid));
        })
        .AddProcedure<XdrVoid, Int>(12, "HELD", (_, _) => ValueTask.FromResult(new Int(Volatile.Read(ref held))))
        .Build());
    IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
    IPEndPoint udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
    var stop = new TaskCompletionSource();
    using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    Console.WriteLine($"READY tcp={tcp.Port} udp={udp.Port}");
    Console.Out.Flush();
    await stop.Task;
}

return 0;

internal readonly record struct Int(int Value) : IXdrCodec<Int>
{
    public static Int Decode(ref XdrReader reader) => new(reader.ReadInt32());

    public void Encode(ref XdrWriter writer) => writer.WriteInt32(Value);
}

internal sealed record Text(string Value) : IXdrCodec<Text>
{
    public static Text Decode(ref XdrReader reader) => new(reader.ReadString());

    public void Encode(ref XdrWriter writer) => writer.WriteString(Value);
}

internal sealed record Blob(byte[] Value) : IXdrCodec<Blob>
{
    public static Blob Decode(ref XdrReader reader) => new(reader.ReadOpaque());

    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Value);
}
