using System.Net;
using NetRpc.Runtime.Server;

namespace NetRpc.Interop.Tests.Support;

/// <summary>A NetRpc server of one generated service on loopback, TCP and UDP.</summary>
internal sealed class GeneratedServer : IAsyncDisposable
{
    private readonly RpcServer _server = new();

    public GeneratedServer(RpcProgram program)
    {
        _server.AddProgram(program);
        Tcp = _server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        Udp = _server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public IPEndPoint Tcp { get; }

    public IPEndPoint Udp { get; }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
