using System.Net;
using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// Generated clients and servers end to end, over TCP and UDP: generated client to generated server,
/// generated client to the C server rpcgen makes, and the C client rpcgen makes to the generated server.
/// </summary>
[Collection(NativeCollection.Name)]
public class EndToEndTests(NativePrograms native)
{
    private static readonly RpcClientOptions Options = new() { Timeout = TimeSpan.FromSeconds(20) };

    // What Native/rich_client.c prints against a server that follows Native/rich_server.c's rules.
    private static string[] RichClientLines(NativePrograms native) =>
    [
        .. Enumerable.Range(0, RichSamples.Count).Select(n => $"ECHO{n} {native.Sample(n)}"),
        "ADD 1999999993",
        "REVERSE c:3 b:2 a:1",
        "NEXT 1 7 0 -1",
        "CHECK1 1 1/3/nick/42",
        "CHECK2 0 4.5 7",
        "CHECK3 9",
        "COUNT 1 2",
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task My_proto_generated_client_calls_the_generated_server(bool tcp)
    {
        await using var server = new GeneratedServer(new MyProtoService().ToProgram());
        await using MyProto.TestVersClient client = tcp ? MyProto.TestVersClient.CreateTcp(server.Tcp, Options) : MyProto.TestVersClient.CreateUdp(server.Udp, Options);
        Assert.Equal(100, await client.TestAsync());
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task My_proto_generated_client_calls_the_c_server(bool tcp)
    {
        using NativeServer server = native.StartMyProtoServer();
        await using MyProto.TestVersClient client = tcp
            ? MyProto.TestVersClient.CreateTcp(new IPEndPoint(IPAddress.Loopback, server.TcpPort), Options)
            : MyProto.TestVersClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, server.UdpPort), Options);
        Assert.Equal(100, await client.TestAsync());
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task My_proto_c_client_calls_the_generated_server(bool tcp)
    {
        await using var server = new GeneratedServer(new MyProtoService().ToProgram());
        Assert.Equal(["TEST 100"], native.MyProtoClient(tcp, tcp ? server.Tcp.Port : server.Udp.Port));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rich_generated_client_calls_the_generated_server(bool tcp)
    {
        await using var server = new GeneratedServer(new RichService().ToProgram());
        await CallEverythingAsync(tcp ? RichV1Client.CreateTcp(server.Tcp, Options) : RichV1Client.CreateUdp(server.Udp, Options));
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rich_generated_client_calls_the_c_server(bool tcp)
    {
        using NativeServer server = native.StartRichServer();
        await CallEverythingAsync(tcp
            ? RichV1Client.CreateTcp(new IPEndPoint(IPAddress.Loopback, server.TcpPort), Options)
            : RichV1Client.CreateUdp(new IPEndPoint(IPAddress.Loopback, server.UdpPort), Options));
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rich_c_client_calls_the_generated_server(bool tcp)
    {
        await using var server = new GeneratedServer(new RichService().ToProgram());
        Assert.Equal(RichClientLines(native), native.RichClient(tcp, tcp ? server.Tcp.Port : server.Udp.Port));
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rich_c_client_calls_the_c_server_as_the_control(bool tcp)
    {
        using NativeServer server = native.StartRichServer();
        Assert.Equal(RichClientLines(native), native.RichClient(tcp, tcp ? server.TcpPort : server.UdpPort));
    }

    private static async Task CallEverythingAsync(RichV1Client client)
    {
        await using (client)
        {
            for (int n = 0; n < RichSamples.Count; n++)
            {
                Everything sent = RichSamples.Get(n);
                Assert.Equal(RichSamples.Encode(sent), RichSamples.Encode(await client.EchoAsync(sent)));
            }

            Assert.Equal(1999999993, await client.AddAsync(2000000000, -7));
            Node reversed = await client.ReverseAsync(new Node { Label = "a", Weight = 1, Next = new Node { Label = "b", Weight = 2, Next = new Node { Label = "c", Weight = 3 } } });
            Assert.Equal(["c", "b", "a"], new[] { reversed, reversed.Next!, reversed.Next!.Next! }.Select(n => n.Label));
            Assert.Null(reversed.Next!.Next!.Next);
            Assert.Equal(
                [Color.Green, Color.Blue, Color.Red, Color.None],
                [await client.NextAsync(Color.Red), await client.NextAsync(Color.Green), await client.NextAsync(Color.Blue), await client.NextAsync(Color.None)]);

            Result check1 = await client.CheckAsync(Shape.FromSides([5, 6, 7]), Maybe.FromValue("nick"), 42);
            Assert.Equal((1, "1/3/nick/42"), (check1.Status, check1.Message));
            Result check2 = await client.CheckAsync(Shape.FromRadius(4.5), Maybe.Of(false), 7);
            Assert.Equal((0, 4.5, 7UL), (check2.Status, check2.Ok.D, check2.Ok.Uh));
            Assert.Equal(9, (await client.CheckAsync(Shape.FromRadius(4.5), Maybe.Of(false), 0)).Status);

            await client.ResetAsync();
            Assert.Equal(1UL, await client.CountAsync());
            Assert.Equal(2UL, await client.CountAsync());
        }
    }
}
