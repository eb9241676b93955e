using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Binding;

internal static partial class RpcbindScenario
{
    /// <summary>A program registered on the local socket's netid, with a path for its address.</summary>
    private const uint OnLocal = 0x20000001;

    /// <summary>A program registered on tcp (for any address) and udp (on loopback).</summary>
    private const uint OnTcpAndUdp = 0x20000002;

    /// <summary>A program registered in version 2 only, on tcp, at an address of no interface here.</summary>
    private const uint OnTcpElsewhere = 0x20000003;

    /// <summary>A program registered on netid unix, which rpcbind does not serve.</summary>
    private const uint OnUnix = 0x20000004;

    private const uint ByUnknown = 0x20000005;
    private const uint ByPortmapper = 0x20000006;
    private const uint Nowhere = 0x20000009;
    private const uint Nfs = 100003;

    /// <summary>
    /// The same calls, in the same order, to an rpcbind (native or netrpc): GETADDR, GETVERSADDR, GETADDRLIST,
    /// UADDR2TADDR and TADDR2UADDR over the local socket, TCP and UDP, for programs registered on netid local, on
    /// tcp and udp, and nowhere; v2 GETPORT, SET, UNSET and DUMP; v3 and v4 SET, UNSET and DUMP; calls to forward
    /// and undecodable ones. Each call is sent once (no retransmission: native rpcbind would count a resent call
    /// twice), and rpcbind takes a socket's calls in order, so what <c>rpcinfo -m</c> prints at the end depends on
    /// the calls alone. Sections: the calls with their answers, then <c>rpcinfo -m</c>, <c>rpcinfo</c>, <c>rpcinfo -p</c>.
    /// </summary>
    private static async Task StatisticsAsync(string kind, string tool)
    {
        // Started without a call to it: the calls that wait for it would count, and how many there are is timing.
        using Daemon rpcbind = await StartRpcbindAsync(kind, tool, quietly: true);
        var lines = new List<string>();
        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(30), RetransmitInterval = TimeSpan.FromMinutes(1), MaxRetransmitInterval = TimeSpan.FromMinutes(1) };
        var localSocket = new UnixDomainSocketEndPoint("/run/rpcbind.sock");
        var loopback = new IPEndPoint(IPAddress.Loopback, RpcbindClient.StandardPort);
        using var v2Local = new PortmapperV2Client(RpcClient.CreateTcp(localSocket, Rpcbind.Program, 2, options));
        using var v3Local = new RpcbindV3Client(RpcClient.CreateTcp(localSocket, Rpcbind.Program, 3, options));
        using var v4Local = new RpcbindV4Client(RpcClient.CreateTcp(localSocket, Rpcbind.Program, 4, options));
        using var v2Tcp = PortmapperV2Client.CreateTcp(loopback, options);
        using var v3Tcp = RpcbindV3Client.CreateTcp(loopback, options);
        using var v4Tcp = RpcbindV4Client.CreateTcp(loopback, options);
        using var v2Udp = PortmapperV2Client.CreateUdp(loopback, options);
        using var v3Udp = RpcbindV3Client.CreateUdp(loopback, options);
        using var v4Udp = RpcbindV4Client.CreateUdp(loopback, options);

        async Task Call<T>(string what, Func<Task<T>> call, Func<T, string> show)
        {
            string outcome;
            try
            {
                outcome = show(await call());
            }
            catch (RpcAuthenticationException e)
            {
                outcome = $"AUTH_ERROR {e.Status}";
            }
            catch (RpcException e)
            {
                outcome = e.GetType().Name;
            }

            lines.Add($"{what}: {outcome}");
        }

        Task Address(string what, Func<Task<string>> call) => Call(what, call, address => $"\"{address}\"");
        Task Bool(string what, Func<Task<bool>> call) => Call(what, call, answer => answer ? "TRUE" : "FALSE");

        // Registrations, as a server registers through the local socket (owner superuser), and two over loopback.
        foreach ((uint program, uint version, string netId, string address) in new[]
        {
            (OnLocal, 1u, "local", "/run/a.sock"), (OnTcpAndUdp, 1u, "tcp", "0.0.0.0.4.1"), (OnTcpAndUdp, 1u, "udp", "127.0.0.1.4.2"),
            (OnTcpElsewhere, 2u, "tcp", "10.1.2.3.4.3"), (OnUnix, 1u, "unix", "/run/d.sock"),
        })
        {
            await Bool($"v4 SET over local {Program(program)} {version} {netId} {address}", () => v4Local.SetAsync(Mapping(program, version, netId, address)));
        }

        await Bool("v3 SET over udp by an unprivileged port", () => v3Udp.SetAsync(Mapping(ByUnknown, 1, "udp", "127.0.0.1.5.5")));
        await Bool("v3 SET over tcp of a registered version elsewhere", () => v3Tcp.SetAsync(Mapping(OnTcpAndUdp, 1, "tcp", "127.0.0.1.9.9")));

        // GETADDR over the local socket answers for netid local, whatever r_netid says.
        foreach ((uint program, uint version, string netId) in new[]
        {
            (Rpcbind.Program, 4u, "local"), (Rpcbind.Program, 4u, "tcp"), (OnLocal, 1u, "local"), (OnLocal, 1u, ""),
            (OnTcpAndUdp, 1u, "tcp"), (OnTcpElsewhere, 1u, "tcp"), (OnUnix, 1u, "unix"), (Nowhere, 1u, "local"),
        })
        {
            await Address($"v4 GETADDR over local {Program(program)} {version} netid '{netId}'", () => v4Local.GetAddrAsync(Mapping(program, version, netId, "")));
            await Address($"v3 GETADDR over local {Program(program)} {version} netid '{netId}'", () => v3Local.GetAddrAsync(Mapping(program, version, netId, "")));
        }

        await Address("v4 GETVERSADDR over local OnLocal 1", () => v4Local.GetVersAddrAsync(Mapping(OnLocal, 1, "local", "")));
        await Address("v4 GETVERSADDR over local OnLocal 2", () => v4Local.GetVersAddrAsync(Mapping(OnLocal, 2, "local", "")));

        // Over TCP and UDP: the caller's netid, and the address merged with the caller's (or the hint's) interface.
        foreach ((uint program, uint version, string hint) in new[]
        {
            (Rpcbind.Program, 4u, ""), (OnLocal, 1u, ""), (OnTcpAndUdp, 1u, ""), (OnTcpElsewhere, 1u, ""), (Nowhere, 1u, ""),
            (OnTcpAndUdp, 1u, "127.0.0.1.0.0"), (OnTcpAndUdp, 1u, "10.9.9.9.0.0"), (OnTcpAndUdp, 1u, "junk"),
        })
        {
            await Address($"v4 GETADDR over tcp {Program(program)} {version} hint '{hint}'", () => v4Tcp.GetAddrAsync(Mapping(program, version, "tcp", hint)));
            await Address($"v3 GETADDR over udp {Program(program)} {version} hint '{hint}'", () => v3Udp.GetAddrAsync(Mapping(program, version, "udp", hint)));
        }

        await Address("v4 GETVERSADDR over udp OnTcpAndUdp 1", () => v4Udp.GetVersAddrAsync(Mapping(OnTcpAndUdp, 1, "udp", "")));
        await Address("v4 GETVERSADDR over tcp OnTcpElsewhere 1", () => v4Tcp.GetVersAddrAsync(Mapping(OnTcpElsewhere, 1, "tcp", "")));

        await Call("v4 GETADDRLIST over tcp OnTcpAndUdp 1", () => v4Tcp.GetAddrListAsync(Mapping(OnTcpAndUdp, 1, "", "")), Entries);
        await Call("v4 GETADDRLIST over udp OnTcpAndUdp 1", () => v4Udp.GetAddrListAsync(Mapping(OnTcpAndUdp, 1, "", "")), Entries);
        await Call("v4 GETADDRLIST over local OnLocal 1", () => v4Local.GetAddrListAsync(Mapping(OnLocal, 1, "", "")), Entries);
        await Call("v4 GETADDRLIST over local Portmapper 4", () => v4Local.GetAddrListAsync(Mapping(Rpcbind.Program, 4, "", "")), Entries);
        await Call("v4 GETADDRLIST over udp Nowhere 1", () => v4Udp.GetAddrListAsync(Mapping(Nowhere, 1, "", "")), Entries);
        lines.Add($"v4 GETADDRLIST over tcp OnUnix 1: {await ThenNullAsync(loopback, stream: true, 4, 11, Encode(Mapping(OnUnix, 1, "", "")))}");

        // Universal and transport addresses, in the family of the transport asked on.
        byte[] sun = [1, 0, .. Encoding.ASCII.GetBytes("/run/rpcbind.sock"), 0];
        byte[] sin = [2, 0, 0, 111, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        foreach (string universal in new[] { "/run/rpcbind.sock", "127.0.0.1.0.111", "127.0.0.1.300.1" })
        {
            await Call($"v4 UADDR2TADDR over local '{universal}'", () => v4Local.UaddrToTaddrAsync(universal), Netbuf);
            await Call($"v3 UADDR2TADDR over tcp '{universal}'", () => v3Tcp.UaddrToTaddrAsync(universal), Netbuf);
        }

        foreach ((string name, byte[] sockaddr) in new[] { ("sockaddr_un", sun), ("sockaddr_in", sin) })
        {
            await Address($"v4 TADDR2UADDR over local {name}", () => v4Local.TaddrToUaddrAsync(new Netbuf { Maxlen = (uint)sockaddr.Length, Buf = sockaddr }));
            await Address($"v3 TADDR2UADDR over udp {name}", () => v3Udp.TaddrToUaddrAsync(new Netbuf { Maxlen = (uint)sockaddr.Length, Buf = sockaddr }));
        }

        // The portmapper: GETPORT over UDP, the local socket and TCP; SET, UNSET, DUMP.
        foreach ((uint program, uint protocol) in new[] { (OnTcpAndUdp, 6u), (OnTcpAndUdp, 17u), (OnLocal, 6u), (Rpcbind.Program, 17u), (Nowhere, 17u), (OnTcpAndUdp, 99u) })
        {
            await Call($"v2 GETPORT over udp {Program(program)} 1 protocol {protocol}", () => v2Udp.GetPortAsync(new PortMapping { Prog = program, Vers = 1, Protocol = protocol }), Decimal);
        }

        await Call("v2 GETPORT over local OnTcpAndUdp 1 protocol 6", () => v2Local.GetPortAsync(new PortMapping { Prog = OnTcpAndUdp, Vers = 1, Protocol = 6 }), Decimal);
        await Call("v2 GETPORT over tcp OnTcpElsewhere 1 protocol 6", () => v2Tcp.GetPortAsync(new PortMapping { Prog = OnTcpElsewhere, Vers = 1, Protocol = 6 }), Decimal);
        await Bool("v2 SET over udp", () => v2Udp.SetAsync(new PortMapping { Prog = ByPortmapper, Vers = 1, Protocol = 17, Port = 0x606 }));
        await Bool("v2 SET over udp of protocol 99", () => v2Udp.SetAsync(new PortMapping { Prog = ByPortmapper, Vers = 2, Protocol = 99, Port = 0x606 }));
        await Bool("v2 UNSET over udp of the superuser's OnTcpAndUdp", () => v2Udp.UnsetAsync(new PortMapping { Prog = OnTcpAndUdp, Vers = 1 }));
        await Bool("v2 UNSET over udp of Nowhere", () => v2Udp.UnsetAsync(new PortMapping { Prog = Nowhere, Vers = 1 }));
        await Bool("v4 UNSET over local of ByUnknown", () => v4Local.UnsetAsync(Mapping(ByUnknown, 1, "", "")));
        await Bool("v3 UNSET over udp of the superuser's OnLocal", () => v3Udp.UnsetAsync(Mapping(OnLocal, 1, "", "")));
        await Bool("v4 UNSET over tcp of Nowhere", () => v4Tcp.UnsetAsync(Mapping(Nowhere, 1, "tcp", "")));
        await Call("v2 DUMP over tcp", () => v2Tcp.DumpAsync(), list => $"{Count(list, l => l.Next)} entries");
        await Call("v3 DUMP over local", () => v3Local.DumpAsync(), list => $"{Count(list, l => l.Next)} entries");
        await Call("v4 DUMP over udp", () => v4Udp.DumpAsync(), list => $"{Count(list, l => l.Next)} entries");
        await Call("v3 GETTIME over udp", () => v3Udp.GetTimeAsync(), _ => "answered");
        await Call("v4 NULL over local", async () => { await v4Local.NullAsync(); return 0; }, _ => "answered");
        await Call("v3 NULL over tcp", async () => { await v3Tcp.NullAsync(); return 0; }, _ => "answered");

        // Calls to forward (native rpcbind forwards none without -r), and an undecodable one.
        foreach ((string name, uint program, uint version, uint procedure) in new[]
        {
            ("OnTcpAndUdp 1", OnTcpAndUdp, 1u, 0u), ("Nowhere 1", Nowhere, 1u, 0u), ("OnTcpAndUdp 5", OnTcpAndUdp, 5u, 0u), ("NFS 3 procedure 1", Nfs, 3u, 1u),
        })
        {
            byte[] call = Encode(new RemoteCall { Prog = program, Vers = version, Proc = procedure, Arguments = [] });
            lines.Add($"v4 INDIRECT over udp {name}: {await ThenNullAsync(loopback, stream: false, 4, 10, call)}");
            lines.Add($"v2 CALLIT over udp {name}: {await ThenNullAsync(loopback, stream: false, 2, 5, call)}");
        }

        byte[] remote = Encode(new RemoteCall { Prog = OnTcpAndUdp, Vers = 1, Proc = 0, Arguments = [] });
        lines.Add($"v3 CALLIT over udp OnTcpAndUdp 1: {await ThenNullAsync(loopback, stream: false, 3, 5, remote)}");
        lines.Add($"v4 BCAST over tcp OnTcpAndUdp 1: {await ThenNullAsync(loopback, stream: true, 4, 5, remote)}");
        lines.Add($"v4 INDIRECT over local OnTcpAndUdp 1: {await ThenNullAsync(localSocket, stream: true, 4, 10, remote)}");
        lines.Add($"v4 GETADDR over local, undecodable: {await ThenNullAsync(localSocket, stream: true, 4, 3, [0, 0, 0, 1])}");
        lines.Add($"v2 GETPORT over tcp, undecodable: {await ThenNullAsync(loopback, stream: true, 2, 3, [0, 0, 0, 1])}");

        Section("calls", string.Join('\n', lines));
        Section("rpcinfo -m", Run("rpcinfo", "-m"));
        Section("rpcinfo", Run("rpcinfo"));
        Section("rpcinfo -p", Run("rpcinfo", "-p"));
        Section("rpcbind stopped", rpcbind.Stop());
    }

    private static RpcbMapping Mapping(uint program, uint version, string netId, string address) =>
        new() { Prog = program, Vers = version, Netid = netId, Address = address, Owner = "scenario" };

    private static string Program(uint program) => program switch
    {
        Rpcbind.Program => "Portmapper",
        OnLocal => nameof(OnLocal),
        OnTcpAndUdp => nameof(OnTcpAndUdp),
        OnTcpElsewhere => nameof(OnTcpElsewhere),
        OnUnix => nameof(OnUnix),
        Nowhere => nameof(Nowhere),
        _ => Decimal(program),
    };

    private static string Entries(RpcbEntryList? list)
    {
        var entries = new List<string>();
        for (RpcbEntryList? entry = list; entry is not null; entry = entry.Next)
        {
            RpcbEntry e = entry.Entry;
            entries.Add($"{e.Address} {e.Netid} {e.Semantics} {e.ProtocolFamily} {e.Protocol}");
        }

        return $"[{string.Join("; ", entries)}]";
    }

    private static string Netbuf(Netbuf netbuf) => $"maxlen {netbuf.Maxlen} buf {Convert.ToHexStringLower(netbuf.Buf)}";

    private static int Count<T>(T? list, Func<T, T?> next)
        where T : class
    {
        int count = 0;
        for (T? entry = list; entry is not null; entry = next(entry))
        {
            count++;
        }

        return count;
    }

    private static byte[] Encode<T>(T value)
        where T : IXdrCodec<T> => XdrCodec.EncodeToArray(value);

    /// <summary>
    /// Sends a call that may get no reply (as CALLIT without forwarding), then a v2 NULL call the same way (from one
    /// UDP socket, or on one connection), and reads until the NULL's reply: rpcbind takes a socket's calls in order,
    /// so a reply to the first, if there is one, comes before it. Says what the first call got: its reply's status,
    /// or "no reply".
    /// </summary>
    private static async Task<string> ThenNullAsync(EndPoint rpcbind, bool stream, uint version, uint procedure, byte[] arguments)
    {
        uint xid = (uint)Random.Shared.Next(1, int.MaxValue);
        byte[] call = Wire.Call(xid, Rpcbind.Program, version, procedure, arguments: arguments);
        byte[] nullCall = Wire.Call(xid + 1, Rpcbind.Program, 2, 0);
        using var socket = new Socket(rpcbind.AddressFamily, stream ? SocketType.Stream : SocketType.Dgram, rpcbind.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : stream ? ProtocolType.Tcp : ProtocolType.Udp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(rpcbind, timeout.Token);
        string outcome = "no reply";
        if (stream)
        {
            await using var connection = new NetworkStream(socket);
            await connection.WriteAsync((byte[])[.. Wire.Record(call), .. Wire.Record(nullCall)], timeout.Token);
            for (byte[]? reply; (reply = await Wire.ReadRecordAsync(connection, timeout.Token)) is not null && Wire.WordAt(reply, 0) != xid + 1;)
            {
                outcome = Wire.WordAt(reply, 0) == xid ? Status(reply) : outcome;
            }
        }
        else
        {
            await socket.SendAsync(call, timeout.Token);
            await socket.SendAsync(nullCall, timeout.Token);
            byte[] datagram = new byte[65536];
            while (true)
            {
                int length = await socket.ReceiveAsync(datagram, SocketFlags.None, timeout.Token);
                uint replyXid = BinaryPrimitives.ReadUInt32BigEndian(datagram);
                if (replyXid == xid + 1)
                {
                    break;
                }

                outcome = replyXid == xid ? Status(datagram[..length]) : outcome;
            }
        }

        return outcome;
    }

    /// <summary>A reply's status: SUCCESS, PROG_UNAVAIL, PROG_MISMATCH low-high, GARBAGE_ARGS, SYSTEM_ERR, AUTH_ERROR and the reason.</summary>
    private static string Status(byte[] reply)
    {
        if (Wire.WordAt(reply, 2) == 1)
        {
            return Wire.WordAt(reply, 3) == 1 ? $"AUTH_ERROR {(Messages.AuthStatus)Wire.WordAt(reply, 4)}" : "RPC_MISMATCH";
        }

        int word = 5 + (int)((BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(16)) + 3) / 4); // past the verifier
        return Wire.WordAt(reply, word) switch
        {
            0 => "SUCCESS",
            1 => "PROG_UNAVAIL",
            2 => $"PROG_MISMATCH {Wire.WordAt(reply, word + 1)}-{Wire.WordAt(reply, word + 2)}",
            3 => "PROC_UNAVAIL",
            4 => "GARBAGE_ARGS",
            uint status => $"SYSTEM_ERR ({status})",
        };
    }
}
