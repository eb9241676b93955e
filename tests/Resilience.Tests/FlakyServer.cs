using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Resilience.Tests;

/// <summary>An XDR int as a codec type.</summary>
internal readonly record struct IntValue(int Value) : IXdrCodec<IntValue>
{
    public static IntValue Decode(ref XdrReader reader) => new(reader.ReadInt32());

    public void Encode(ref XdrWriter writer) => writer.WriteInt32(Value);
}

/// <summary>
/// A server on loopback whose procedures answer SYSTEM_ERR to their first <see cref="FailFirst"/> calls (NULL included):
/// 1 READ(int) int (idempotent: returns its argument), 2 APPEND(int) int (not: returns how many calls it has run),
/// 3 HANG(int) int (its first call waits until <see cref="Release"/> or the caller goes; later calls answer at once).
/// </summary>
internal sealed class FlakyServer : IAsyncDisposable
{
    public const uint Program = 0x20000404;
    public const uint Read = 1;
    public const uint Append = 2;
    public const uint Hang = 3;

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _appended;

    public FlakyServer(int failFirst, IPEndPoint? endPoint = null)
    {
        FailFirst = failFirst;
        Server = new RpcServer(new RpcServerOptions { Interceptors = [new FailsFirst(this)] });
        Server.AddProgram(new RpcProgramBuilder(Program, 1, "FLAKY")
            .AddProcedure<IntValue, IntValue>(Read, "READ", (value, _) => ValueTask.FromResult(value))
            .AddProcedure<IntValue, IntValue>(Append, "APPEND", (_, _) => ValueTask.FromResult(new IntValue(Interlocked.Increment(ref _appended))))
            .AddProcedure<IntValue, IntValue>(Hang, "HANG", async (value, context) =>
            {
                if (Interlocked.Increment(ref _hangs) == 1)
                {
                    await _gate.Task.WaitAsync(context.CallAborted);
                }

                return value;
            })
            .Build());
        Tcp = Server.ListenTcp(endPoint ?? new IPEndPoint(IPAddress.Loopback, 0));
    }

    private int _hangs;

    public int FailFirst { get; }

    public RpcServer Server { get; }

    public IPEndPoint Tcp { get; }

    /// <summary>Calls that reached a procedure, failed or not.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>HANG calls begun.</summary>
    public int Hangs => Volatile.Read(ref _hangs);

    public RpcClient Client(RpcClientOptions options) => RpcClient.CreateTcp(Tcp, Program, 1, options);

    public void Release() => _gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await Server.DisposeAsync();
    }

    /// <summary>A loopback port nothing listens on now (it was free a moment ago).</summary>
    public static IPEndPoint FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    private sealed class FailsFirst(FlakyServer server) : RpcServerInterceptor
    {
        public override ValueTask<TResult> InterceptAsync<TArgs, TResult>(TArgs arguments, RpcCallContext context, RpcHandler<TArgs, TResult> next) =>
            Interlocked.Increment(ref server._calls) <= server.FailFirst
                ? throw RpcReplyException.WithStatus(AcceptStatus.SystemError)
                : next(arguments, context);
    }
}
