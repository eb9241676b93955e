using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>
/// What the comparison tests run inside their namespaces: <c>serve PROGRAM</c>, a NetRpc server of versions 1 and 2
/// registered with the namespace's rpcbind (it prints READY, and unregisters and ends when its input closes), and
/// <c>set PROGRAM VERSION NETID ADDRESS</c>, one registration made through rpcbind's local socket.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["serve", string program]:
                await ServeAsync(uint.Parse(program, CultureInfo.InvariantCulture));
                return 0;
            case ["set", string program, string version, string netId, string address]:
                var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(10) };
                using (var rpcbind = new RpcbindV4Client(RpcClient.CreateTcp(new UnixDomainSocketEndPoint("/run/rpcbind.sock"), Rpcbind.Program, 4, options)))
                {
                    bool set = await rpcbind.SetAsync(new RpcbMapping
                    {
                        Prog = uint.Parse(program, CultureInfo.InvariantCulture),
                        Vers = uint.Parse(version, CultureInfo.InvariantCulture),
                        Netid = netId,
                        Address = address,
                        Owner = "test",
                    });
                    Console.WriteLine(set ? "set" : "refused");
                    return set ? 0 : 1;
                }

            default:
                Console.Error.WriteLine("usage: serve PROGRAM | set PROGRAM VERSION NETID ADDRESS");
                return 2;
        }
    }

    private static async Task ServeAsync(uint program)
    {
        await using var server = new RpcServer();
        foreach (uint version in new uint[] { 1, 2 })
        {
            server.AddProgram(new RpcProgramBuilder(program, version, "TEST").AddProcedure<XdrVoid, XdrVoid>(1, "ECHO", (_, _) => ValueTask.FromResult(default(XdrVoid))).Build());
        }

        server.ListenTcp(new IPEndPoint(IPAddress.Any, 0));
        server.ListenUdp(new IPEndPoint(IPAddress.Any, 0));
        await server.RegisterAsync(startEmbedded: false);
        Console.WriteLine("READY");
        Console.Out.Flush();
        await Console.In.ReadToEndAsync();
        await server.StopAsync();
    }
}
