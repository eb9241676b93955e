using System.Net;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using NetRpc.Interop.Tests.Support;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.RpcGen;
using NetRpc.RpcGen.Emit;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// The Wireshark dissectors rpcgen --wireshark generates, run by tshark on real traffic: NetRpc's generated clients
/// calling NetRpc's generated servers, over TCP and UDP, recorded by a relay and written as a capture. Every call and
/// reply is found and decoded with no malformed frame; every byte of the arguments and results lies in a field (or is
/// XDR padding); the values tshark shows are the values sent, field by field, for every procedure of rich.x and
/// my_proto.x.
/// </summary>
public sealed class WiresharkDissectorTests
{
    private static readonly RpcClientOptions Options = new() { Timeout = TimeSpan.FromSeconds(30) };

    [TsharkFact]
    public async Task The_generated_dissector_decodes_every_procedure_of_rich_x_as_sent()
    {
        var capture = new PcapWriter();
        await using (var server = new GeneratedServer(new RichService().ToProgram()))
        {
            foreach (bool tcp in new[] { true, false })
            {
                using var relay = new RecordingRelay(server.Tcp, server.Udp);

                // AUTH_SYS over TCP, AUTH_NONE over UDP: the arguments decode after either credential.
                RpcClientOptions options = tcp ? Options with { Credential = NetRpc.Runtime.Auth.RpcCredential.SysForCurrentProcess() } : Options;
                await using (RichV1Client client = tcp ? RichV1Client.CreateTcp(relay.EndPoint, options) : RichV1Client.CreateUdp(relay.EndPoint, options))
                {
                    await client.EchoAsync(RichSamples.Get(1));
                    await client.EchoAsync(RichSamples.Get(2));
                    await client.AddAsync(40, 2);
                    await client.ReverseAsync(new Node { Label = "a", Weight = 1, Next = new Node { Label = "b", Weight = 2 } });
                    await client.NextAsync(Color.Blue);
                    await client.CheckAsync(Shape.FromSides([3, 4]), Maybe.FromValue("nick"), 77);
                    await client.ResetAsync();
                    await client.CountAsync();
                }

                relay.Dispose();
                Add(capture, relay, tcp);
            }
        }

        List<Message> messages = Decode(capture, "rich.x");
        Assert.Equal(32, messages.Count); // 8 calls and 8 replies, over TCP and over UDP
        foreach (bool tcp in new[] { true, false })
        {
            List<Message> over = [.. messages.Where(m => m.Tcp == tcp)];
            Assert.Equal(["ECHO", "ECHO", "ECHO", "ECHO", "ADD", "ADD", "REVERSE", "REVERSE", "NEXT", "NEXT", "CHECK", "CHECK", "RESET", "RESET", "COUNT", "COUNT"], over.Select(m => m.Procedure));

            // ECHO of every construct: the call and its reply carry the same values.
            foreach (Message echo in over.Take(2))
            {
                Assert.Equal(["-123456"], echo.Values("rich.primitives.i").Take(1));
                Assert.Equal(["4000000000", "-1234567890123", "18000000000000000000", "1.5", "-2.25"], [
                    echo.Values("rich.primitives.u")[0], echo.Values("rich.primitives.h")[0], echo.Values("rich.primitives.uh")[0],
                    echo.Values("rich.primitives.f")[0], echo.Values("rich.primitives.d")[0]]);
                Assert.Equal(Hex(XdrBytes((ref XdrWriter w) => w.WriteQuadruple(XdrQuadruple.FromDouble(3.5)))), echo.Raw("rich.primitives.q")[0]);
                Assert.Equal(["1", "7", "-1"], [echo.Values("rich.primitives.b")[0], echo.Values("rich.primitives.c")[0], echo.Values("rich.primitives.c")[1]]);
                Assert.Equal(["TRUE", "BLUE", "NONE"], [echo.Shown("rich.primitives.b")[0], echo.Shown("rich.primitives.c")[0], echo.Shown("rich.primitives.c")[1]]);
                Assert.Equal("010203040506", echo.Raw("rich.everything.hash")[0]);
                Assert.Equal("deadbeef01", echo.Raw("rich.everything.blob")[0]);
                Assert.Equal(["héllo wörld"], echo.Values("rich.everything.any"));
                Assert.Equal(["sixteen-chars-ok"], echo.Values("rich.everything.name"));
                Assert.Equal(["a", "bb", "ccc"], echo.Values("rich.everything.names"));
                Assert.Equal(["1", "-2", "3"], echo.Values("rich.everything.triple"));
                Assert.Equal(["10", "20", "30", "40", "50"], echo.Values("rich.everything.counts"));
                Assert.Equal([long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)], echo.Values("rich.everything.pair"));
                Assert.Equal(["0", "1", "7"], echo.Values("rich.shape.kind"));
                Assert.Equal(["2.5"], echo.Values("rich.shape.radius"));
                Assert.Equal(["3", "4"], echo.Values("rich.shape.sides"));
                Assert.Equal(["1"], echo.Values("rich.maybe.present"));
                Assert.Equal(["nick"], echo.Values("rich.maybe.value"));
                Assert.Equal(["2"], echo.Values("rich.result.status"));
                Assert.Equal(["two"], echo.Values("rich.result.message"));
                Assert.Equal(["1"], echo.Values("rich.tagged.tag"));
                Assert.Equal([0x0123456789abcdef.ToString(System.Globalization.CultureInfo.InvariantCulture)], echo.Values("rich.tagged.big"));
                Assert.Equal(["x", "y", "z"], echo.Values("rich.node.label"));
                Assert.Equal(["1", "2", "-3"], echo.Values("rich.node.weight"));
                Assert.Equal(["-123456", "7"], echo.Values("rich.primitives.i"));
                Assert.Equal(["1", "-1", "0"], echo.Values("rich.everything.colors"));
                Assert.Equal(["1", "0"], echo.Values("rich.everything.flags"));
                Assert.Equal(2, echo.Raw("rich.everything.quads").Count);
            }

            // The other arms: sides of none, a void default, the default arm's data.
            foreach (Message echo in over.Skip(2).Take(2))
            {
                Assert.Equal(["1"], echo.Values("rich.shape.kind"));
                Assert.Equal(["7"], echo.Values("rich.result.status"));
                Assert.Empty(echo.Values("rich.result.message"));
                Assert.Equal(["9"], echo.Values("rich.tagged.tag"));
                Assert.Equal("010203", echo.Raw("rich.tagged.raw")[0]);
                Assert.Equal(["only"], echo.Values("rich.node.label"));
            }

            Assert.Equal(["40", "2"], [.. over[4].Values("rich.v1.ADD.arg1"), .. over[4].Values("rich.v1.ADD.arg2")]);
            Assert.Equal(["42"], over[5].Values("rich.v1.ADD.result"));
            Assert.Equal(["a", "b"], over[6].Values("rich.node.label"));
            Assert.Equal(["b", "a"], over[7].Values("rich.node.label"));
            Assert.Equal(["BLUE"], over[8].Shown("rich.v1.NEXT.arg1"));
            Assert.Equal(["RED"], over[9].Shown("rich.v1.NEXT.result"));
            Assert.Equal(["3", "4"], over[10].Values("rich.shape.sides"));
            Assert.Equal(["nick"], over[10].Values("rich.maybe.value"));
            Assert.Equal(["77"], over[10].Values("rich.v1.CHECK.arg3"));
            Assert.Single(over[11].Values("rich.result.status"));
            Assert.Empty(over[12].Fields);
            Assert.Empty(over[13].Fields);
            Assert.Equal(["1"], over[15].Values("rich.v1.COUNT.result"));
        }
    }

    [TsharkFact]
    public async Task The_generated_dissector_decodes_my_proto_x_as_sent()
    {
        var capture = new PcapWriter();
        await using (var server = new GeneratedServer(new MyProtoService().ToProgram()))
        {
            foreach (bool tcp in new[] { true, false })
            {
                using var relay = new RecordingRelay(server.Tcp, server.Udp);
                // AUTH_SYS here: its credential is decoded into fields, and the arguments after it still are.
                var sys = Options with { Credential = NetRpc.Runtime.Auth.RpcCredential.Sys(new NetRpc.Runtime.Auth.AuthSysParameters { Stamp = 0x5EED, MachineName = "wireshark-host", Uid = 1000, Gid = 100, Gids = [4, 24] }) };
                await using (MyProto.TestVersClient client = tcp ? MyProto.TestVersClient.CreateTcp(relay.EndPoint, sys) : MyProto.TestVersClient.CreateUdp(relay.EndPoint, sys))
                {
                    await client.TestAsync();
                    await client.Client.CallAsync<XdrVoid, XdrVoid>(0, default); // NULL, which every program answers
                }

                relay.Dispose();
                Add(capture, relay, tcp);
            }
        }

        List<Message> messages = Decode(capture, "my_proto.x");
        Assert.Equal(["TEST", "TEST", "NULL", "NULL", "TEST", "TEST", "NULL", "NULL"], messages.Select(m => m.Procedure));
        Assert.Equal(["100"], messages[1].Values("my_proto.v1.TEST.result"));
        Assert.Equal(["100"], messages[5].Values("my_proto.v1.TEST.result"));
        foreach (int call in new[] { 0, 2, 4, 6 })
        {
            Assert.Equal(["wireshark-host", "1000", "100", "4", "24"], [.. messages[call].Values("my_proto.auth.machinename"), .. messages[call].Values("my_proto.auth.uid"),
                .. messages[call].Values("my_proto.auth.gid"), .. messages[call].Values("my_proto.auth.gids")]);
        }
    }

    [TsharkFact]
    public async Task The_generated_dissector_decodes_bench_x_as_sent_with_records_over_many_segments()
    {
        var capture = new PcapWriter();
        byte[] big = [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31))];
        byte[] small = [.. Enumerable.Range(0, 4000).Select(i => (byte)(i * 7))];
        var record = new NetRpc.Bench.Protocol.BigStruct { I1 = 1, I2 = -2, I3 = 3, I4 = 4, H1 = 5, H2 = -6, H3 = 7, Name = "sum me", Values = [8, 9] };
        await using (var server = new GeneratedServer(new BenchService().ToProgram()))
        {
            foreach (bool tcp in new[] { true, false })
            {
                using var relay = new RecordingRelay(server.Tcp, server.Udp);
                await using (var client = tcp ? NetRpc.Bench.Protocol.BenchVersClient.CreateTcp(relay.EndPoint, Options) : NetRpc.Bench.Protocol.BenchVersClient.CreateUdp(relay.EndPoint, Options))
                {
                    await client.PingAsync();
                    using (PooledOpaque echoed = await client.EchoAsync(PooledOpaque.CopyOf(tcp ? big : small)))
                    {
                    }

                    await client.SumAsync(record);
                }

                relay.Dispose();
                Add(capture, relay, tcp);
            }
        }

        List<Message> messages = Decode(capture, "bench.x");
        Assert.Equal(["PING", "PING", "ECHO", "ECHO", "SUM", "SUM", "PING", "PING", "ECHO", "ECHO", "SUM", "SUM"], messages.Select(m => m.Procedure));
        foreach (int at in new[] { 0, 6 })
        {
            string payload = Hex(at == 0 ? big : small);
            Assert.Equal([payload], messages[at + 2].Raw("bench.v1.ECHO.arg1"));
            Assert.Equal([payload], messages[at + 3].Raw("bench.v1.ECHO.result"));
            Assert.Equal(["1", "-2", "3", "4"], [.. new[] { "i1", "i2", "i3", "i4" }.Select(f => messages[at + 4].Values("bench.big_struct." + f)[0])]);
            Assert.Equal(["5", "-6", "7", "sum me", "8", "9", "0"], [.. messages[at + 4].Values("bench.big_struct.h1"), .. messages[at + 4].Values("bench.big_struct.h2"),
                .. messages[at + 4].Values("bench.big_struct.h3"), .. messages[at + 4].Values("bench.big_struct.name"), .. messages[at + 4].Values("bench.big_struct.values"), .. messages[at + 4].Values("bench.big_struct.sum")]);
            Assert.Equal(["29"], messages[at + 5].Values("bench.big_struct.sum"));
        }
    }

    /// <summary>
    /// rpcinfo (libtirpc) and NetRpc's generated rpcbind clients talking to NetRpc's rpcbind, on port 111 in the capture:
    /// Wireshark's own portmap/rpcbind dissector and the one generated from rpcbind.x (RFC 1833) agree on every value
    /// both show, message by message.
    /// </summary>
    [TsharkFact(WithRpcinfo = true)]
    public async Task The_dissector_generated_from_rpcbind_x_agrees_with_wiresharks_own_on_rpcinfo_traffic()
    {
        string rpcinfo = TsharkFactAttribute.Rpcinfo!;
        var capture = new PcapWriter();
        await using (RpcbindServer rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback }))
        {
            foreach (bool tcp in new[] { true, false })
            {
                using var relay = new RecordingRelay(rpcbind.TcpEndPoint, rpcbind.UdpEndPoint);
                await using (PortmapperV2Client v2 = tcp ? PortmapperV2Client.CreateTcp(relay.EndPoint, Options) : PortmapperV2Client.CreateUdp(relay.EndPoint, Options))
                {
                    var mapping = new PortMapping { Prog = 100003, Vers = 3, Protocol = tcp ? 6u : 17u, Port = 2049 };
                    await v2.SetAsync(mapping);
                    await v2.GetPortAsync(mapping);
                    await v2.DumpAsync();
                    await v2.UnsetAsync(mapping);
                }

                await using (RpcbindV3Client v3 = tcp ? RpcbindV3Client.CreateTcp(relay.EndPoint, Options) : RpcbindV3Client.CreateUdp(relay.EndPoint, Options))
                {
                    var nfs = new RpcbMapping { Prog = 100003, Vers = 4, Netid = tcp ? "tcp" : "udp", Address = "127.0.0.1.8.1", Owner = "wireshark" };
                    await v3.SetAsync(nfs);
                    await v3.GetAddrAsync(nfs);
                    await v3.UnsetAsync(nfs);
                }

                NativeToolchain.Run(rpcinfo, ["-T", tcp ? "tcp" : "udp", "-a", UniversalAddress.Format(relay.EndPoint), "100000", "4"], Path.GetTempPath());
                NativeToolchain.Run(rpcinfo, ["-T", tcp ? "tcp" : "udp", "-a", UniversalAddress.Format(relay.EndPoint), "100000", "2"], Path.GetTempPath());
                relay.Dispose();
                Add(capture, relay, tcp, serverPort: 111);
            }
        }

        // Wireshark's own dissector, on port 111; then the generated one alone (the RPC dissector off, so that it is not first).
        List<Message> ours = Decode(capture, Path.Combine(AppContext.BaseDirectory, "Protocols", "rpcbind.x"), "--disable-protocol", "rpc");
        List<XElement> theirs = Packets(capture);
        Assert.Equal(theirs.Count, ours.Count);
        (string Theirs, string Ours, bool Text)[] pairs =
        [
            ("rpc.xid", ".xid", false), ("rpc.program", ".program", false), ("rpc.programversion", ".version", false), ("rpc.procedure", ".procedure", false),
            ("rpc.replystat", ".reply_stat", false), ("rpc.state_accept", ".accept_stat", false),
            ("portmap.prog", ".port_mapping.prog", false), ("portmap.version", ".port_mapping.vers", false),
            ("portmap.proto", ".port_mapping.protocol", false), ("portmap.port", ".port_mapping.port|.v2.GET_PORT.result", false),
            ("portmap.rpcb.prog", ".rpcb_mapping.prog", false), ("portmap.rpcb.version", ".rpcb_mapping.vers", false),
            ("portmap.rpcb.netid", ".rpcb_mapping.netid", true), ("portmap.rpcb.addr", ".rpcb_mapping.address", true),
            ("portmap.rpcb.owner", ".rpcb_mapping.owner", true), ("portmap.uaddr", ".v3.GET_ADDR.result", true),
        ];
        int compared = 0;
        for (int i = 0; i < theirs.Count; i++)
        {
            foreach ((string builtIn, string generated, bool text) in pairs)
            {
                // Only what is on the wire: Wireshark also shows generated items (the call's version again in a reply), of no size.
                List<string> expected = [.. theirs[i].Descendants("field").Where(f => (string?)f.Attribute("name") == builtIn && ((int?)f.Attribute("size") ?? 0) > 0)
                    .Select(f => text ? (string)f.Attribute("show")! : (string)f.Attribute("value")!)];
                if (expected.Count == 0)
                {
                    continue;
                }

                string[] names = [.. generated.Split('|').Select(n => ours[i].Abbreviation + n)];
                List<string> actual = [.. ours[i].All.Where(f => names.Contains(f.Name)).Select(f => text ? f.Show : f.Raw)];
                Assert.True(expected.SequenceEqual(actual), $"packet {i + 1}, {builtIn}: Wireshark shows [{string.Join(", ", expected)}], the generated dissector [{string.Join(", ", actual)}]");
                compared += expected.Count;
            }
        }

        Assert.True(compared > 100, $"only {compared} values compared");
    }

    private sealed class BenchService : NetRpc.Bench.Protocol.BenchVersServiceBase
    {
        public override ValueTask PingAsync(NetRpc.Runtime.Server.RpcCallContext context) => ValueTask.CompletedTask;

        public override ValueTask<PooledOpaque> EchoAsync(PooledOpaque opaqueBlob, NetRpc.Runtime.Server.RpcCallContext context) => ValueTask.FromResult(PooledOpaque.CopyOf(opaqueBlob.Span));

        public override ValueTask<NetRpc.Bench.Protocol.BigStruct> SumAsync(NetRpc.Bench.Protocol.BigStruct bigStruct, NetRpc.Runtime.Server.RpcCallContext context)
        {
            bigStruct.Sum = bigStruct.I1 + bigStruct.I2 + bigStruct.I3 + bigStruct.I4 + bigStruct.H1 + bigStruct.H2 + (long)bigStruct.H3 + bigStruct.Values.Sum();
            return ValueTask.FromResult(bigStruct);
        }
    }

    /// <summary>Writes what the relay saw into the capture: TCP call by call, each followed by its reply; UDP likewise.</summary>
    private static void Add(PcapWriter capture, RecordingRelay relay, bool tcp, int serverPort = 0)
    {
        var client = new IPEndPoint(IPAddress.Parse("10.0.0.1"), tcp ? 40001 : 40002);
        var server = new IPEndPoint(IPAddress.Parse("10.0.0.2"), serverPort != 0 ? serverPort : tcp ? 20049 : 20050);
        if (tcp)
        {
            for (int i = 0; i < relay.TcpToServer.Count; i++)
            {
                List<byte[]> calls = SplitRecords(relay.TcpToServer[i]);
                List<byte[]> replies = SplitRecords(relay.TcpToClient[i]);
                Assert.Equal(calls.Count, replies.Count);
                capture.Tcp(new IPEndPoint(client.Address, client.Port + 10 * i), server, calls.Zip(replies));
            }

            return;
        }

        Assert.Equal(relay.UdpCalls.Count, relay.UdpReplies.Count);
        for (int i = 0; i < relay.UdpCalls.Count; i++)
        {
            capture.Udp(client, server, relay.UdpCalls[i]);
            capture.Udp(server, client, relay.UdpReplies[i]);
        }
    }

    /// <summary>A record-marked stream cut into its records, each with its marks (a record may have several fragments).</summary>
    private static List<byte[]> SplitRecords(byte[] stream)
    {
        var records = new List<byte[]>();
        int start = 0;
        for (int at = 0; at + 4 <= stream.Length;)
        {
            uint mark = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(at));
            at += 4 + (int)(mark & 0x7FFF_FFFF);
            if ((mark & 0x8000_0000) != 0)
            {
                records.Add(stream[start..at]);
                start = at;
            }
        }

        return records;
    }

    /// <summary>Runs tshark with the dissector generated from <paramref name="file"/>; its messages, after the checks every capture must pass.</summary>
    private static List<Message> Decode(PcapWriter capture, string file, params string[] tsharkOptions)
    {
        string folder = Directory.CreateTempSubdirectory("netrpc-wireshark-").FullName;
        try
        {
            string path = Path.IsPathRooted(file) ? file : Path.Combine(AppContext.BaseDirectory, "Protocols", file);
            GenerateResult generated = RpcgenCompiler.Generate(path, new FileSources(), generation: new GenerationOptions { Outputs = GeneratedOutputs.Wireshark });
            GeneratedFile lua = Assert.Single(generated.Files);
            string script = Path.Combine(folder, lua.Name);
            File.WriteAllText(script, lua.Text);
            string pcap = Path.Combine(folder, "capture.pcap");
            File.WriteAllBytes(pcap, capture.ToArray());
            string pdml = NativeToolchain.Run("tshark", ["-r", pcap, "-X", "lua_script:" + script, "-T", "pdml", .. tsharkOptions], folder, timeoutSeconds: 120);

            // Named after the file, or with _x where Wireshark has that name already.
            string stem = Path.GetFileNameWithoutExtension(file);
            var messages = new List<Message>();
            foreach (XElement packet in XDocument.Parse(pdml).Root!.Elements("packet"))
            {
                Assert.DoesNotContain(packet.Descendants("field"), f => (string?)f.Attribute("name") is "_ws.malformed" or "_ws.lua.error");
                bool tcp = packet.Elements("proto").Any(p => (string?)p.Attribute("name") == "tcp");
                foreach (XElement proto in packet.Elements("proto").Where(p => (string?)p.Attribute("name") is { } name && (name == stem || name == stem + "_x")))
                {
                    messages.Add(new Message(tcp, proto));
                }
            }

            Assert.All(messages, m => Assert.DoesNotContain(m.All, f => f.Name is var name && (name.EndsWith(".malformed", StringComparison.Ordinal) || name.EndsWith(".trailing", StringComparison.Ordinal))));
            Assert.All(messages, m => m.AssertCovered());
            return messages;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] XdrBytes(XdrAction write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private delegate void XdrAction(ref XdrWriter writer);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>One RPC message as the dissector shows it: its procedure, and its fields in order.</summary>
    /// <summary>The packets of a capture as Wireshark's own dissectors show them.</summary>
    private static List<XElement> Packets(PcapWriter capture)
    {
        string folder = Directory.CreateTempSubdirectory("netrpc-wireshark-").FullName;
        try
        {
            string pcap = Path.Combine(folder, "capture.pcap");
            File.WriteAllBytes(pcap, capture.ToArray());
            return [.. XDocument.Parse(NativeToolchain.Run("tshark", ["-r", pcap, "-T", "pdml"], folder, timeoutSeconds: 120)).Root!.Elements("packet")];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Message(bool tcp, XElement proto)
    {
        public bool Tcp { get; } = tcp;

        /// <summary>The protocol's filter name, which starts every field's.</summary>
        public string Abbreviation { get; } = (string)proto.Attribute("name")!;

        public List<(string Name, string Show, string Raw, int Position, int Size)> All { get; } = [.. proto.Descendants("field")
            .Where(f => !string.IsNullOrEmpty((string?)f.Attribute("name")))
            .Select(f => ((string)f.Attribute("name")!, (string?)f.Attribute("show") ?? "", (string?)f.Attribute("value") ?? "", (int?)f.Attribute("pos") ?? 0, (int?)f.Attribute("size") ?? 0))];

        /// <summary>The procedure's name, as the message's tree item shows it ("..., ECHO Call").</summary>
        public string Procedure => Name();

        /// <summary>The fields of the arguments or results: all but the header's.</summary>
        public List<(string Name, string Show, string Raw, int Position, int Size)> Fields => [.. All.Where(f => !IsHeader(f.Name) && !f.Name.StartsWith("_ws.", StringComparison.Ordinal))];

        public List<string> Values(string name) => [.. All.Where(f => f.Name == name).Select(f => f.Show)];

        /// <summary>What an enum or bool field's value is called.</summary>
        public List<string> Shown(string name) => [.. proto.Descendants("field").Where(f => (string?)f.Attribute("name") == name)
            .Select(f => ((string?)f.Attribute("showname") ?? "").Split(": ", 2)[^1].Split(" (", 2)[0])];

        public List<string> Raw(string name) => [.. All.Where(f => f.Name == name).Select(f => f.Raw)];

        /// <summary>Every byte after the header lies in exactly one field, or is zero padding of fewer than 4 bytes.</summary>
        public void AssertCovered()
        {
            var body = Fields.OrderBy(f => f.Position).ToList();
            for (int i = 1; i < body.Count; i++)
            {
                int end = body[i - 1].Position + body[i - 1].Size;
                Assert.InRange(body[i].Position - end, 0, 3);
            }
        }

        private string Name()
        {
            string text = proto.Attribute("showname")?.Value ?? "";
            int comma = text.LastIndexOf(", ", StringComparison.Ordinal);
            return comma < 0 ? "?" : text[(comma + 2)..].Split(' ')[0];
        }

        private static bool IsHeader(string name) =>
            name.Split('.') is [_, "xid" or "msgtype" or "rpcvers" or "program" or "version" or "procedure" or "reply_stat" or "accept_stat" or "reject_stat" or "auth_stat" or "low" or "high"]
            || name.Contains(".auth.", StringComparison.Ordinal);
    }

    private sealed class FileSources : ISourceProvider
    {
        public string? ReadFile(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
    }
}

/// <summary>A test that runs tshark: skipped, with the reason in its name, where tshark is not installed; under NETRPC_REQUIRE_NATIVE=1 (CI) it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TsharkFactAttribute : FactAttribute
{
    private readonly string _test;
    private readonly string _file;

    public TsharkFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        (_test, _file) = (test, file);
        Skipping.Unless(this, NativeToolchain.FindOnPath("tshark") is null ? "tshark is not installed (Debian: tshark)" : null, test, file);
    }

    /// <summary>libtirpc's rpcinfo, or null.</summary>
    public static string? Rpcinfo { get; } = NativeToolchain.FindOnPath("rpcinfo") ?? new[] { "/usr/sbin/rpcinfo", "/sbin/rpcinfo" }.FirstOrDefault(File.Exists);

    /// <summary>The test runs rpcinfo too.</summary>
    public bool WithRpcinfo
    {
        get => false;
        init
        {
            if (value && Skip is null)
            {
                Skipping.Unless(this, Rpcinfo is null ? "rpcinfo is not installed (Debian: rpcbind)" : null, _test, _file);
            }
        }
    }
}
