using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// A server on loopback with the test program: 0x20000101 versions 1 and 2. Version 1: 1 ADD_ONE(int) int,
/// 2 ECHO(string) string, 3 FAIL(void) void (throws), 4 SLOW(int ms) int (waits, then returns ms),
/// 5 COUNT(void) int (increments a counter: not idempotent), 6 WHOAMI(void) string (the AUTH_SYS machine name and uid),
/// 7 BLOB(opaque) opaque, 8 SYNC_FAIL(void) void (throws before returning), 9 GROW(int n) opaque (n zero bytes),
/// 10 HOLD(opaque) int (waits until <see cref="Release"/>, then returns the opaque's length),
/// 11 PEER(void) string ("caller address|connection id", and the connection's close is noted in <see cref="ClosedConnections"/>).
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const uint Program = 0x20000101;

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _counter;
    private int _held;

    public TestServer(RpcServerOptions? options = null, bool tcp = true, bool udp = true, Func<RpcProgram, RpcProgram>? program = null)
    {
        Server = new RpcServer(options);
        Server.AddProgram(program is null ? Version1() : program(Version1()));
        Server.AddProgram(new RpcProgramBuilder(Program, 2, "TEST").AddProcedure<IntValue, IntValue>(1, "ADD_TWO", (a, _) => ValueTask.FromResult(new IntValue(a.Value + 2))).Build());
        if (tcp)
        {
            Tcp = Server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        }

        if (udp)
        {
            Udp = Server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        }
    }

    public RpcServer Server { get; }

    public IPEndPoint? Tcp { get; }

    public IPEndPoint? Udp { get; }

    public int Counter => Volatile.Read(ref _counter);

    /// <summary>The ids of connections that PEER was called on and that have closed since.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<long, bool> ClosedConnections { get; } = new();

    /// <summary>How many HOLD calls have begun to run.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Lets every HOLD call, running and to come, return.</summary>
    public void Release() => _gate.TrySetResult();

    public RpcClient Client(bool tcp, uint version = 1, RpcClientOptions? options = null, uint program = Program) =>
        tcp ? RpcClient.CreateTcp(Tcp!, program, version, options) : RpcClient.CreateUdp(Udp!, program, version, options);

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private RpcProgram Version1() => new RpcProgramBuilder(Program, 1, "TEST")
        .AddProcedure<IntValue, IntValue>(1, "ADD_ONE", (a, _) => ValueTask.FromResult(new IntValue(a.Value + 1)))
        .AddProcedure<TextValue, TextValue>(2, "ECHO", (a, _) => ValueTask.FromResult(a))
        .AddProcedure<XdrVoid, XdrVoid>(3, "FAIL", async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("the handler failed on purpose");
        })
        .AddProcedure<IntValue, IntValue>(4, "SLOW", async (a, context) =>
        {
            await Task.Delay(a.Value, context.CallAborted);
            return a;
        })
        .AddProcedure<XdrVoid, IntValue>(5, "COUNT", (_, _) => ValueTask.FromResult(new IntValue(Interlocked.Increment(ref _counter))))
        .AddProcedure<XdrVoid, TextValue>(6, "WHOAMI", (_, context) =>
            ValueTask.FromResult(new TextValue(context.AuthSys is { } sys ? $"{sys.MachineName}:{sys.Uid}:{sys.Gid}:{string.Join(',', sys.Gids)}" : "none")))
        .AddProcedure<BlobValue, BlobValue>(7, "BLOB", (a, _) => ValueTask.FromResult(a))
        .AddProcedure<XdrVoid, XdrVoid>(8, "SYNC_FAIL", (_, _) => throw new InvalidOperationException("thrown before returning"))
        .AddProcedure<IntValue, BlobValue>(9, "GROW", (n, _) => ValueTask.FromResult(new BlobValue(new byte[n.Value])))
        .AddProcedure<BlobValue, IntValue>(10, "HOLD", async (blob, _) =>
        {
            Interlocked.Increment(ref _held);
            await _gate.Task;
            return new IntValue(blob.Value.Length);
        })
        .AddProcedure<XdrVoid, TextValue>(11, "PEER", (_, context) =>
        {
            if (context.Connection is { } connection)
            {
                connection.Closed.Register(() => ClosedConnections.TryAdd(connection.Id, true));
            }

            return ValueTask.FromResult(new TextValue($"{context.RemoteEndPoint}|{context.Connection?.Id}"));
        })
        .AddProcedure<XdrVoid, TextValue>(12, "TLS", (_, context) =>
            ValueTask.FromResult(new TextValue(context.Connection?.Tls is { } tls ? $"{tls.Protocol}|{tls.ApplicationProtocol}|{tls.ClientCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)}" : "plain")))
        .AddProcedure<XdrVoid, TextValue>(13, "PRINCIPAL", (_, context) =>
            ValueTask.FromResult(new TextValue(context.Principal is NetRpc.Runtime.Auth.RpcsecGssPrincipal gss ? $"{gss.Name}|{gss.Service}" : "none")))
        .Build();
}
