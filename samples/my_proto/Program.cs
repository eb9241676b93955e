using System.Net;
using System.Runtime.InteropServices;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;

namespace MyProto;

/// <summary>
/// The classic rpcgen example, in C#. With no arguments it runs the whole example in one process: it serves
/// TEST_PROG, registers it with rpcbind, finds it again through rpcbind as clnt_create does, and calls TEST over
/// UDP and then TCP. <c>server</c> only serves (until Ctrl+C) and <c>client HOST [udp|tcp]</c> only calls, as
/// rpcgen's my_proto_server and my_proto_client do.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: my_proto                        serve TEST_PROG, then call TEST over UDP and TCP through rpcbind
               my_proto server                 serve TEST_PROG and register it with rpcbind, until Ctrl+C
               my_proto client HOST [udp|tcp]  call TEST on HOST's TEST_PROG, found through HOST's rpcbind (udp by default)
        """;

    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                [] => await RunExampleAsync(),
                ["server"] => await ServeAsync(),
                ["client", string host] => await CallAsync(host, RpcTransport.Udp),
                ["client", string host, string transport] when ParseTransport(transport) is { } parsed => await CallAsync(host, parsed),
                _ => Fail(Usage, 2),
            };
        }
        catch (RpcException e)
        {
            // As clnt_pcreateerror and clnt_perror would: the reason, and a failed exit.
            return Fail($"my_proto: {e.Message}", 1);
        }
    }

    /// <summary>Server and client in one process, as the README's first command runs it.</summary>
    private static async Task<int> RunExampleAsync()
    {
        await using RpcServer server = await StartServerAsync(IPAddress.Loopback);
        foreach (RpcTransport transport in new[] { RpcTransport.Udp, RpcTransport.Tcp })
        {
            await CallAsync("localhost", transport);
        }

        await server.StopAsync(); // unregisters TEST_PROG from rpcbind
        return 0;
    }

    private static async Task<int> ServeAsync()
    {
        var stop = new TaskCompletionSource();
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await using RpcServer server = await StartServerAsync(IPAddress.Any);
        Console.WriteLine("Ctrl+C stops the server.");
        await stop.Task;
        await server.StopAsync();
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    /// <summary>svc_create: serves TEST_PROG version TEST_VERS on a TCP and a UDP port, registered with rpcbind.</summary>
    private static async Task<RpcServer> StartServerAsync(IPAddress address)
    {
        var server = new RpcServer();
        try
        {
            server.AddProgram(new TestService().ToProgram());
            IPEndPoint tcp = server.ListenTcp(new IPEndPoint(address, 0));
            IPEndPoint udp = server.ListenUdp(new IPEndPoint(address, 0));
            RpcbindClient rpcbind = await server.RegisterAsync();
            Console.WriteLine($"TEST_PROG version TEST_VERS serves on TCP {tcp} and UDP {udp}, registered with rpcbind on port {rpcbind.Port}.");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>my_proto_client.c: clnt_create(host, TEST_PROG, TEST_VERS, transport), then test_1.</summary>
    private static async Task<int> CallAsync(string host, RpcTransport transport)
    {
        RpcClient rpc = await RpcClient.CreateAsync(host, TestProg.Program, TestProg.TestVers.Version, transport);
        await using var client = new TestVersClient(rpc);
        int result = await client.TestAsync();
        Console.WriteLine($"The result from RPC is {result}");
        return 0;
    }

    private static RpcTransport? ParseTransport(string name) => name switch
    {
        "udp" => RpcTransport.Udp,
        "tcp" => RpcTransport.Tcp,
        _ => null,
    };

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine(message);
        return exitCode;
    }
}
