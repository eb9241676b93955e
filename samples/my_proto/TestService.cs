using NetRpc.Runtime.Server;

namespace MyProto;

/// <summary>The server side of my_proto.x: rpcgen's my_proto_server.c, whose test_1_svc returns 100.</summary>
internal sealed class TestService : TestVersServiceBase
{
    /// <summary>What TEST answers.</summary>
    public const int Answer = 100;

    /// <inheritdoc/>
    public override ValueTask<int> TestAsync(RpcCallContext context) => ValueTask.FromResult(Answer);
}
