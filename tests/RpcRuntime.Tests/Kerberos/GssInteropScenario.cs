using System.Globalization;
using System.Net;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// Inside a <see cref="KerberosRealm"/>'s namespace, with the C programs of <see cref="GssPrograms"/> (folder in the
/// arguments): NetRpc clients call libtirpc's svcauth_gss server, and libtirpc's authgss client calls a NetRpc server,
/// over TCP and UDP with krb5, krb5i and krb5p. One line per call.
/// </summary>
internal static class GssInteropScenario
{
    private const uint Program = 0x2000_0177;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        string folder = args[0];
        KerberosRealm.LogIn();
        RpcsecGssService[] services = [RpcsecGssService.None, RpcsecGssService.Integrity, RpcsecGssService.Privacy];

        using (var native = new NativeServer(Path.Combine(folder, "gss_server"), "nfs@localhost"))
        {
            foreach (bool tcp in new[] { true, false })
            {
                foreach (string service in new[] { "none", "integrity", "privacy" })
                {
                    string port = (tcp ? native.TcpPort : native.UdpPort).ToString(CultureInfo.InvariantCulture);
                    string output = NativeToolchain.Run(Path.Combine(folder, "gss_client"), [tcp ? "tcp" : "udp", port, "nfs@localhost", service], folder, timeoutSeconds: 60);
                    Console.WriteLine($"C client -> C server, {(tcp ? "tcp" : "udp")} {service}: {string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries))}");
                }
            }

            foreach (bool tcp in new[] { true, false })
            {
                foreach (RpcsecGssService service in services)
                {
                    var endPoint = new IPEndPoint(IPAddress.Loopback, tcp ? native.TcpPort : native.UdpPort);
                    var options = new RpcClientOptions { Timeout = Patience, Credential = new RpcsecGssCredential("nfs@localhost", service) };
                    await using RpcClient client = tcp ? RpcClient.CreateTcp(endPoint, Program, 1, options) : RpcClient.CreateUdp(endPoint, Program, 1, options);
                    int added = (await client.CallAsync<IntValue, IntValue>(1, new IntValue(41))).Value;
                    string who = (await client.CallAsync<XdrVoid, TextValue>(3, default)).Value;
                    // As gss_client.c: libtirpc cannot seal a 64 KiB body over TCP, even for its own client.
                    int size = !tcp ? 4000 : service == RpcsecGssService.None ? 65536 : 16000;
                    byte[] blob = [.. Enumerable.Range(0, size).Select(i => (byte)(i * 7))];
                    bool equal = (await client.CallAsync<BlobValue, BlobValue>(2, new BlobValue(blob))).Value.AsSpan().SequenceEqual(blob);
                    Console.WriteLine($"netrpc client -> C server, {(tcp ? "tcp" : "udp")} {service}: add={added} whoami={who} echo={equal}");
                }
            }

            // Clients one after another, each with a context of its own, destroyed when it is disposed: libtirpc's server
            // keeps a context per transport, and one left behind spoils a later connection's (a benchmark found it).
            int answered = 0;
            for (int i = 0; i < 20; i++)
            {
                var options = new RpcClientOptions { Timeout = Patience, Credential = new RpcsecGssCredential("nfs@localhost", RpcsecGssService.Integrity) };
                await using RpcClient client = RpcClient.CreateTcp(new IPEndPoint(IPAddress.Loopback, native.TcpPort), Program, 1, options);
                answered += (await client.CallAsync<IntValue, IntValue>(1, new IntValue(i))).Value == i + 1 ? 1 : 0;
            }

            Console.WriteLine($"netrpc clients one after another -> C server: {answered} of 20 answered");
        }

        var program = new RpcProgramBuilder(Program, 1, "GSSTEST")
            .AddProcedure<IntValue, IntValue>(1, "ADD_ONE", (a, _) => ValueTask.FromResult(new IntValue(a.Value + 1)))
            .AddProcedure<BlobValue, BlobValue>(2, "ECHO", (a, _) => ValueTask.FromResult(a))
            .AddProcedure<XdrVoid, TextValue>(3, "WHOAMI", (_, context) =>
                ValueTask.FromResult(new TextValue(context.Principal is RpcsecGssPrincipal p ? $"{p.Name}:{(int)p.Service}" : "?")))
            .Build();
        await using var server = new RpcServer(new RpcServerOptions { RpcsecGss = new RpcsecGssServerOptions() });
        server.AddProgram(program);
        IPEndPoint tcpEndPoint = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint udpEndPoint = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (bool tcp in new[] { true, false })
        {
            foreach (string service in new[] { "none", "integrity", "privacy" })
            {
                string port = (tcp ? tcpEndPoint : udpEndPoint).Port.ToString(CultureInfo.InvariantCulture);
                string output = NativeToolchain.Run(Path.Combine(folder, "gss_client"), [tcp ? "tcp" : "udp", port, "nfs@localhost", service], folder, timeoutSeconds: 60);
                Console.WriteLine($"C client -> netrpc server, {(tcp ? "tcp" : "udp")} {service}: {string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries))}");
            }
        }

        return 0;
    }
}
