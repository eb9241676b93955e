using System.Net;
using System.Text;
using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Interop.Tests;

/// <summary>
/// Real traffic, recorded by a relay between the peers: rpcgen's C clients calling rpcgen's C servers (libtirpc on
/// both sides), and NetRpc's rpcbind answering rpcinfo and NetRpc's generated rpcbind clients. NetRpc must read
/// every recorded call and reply header. The recordings are the fuzzing campaign's seeds (tests/Fuzz/Seeds);
/// NETRPC_UPDATE_SEEDS=1 writes them there.
/// </summary>
[Collection(NativeCollection.Name)]
public class TrafficCaptureTests(NativePrograms native)
{
    /// <summary>Streams are cut into pieces of whole records of about this size: a fuzzer input is a piece.</summary>
    private const int StreamPieceSize = 8 * 1024;

    private readonly List<byte[]> _calls = [];
    private readonly List<byte[]> _replies = [];
    private readonly List<byte[]> _streams = [];
    private readonly List<byte[]> _rpcbindCalls = [];

    [NativeFact]
    public async Task Traffic_between_c_peers_and_with_rpcbind_is_read_and_seeds_the_fuzzer()
    {
        using (NativeServer server = native.StartRichServer())
        {
            Record(server, port => [.. native.RichClient(tcp: true, port), .. native.RichClient(tcp: false, port)]);
        }

        using (NativeServer server = native.StartMyProtoServer())
        {
            Record(server, port => [.. native.MyProtoClient(tcp: true, port), .. native.MyProtoClient(tcp: false, port)]);
        }

        await RecordRpcbindAsync();

        Assert.All(_calls, call =>
        {
            var reader = new XdrReader(call);
            Assert.Equal(CallDecodeResult.Ok, CallHeader.TryDecode(ref reader, out _));
        });
        Assert.All(_replies, reply =>
        {
            var reader = new XdrReader(reply);
            Assert.True(ReplyHeader.TryReadStart(ref reader, out uint xid));
            _ = ReplyHeader.DecodeBody(ref reader, xid);
        });
        Assert.True(_calls.Count > 40 && _replies.Count > 40 && _rpcbindCalls.Count > 20 && _streams.Count > 4,
            $"{_calls.Count} calls, {_replies.Count} replies, {_rpcbindCalls.Count} rpcbind calls, {_streams.Count} stream pieces");

        if (Environment.GetEnvironmentVariable("NETRPC_UPDATE_SEEDS") == "1")
        {
            WriteSeeds();
        }
    }

    private void Record(NativeServer server, Func<int, string[]> client)
    {
        using var relay = new RecordingRelay(new IPEndPoint(IPAddress.Loopback, server.TcpPort), new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        Assert.DoesNotContain(client(relay.Port), line => line.Contains("FAILED", StringComparison.Ordinal));
        relay.Dispose(); // now, so that the streams are complete before they are read (disposing again is harmless)
        Keep(relay);
    }

    /// <summary>Every procedure of the three binder versions over UDP and TCP, with AUTH_NONE and AUTH_SYS, and rpcinfo's pings.</summary>
    private async Task RecordRpcbindAsync()
    {
        await using RpcbindServer rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback });
        using var relay = new RecordingRelay(rpcbind.TcpEndPoint, rpcbind.UdpEndPoint);
        var sys = new AuthSysParameters { Stamp = 0x5EED, MachineName = "seedhost", Uid = 1000, Gid = 100, Gids = [4, 24, 100] };
        foreach (bool tcp in new[] { false, true })
        {
            var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5), Credential = tcp ? RpcCredential.Sys(sys) : RpcCredential.None };
            await using (PortmapperV2Client v2 = tcp ? PortmapperV2Client.CreateTcp(relay.EndPoint, options) : PortmapperV2Client.CreateUdp(relay.EndPoint, options))
            {
                var mapping = new PortMapping { Prog = 100003, Vers = 3, Protocol = tcp ? 6u : 17u, Port = 2049 };
                await v2.NullAsync();
                Assert.True(await v2.SetAsync(mapping));
                Assert.Equal(2049u, await v2.GetPortAsync(mapping));
                Assert.NotNull(await v2.DumpAsync());
                Assert.True(await v2.UnsetAsync(mapping));
            }

            await using RpcbindV3Client v3 = tcp ? RpcbindV3Client.CreateTcp(relay.EndPoint, options) : RpcbindV3Client.CreateUdp(relay.EndPoint, options);
            await using RpcbindV4Client v4 = tcp ? RpcbindV4Client.CreateTcp(relay.EndPoint, options) : RpcbindV4Client.CreateUdp(relay.EndPoint, options);
            string netId = tcp ? "tcp" : "udp";
            var nfs = new RpcbMapping { Prog = 100003, Vers = 4, Netid = netId, Address = "127.0.0.1.8.1", Owner = "seed" };
            Assert.True(await v3.SetAsync(nfs));
            Assert.Equal("127.0.0.1.8.1", await v3.GetAddrAsync(nfs));
            Assert.NotNull(await v3.DumpAsync());
            _ = await v3.GetTimeAsync();
            Netbuf taddr = await v3.UaddrToTaddrAsync("127.0.0.1.0.111");
            Assert.Equal("127.0.0.1.0.111", await v3.TaddrToUaddrAsync(taddr));
            Assert.Equal("127.0.0.1.8.1", await v4.GetVersAddrAsync(nfs));
            Assert.NotNull(await v4.GetAddrListAsync(nfs));
            Assert.Equal(3, (await v4.GetStatAsync()).Length);
            Assert.True(await v4.UnsetAsync(nfs));
            if (!tcp)
            {
                // NFS is no longer registered: INDIRECT says so over UDP (PROG_UNAVAIL, as native rpcbind), CALLIT not at all.
                var remote = new RemoteCall { Prog = 100003, Vers = 4, Proc = 0, Arguments = [] };
                await Assert.ThrowsAsync<RpcProgramUnavailableException>(() => v4.IndirectAsync(remote));
                await using RpcbindV3Client quick = RpcbindV3Client.CreateUdp(relay.EndPoint, new RpcClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });
                await Assert.ThrowsAsync<RpcTimeoutException>(() => quick.CallitAsync(remote));
            }
        }

        // rpcinfo (libtirpc) at the relay's universal address: a NULL call to one version, and to all of them.
        if (FindRpcinfo() is { } rpcinfo)
        {
            string address = UniversalAddress.Format(relay.EndPoint);
            NativeToolchain.Run(rpcinfo, ["-T", "tcp", "-a", address, "100000", "4"], Path.GetTempPath());
            NativeToolchain.Run(rpcinfo, ["-T", "udp", "-a", address, "100000"], Path.GetTempPath());
        }

        relay.Dispose();
        int before = _calls.Count;
        Keep(relay);
        _rpcbindCalls.AddRange(_calls.Skip(before));
    }

    private void Keep(RecordingRelay relay)
    {
        _calls.AddRange(relay.TcpToServer.SelectMany(RecordingRelay.Records).Concat(relay.UdpCalls));
        _replies.AddRange(relay.TcpToClient.SelectMany(RecordingRelay.Records).Concat(relay.UdpReplies));
        foreach (byte[] stream in relay.TcpToServer.Concat(relay.TcpToClient))
        {
            _streams.AddRange(Pieces(stream));
        }
    }

    /// <summary>A stream in pieces that each hold whole records, about <see cref="StreamPieceSize"/> bytes or one larger record.</summary>
    private static IEnumerable<byte[]> Pieces(byte[] stream)
    {
        int start = 0;
        int at = 0;
        while (at + 4 <= stream.Length)
        {
            int length = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(at)) & 0x7FFF_FFFF);
            at = Math.Min(stream.Length, at + 4 + length);
            if (at - start >= StreamPieceSize)
            {
                yield return stream[start..at];
                start = at;
            }
        }

        if (at > start)
        {
            yield return stream[start..at];
        }
    }

    private static string? FindRpcinfo() =>
        NativeToolchain.FindOnPath("rpcinfo") ?? new[] { "/usr/sbin/rpcinfo", "/sbin/rpcinfo" }.FirstOrDefault(File.Exists);

    private void WriteSeeds()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NetRpc.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository is not above the test's output folder");
        }

        string folder = Path.Combine(root, "tests", "Fuzz", "Seeds");
        Write(folder, "calls", "calls: rpcgen's C clients (libtirpc) to rpcgen's C servers, NetRpc's rpcbind clients and rpcinfo to NetRpc's rpcbind", _calls);
        Write(folder, "replies", "replies to those calls: rpcgen's C servers (libtirpc) and NetRpc's rpcbind", _replies);
        Write(folder, "streams", "TCP byte streams of those connections, both ways, in pieces of whole records", _streams);
        Write(folder, "rpcbind-calls", "calls to rpcbind: NetRpc's generated clients (AUTH_NONE over UDP, AUTH_SYS over TCP) and rpcinfo", _rpcbindCalls);
    }

    private static void Write(string folder, string name, string what, List<byte[]> messages)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(what).Append('\n');
        text.Append("# Recorded by tests/Interop.Tests/TrafficCaptureTests.cs; see README.md. One message or stream piece per line, in hex.\n");
        foreach (string hex in messages.Select(m => Convert.ToHexString(m).ToLowerInvariant()).Distinct(StringComparer.Ordinal))
        {
            text.Append(hex).Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, name + ".hex"), text.ToString());
    }
}
