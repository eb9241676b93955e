using System.Globalization;
using NetRpc.Runtime.Server;
using Rich;

namespace NetRpc.Interop.Tests.Support;

/// <summary>my_proto.x's server in C#: TEST returns 100, as Native/my_proto_server.c does.</summary>
internal sealed class MyProtoService : MyProto.TestVersServiceBase
{
    public override ValueTask<int> TestAsync(RpcCallContext context) => ValueTask.FromResult(100);
}

/// <summary>rich.x's server in C#, by the rules of Native/rich_server.c.</summary>
internal sealed class RichService : RichV1ServiceBase
{
    private ulong _counter;

    public override ValueTask<Everything> EchoAsync(Everything everything, RpcCallContext context) => ValueTask.FromResult(everything);

    public override ValueTask<int> AddAsync(int arg1, int arg2, RpcCallContext context) => ValueTask.FromResult(arg1 + arg2);

    public override ValueTask<Node> ReverseAsync(Node node, RpcCallContext context)
    {
        Node? reversed = null;
        for (Node? n = node; n is not null; n = n.Next)
        {
            reversed = new Node { Label = n.Label, Weight = n.Weight, Next = reversed };
        }

        return ValueTask.FromResult(reversed!);
    }

    public override ValueTask<Color> NextAsync(Color color, RpcCallContext context) => ValueTask.FromResult(color switch
    {
        Color.Red => Color.Green,
        Color.Green => Color.Blue,
        Color.Blue => Color.Red,
        _ => Color.None,
    });

    public override ValueTask<Result> CheckAsync(Shape arg1, Maybe arg2, ulong arg3, RpcCallContext context)
    {
        if (arg3 == 0)
        {
            return ValueTask.FromResult(Result.Of(9));
        }

        if (arg1.Kind == Color.Red)
        {
            return ValueTask.FromResult(Result.FromOk(new Primitives { D = arg1.Radius, Uh = arg3, C = Color.Red }));
        }

        string message = string.Create(CultureInfo.InvariantCulture,
            $"{(int)arg1.Kind}/{(arg1.Kind == Color.Green ? arg1.Sides.Length : 0)}/{(arg2.Present ? arg2.Value : "-")}/{arg3}");
        return ValueTask.FromResult(Result.FromMessage(1, message));
    }

    public override ValueTask ResetAsync(RpcCallContext context)
    {
        Interlocked.Exchange(ref _counter, 0);
        return default;
    }

    public override ValueTask<ulong> CountAsync(RpcCallContext context) => ValueTask.FromResult(Interlocked.Increment(ref _counter));
}
