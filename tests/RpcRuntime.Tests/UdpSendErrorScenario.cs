using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// Runs inside a network namespace of its own (<c>udp-send-scenario</c>, see <see cref="DatagramTests"/>): a UDP client
/// connected to an address behind a veth pair that nothing answers on, whose route is then made unreachable, and then prohibited. Each call
/// must fail at once with <see cref="RpcSendFailedException"/>, naming the cause: the client's retransmission interval
/// and timeout are an hour, so nothing else could end them. Prints one line per case.
/// </summary>
internal static class UdpSendErrorScenario
{
    public static async Task<int> RunAsync()
    {
        Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        Ip("addr", "add", "10.9.0.1/24", "dev", "v0");
        Ip("link", "set", "v0", "up");
        Ip("link", "set", "v1", "up");
        var options = new RpcClientOptions { RetransmitInterval = TimeSpan.FromHours(1), MaxRetransmitInterval = TimeSpan.FromHours(1), Timeout = TimeSpan.FromHours(1) };
        await using RpcClient client = RpcClient.CreateUdp(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 9), 100000, 2, options);
        foreach (string kind in new[] { "unreachable", "prohibit" })
        {
            Ip("route", "replace", kind, "10.9.0.2/32");
            try
            {
                await client.CallAsync<XdrVoid, XdrVoid>(0, default);
                Console.WriteLine($"{kind}: answered");
            }
            catch (RpcSendFailedException e)
            {
                Console.WriteLine($"{kind}: {nameof(RpcSendFailedException)} {e.Error}");
            }
        }

        return 0;
    }

    private static void Ip(params string[] arguments) => NativeToolchain.Run("ip", arguments, AppContext.BaseDirectory, timeoutSeconds: 30);
}
