using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.RpcInfo.Tool;

internal sealed partial class RpcInfo
{
    /// <summary>
    /// <c>rpcinfo -b prognum versnum</c>: NULL to the program on every host of the local IPv4 networks, through each
    /// host's portmapper (CALLIT, which native rpcbind forwards only with -r), printing each answer as it comes: the
    /// universal address of the server that answered (the binder's host, at the port the binder forwarded to), a tab, the
    /// host's name. The answers are collected for <see cref="RpcInfoSettings.BroadcastTimeout"/>; the run ends with 0
    /// however many came, as native's. Each server is printed once (native rpcinfo prints the answer to every
    /// retransmission again).
    /// </summary>
    private async Task<int> BroadcastAsync(string[] operands)
    {
        if (operands.Length != 2)
        {
            throw new UsageException();
        }

        uint program = ProgramNumber(operands[0]);
        uint version = VersionNumber(operands[1]);
        if (!HasBroadcastInterface())
        {
            // libtirpc finds no transport to broadcast on (only loopback, or nothing up).
            throw Fail($"rpcinfo: broadcast failed: {RpcError.Text(ClntStat.UnknownProtocol)}");
        }

        var options = new RpcBroadcastOptions
        {
            Route = RpcBroadcastRoute.Portmapper,
            Timeout = settings.BroadcastTimeout,
            RetransmitInterval = TimeSpan.FromSeconds(4),
        };
        try
        {
            await foreach (RpcBroadcastReply<XdrVoid> reply in RpcBroadcast.CallAsync<XdrVoid, XdrVoid>(program, version, 0, default, options).ConfigureAwait(false))
            {
                output.WriteLine($"{UniversalAddress.Format(reply.Server)}\t{await HostNameAsync(reply.Server.Address).ConfigureAwait(false)}");
                output.Flush();
            }
        }
        catch (RpcSendFailedException e)
        {
            throw Fail($"rpcinfo: broadcast failed: {RpcError.From(e, Runtime.RpcTransport.Udp).Call("x")[3..]}");
        }

        return 0;
    }

    /// <summary>Whether an interface that is up has an IPv4 broadcast address (not loopback's).</summary>
    private static bool HasBroadcastInterface()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces().Any(i =>
                i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown
                && i.NetworkInterfaceType != NetworkInterfaceType.Loopback
                && i.GetIPProperties().UnicastAddresses.Any(a => a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }

    /// <summary>
    /// getnameinfo's answer as native rpcinfo prints it: the host's name; its address written out where it has no name;
    /// "unknown" where the lookup itself failed (no resolver answered).
    /// </summary>
    private static async Task<string> HostNameAsync(IPAddress address)
    {
        try
        {
            return Printable((await Dns.GetHostEntryAsync(address).ConfigureAwait(false)).HostName);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return address.ToString();
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            return "unknown";
        }
    }
}
