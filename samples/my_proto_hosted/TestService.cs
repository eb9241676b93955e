using NetRpc.Runtime.Server;

namespace MyProto;

/// <summary>
/// The server side of my_proto.x: rpcgen's my_proto_server.c, whose test_1_svc returns 100. The host makes one per
/// call, in a dependency injection scope of its own, so it may take scoped services in its constructor.
/// </summary>
/// <param name="calls">Counts the calls served (a singleton, shared by every call's instance).</param>
public sealed class TestService(CallCounter calls) : TestVersServiceBase
{
    /// <summary>What TEST answers.</summary>
    public const int Answer = 100;

    /// <inheritdoc/>
    public override ValueTask<int> TestAsync(RpcCallContext context)
    {
        calls.Increment();
        return ValueTask.FromResult(Answer);
    }
}

/// <summary>How many calls the service has served.</summary>
public sealed class CallCounter
{
    private int _count;

    /// <summary>The calls served so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts one call.</summary>
    public void Increment() => Interlocked.Increment(ref _count);
}
