using System.Net;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// NetRpc against C programs that rpcgen, gcc and libtirpc build from Interop/interop.x: the C client against
/// NetRpc's server, NetRpc's client against the C server, over TCP and UDP, with AUTH_NONE and AUTH_SYS. The C
/// client against the C server is the control: the same lines, from libtirpc alone.
/// </summary>
public class InteropTests(InteropPrograms programs) : IClassFixture<InteropPrograms>
{
    private static readonly RpcCredential InteropHost = RpcCredential.Sys(new AuthSysParameters { MachineName = "interop-host", Uid = 1234, Gid = 5678, Gids = [10, 20, 30] });

    // What interop_client.c prints when every call does what interop.x says.
    private static readonly string[] TransformLines =
    [
        "TRANSFORM[0] h=-9223372036854775806 uh=18446744073709551614 d=3 flag=0 name=node! values=2147483647,-2,1 tag=0102feff",
        "TRANSFORM[1] h=1099511627777 uh=14 d=-0.5 flag=1 name=! values= tag=00000000",
    ];

    [NativeTheory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task C_client_calls_the_netrpc_server(bool tcp, bool authSys)
    {
        await using var server = new InteropProtocol.Server();
        string[] lines = programs.RunClient(tcp, tcp ? server.Tcp.Port : server.Udp.Port, authSys);
        Assert.Equal(ExpectedClientLines(tcp, authSys), lines);
    }

    [NativeTheory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void C_client_calls_the_c_server_as_the_control(bool tcp, bool authSys)
    {
        using NativeServer server = programs.StartServer();
        string[] lines = programs.RunClient(tcp, tcp ? server.TcpPort : server.UdpPort, authSys);
        Assert.Equal(ExpectedClientLines(tcp, authSys), lines);
    }

    [NativeTheory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task Netrpc_client_calls_the_c_server(bool tcp, bool authSys)
    {
        using NativeServer server = programs.StartServer();
        var endPoint = new IPEndPoint(IPAddress.Loopback, tcp ? server.TcpPort : server.UdpPort);
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(10), Credential = authSys ? InteropHost : RpcCredential.None };
        RpcClient Connect(uint program, uint version) =>
            tcp ? RpcClient.CreateTcp(endPoint, program, version, options) : RpcClient.CreateUdp(endPoint, program, version, options);

        await using (RpcClient client = Connect(InteropProtocol.Program, InteropProtocol.Version))
        {
            Assert.Equal(XdrVoid.Value, await client.CallAsync<XdrVoid, XdrVoid>(0, default));
            Assert.Equal(1999999993, (await client.CallAsync<Pair, IntValue>(InteropProtocol.Add, new Pair(2000000000, -7))).Value);
            Assert.Equal("héllo, wörld", (await client.CallAsync<TextValue, TextValue>(InteropProtocol.Echo, new TextValue("héllo, wörld"))).Value);
            InteropRecord transformed = await client.CallAsync<InteropRecord, InteropRecord>(InteropProtocol.Transform, InteropProtocol.SampleRecord());
            Assert.Equal(TransformLines, InteropProtocol.Describe(transformed));
            Assert.Equal(authSys ? "interop-host:1234:5678:10,20,30" : "none", (await client.CallAsync<XdrVoid, TextValue>(InteropProtocol.WhoAmI, default)).Value);
            uint first = (await client.CallAsync<XdrVoid, UIntValue>(InteropProtocol.Count, default)).Value;
            Assert.Equal(first + 1, (await client.CallAsync<XdrVoid, UIntValue>(InteropProtocol.Count, default)).Value);
            byte[] blob = InteropProtocol.BlobBytes(tcp);
            using (PooledValue echoed = await client.CallAsync<PooledValue, PooledValue>(InteropProtocol.Blob, new PooledValue(PooledOpaque.Wrap(blob))))
            {
                Assert.Equal(blob, echoed.Value.ToArray()); // over TCP libtirpc's reply comes in fragments of its 64 KiB buffer
            }

            await Assert.ThrowsAsync<RpcProcedureUnavailableException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(99, default));
        }

        await using (RpcClient client = Connect(InteropProtocol.Program, 7))
        {
            var e = await Assert.ThrowsAsync<RpcProgramMismatchException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
            Assert.Equal((1u, 1u), (e.Low, e.High));
        }

        await using (RpcClient client = Connect(0x20000999, 1))
        {
            await Assert.ThrowsAsync<RpcProgramUnavailableException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        }
    }

    private static string[] ExpectedClientLines(bool tcp, bool authSys) =>
    [
        "NULL RPC_SUCCESS",
        "ADD RPC_SUCCESS 1999999993",
        "ECHO RPC_SUCCESS héllo, wörld",
        "TRANSFORM RPC_SUCCESS",
        .. TransformLines,
        "WHOAMI RPC_SUCCESS " + (authSys ? "interop-host:1234:5678:10,20,30" : "none"),
        "COUNT RPC_SUCCESS +1",
        $"BLOB RPC_SUCCESS n={(tcp ? 200_000 : 6000)} same=1",
        "PROC99 RPC_PROCUNAVAIL",
        "VERS7 RPC_PROGVERSMISMATCH 1 1",
        "PROG RPC_PROGUNAVAIL",
    ];
}
