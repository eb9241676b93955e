using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// <c>reserved-port-probe tcp|udp PORT</c>: one NULL call to 127.0.0.1:PORT with <see cref="ReservedPortUse.Required"/>,
/// run by <see cref="ReservedPortTests"/> without CAP_NET_BIND_SERVICE; prints "ok" or the exception's type and error.
/// </summary>
internal static class ReservedPortProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = new IPEndPoint(IPAddress.Loopback, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        var options = new RpcClientOptions { ReservedPort = ReservedPortUse.Required, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await using RpcClient client = args[0] == "tcp" ? RpcClient.CreateTcp(server, 100000, 2, options) : RpcClient.CreateUdp(server, 100000, 2, options);
            await client.CallAsync<XdrVoid, XdrVoid>(0, default);
            Console.WriteLine("ok");
        }
        catch (RpcReservedPortException e)
        {
            Console.WriteLine($"{nameof(RpcReservedPortException)} {e.Error}");
        }

        return 0;
    }
}
