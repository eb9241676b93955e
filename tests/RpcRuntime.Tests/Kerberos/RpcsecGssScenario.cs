using System.Net.Sockets;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// Inside a <see cref="KerberosRealm"/>'s namespace: a NetRpc server with RPCSEC_GSS (the realm's keytab) and NetRpc
/// clients with alice's tickets, over TCP and UDP with krb5, krb5i and krb5p; then hostile messages on the wire (a
/// replayed sequence number, one below the window, a forged MIC, an unknown context) and a client without a ticket.
/// Prints one line per check, which <see cref="RpcsecGssTests"/> compares whole.
/// </summary>
internal static class RpcsecGssScenario
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        KerberosRealm.LogIn();
        bool threads = args is ["threads"];
        await using var server = new TestServer(new RpcServerOptions { RpcsecGss = new RpcsecGssServerOptions(), ThreadPerConnection = threads });

        foreach (bool tcp in new[] { true, false })
        {
            foreach (RpcsecGssService service in new[] { RpcsecGssService.None, RpcsecGssService.Integrity, RpcsecGssService.Privacy })
            {
                var credential = new RpcsecGssCredential("nfs@localhost", service);
                await using RpcClient client = server.Client(tcp, options: new RpcClientOptions { Timeout = Patience, Credential = credential });
                string principal = (await client.CallAsync<XdrVoid, TextValue>(13, default)).Value;
                int added = (await client.CallAsync<IntValue, IntValue>(1, new IntValue(41))).Value;

                // Calls in flight together: the server may answer them in any order, each under its own sequence number.
                IntValue[] many = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => client.CallAsync<IntValue, IntValue>(1, new IntValue(i)).AsTask()));
                bool together = many.Select(r => r.Value).SequenceEqual(Enumerable.Range(1, 64));
                byte[] blob = [.. Enumerable.Range(0, tcp ? 100_000 : 4_000).Select(i => (byte)(i * 7))];
                bool blobEqual = (await client.CallAsync<BlobValue, BlobValue>(7, new BlobValue(blob))).Value.AsSpan().SequenceEqual(blob);

                // A one-way call, sealed too: COUNT runs once more (the server's counter is watched, nothing comes back).
                int before = server.Counter;
                await client.SendOneWayAsync(5, default(XdrVoid));
                bool oneWay = await Until(() => server.Counter == before + 1);
                Console.WriteLine($"{(tcp ? "tcp" : "udp")} {service}: principal={principal} add={added} together={together} blob={blobEqual} oneway={oneWay}");
            }
        }

        await HostileAsync(server);
        await PolicyAsync(threads);
        await RetransmissionAsync();

        // No ticket, no context: the client says so before anything is sent.
        NativeToolchain.Run("kdestroy", [], Environment.CurrentDirectory, timeoutSeconds: 30);
        await using (RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Credential = new RpcsecGssCredential("nfs@localhost") }))
        {
            try
            {
                await client.CallAsync<IntValue, IntValue>(1, new IntValue(1));
                Console.WriteLine("no ticket: called anyway");
            }
            catch (RpcAuthenticationException e)
            {
                Console.WriteLine($"no ticket: {e.Status}");
            }
        }

        return 0;
    }

    /// <summary>
    /// A UDP reply lost (a relay drops the first one): the client sends the call again under a new sequence number
    /// (RFC 2203 section 5.3.3.1). Without a duplicate request cache the server runs it again (the same number again
    /// would be dropped as a replay, and the call would time out); with one, the cache answers with the first reply,
    /// whose verifier signs the first number, which the client still takes. COUNT tells how often it ran.
    /// </summary>
    private static async Task RetransmissionAsync()
    {
        foreach (bool cache in new[] { false, true })
        {
            await using var server = new TestServer(new RpcServerOptions { RpcsecGss = new RpcsecGssServerOptions(), UdpDuplicateRequestCache = cache ? new() : null }, tcp: false);
            using var relay = new LossyUdpRelay(server.Udp!);
            var options = new RpcClientOptions { Timeout = Patience, RetransmitInterval = TimeSpan.FromMilliseconds(200), Credential = new RpcsecGssCredential("nfs@localhost", RpcsecGssService.Integrity) };
            await using RpcClient client = RpcClient.CreateUdp(relay.EndPoint, TestServer.Program, 1, options);
            await client.CallAsync<XdrVoid, XdrVoid>(0, default); // NULL, so that the context exists before the reply to lose
            relay.DropNextReply();
            int count = (await client.CallAsync<XdrVoid, IntValue>(5, default)).Value;
            // Without the cache every transmission that gets through runs (on a loaded machine the client may send a third).
            string ran = cache ? $"ran {count} time(s)" : $"ran more than once: {count >= 2}";
            Console.WriteLine($"udp reply lost, {(cache ? "with" : "without")} the cache: answered, {ran}, {relay.Dropped} reply dropped");
        }
    }

    /// <summary>Between a UDP client and a server: forwards everything, but drops the next reply when told.</summary>
    private sealed class LossyUdpRelay : IDisposable
    {
        private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Thread _forward;
        private readonly Thread _backward;
        private System.Net.EndPoint? _client;
        private int _drop;

        public LossyUdpRelay(System.Net.IPEndPoint server)
        {
            _front.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            _back.Connect(server);
            _forward = new Thread(() => Pump(toServer: true)) { IsBackground = true };
            _backward = new Thread(() => Pump(toServer: false)) { IsBackground = true };
            _forward.Start();
            _backward.Start();
        }

        public System.Net.IPEndPoint EndPoint => (System.Net.IPEndPoint)_front.LocalEndPoint!;

        public int Dropped { get; private set; }

        public void DropNextReply() => Volatile.Write(ref _drop, 1);

        public void Dispose()
        {
            _front.Dispose();
            _back.Dispose();
            _forward.Join();
            _backward.Join();
        }

        private void Pump(bool toServer)
        {
            byte[] buffer = new byte[65536];
            try
            {
                while (true)
                {
                    if (toServer)
                    {
                        System.Net.EndPoint from = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
                        int n = _front.ReceiveFrom(buffer, ref from);
                        Volatile.Write(ref _client, from);
                        _back.Send(buffer.AsSpan(0, n));
                    }
                    else
                    {
                        int n = _back.Receive(buffer);
                        if (Interlocked.Exchange(ref _drop, 0) == 1)
                        {
                            Dropped++;
                            continue;
                        }

                        _front.SendTo(buffer.AsSpan(0, n), Volatile.Read(ref _client)!);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // disposed
            }
        }
    }

    /// <summary>Whether <paramref name="condition"/> comes true within the patience (polled).</summary>
    private static async Task<bool> Until(Func<bool> condition)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > Patience)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>A program that requires krb5i: weaker calls refused AUTH_TOOWEAK, NULL answered to anyone.</summary>
    private static async Task PolicyAsync(bool threads)
    {
        await using var server = new TestServer(new RpcServerOptions { RpcsecGss = new RpcsecGssServerOptions(), ThreadPerConnection = threads }, program: p => p.RequireRpcsecGss(RpcsecGssService.Integrity));
        var results = new List<string>();
        foreach (RpcCredential credential in new RpcCredential[] { RpcCredential.SysForCurrentProcess(), new RpcsecGssCredential("nfs@localhost", RpcsecGssService.None), new RpcsecGssCredential("nfs@localhost", RpcsecGssService.Integrity), new RpcsecGssCredential("nfs@localhost", RpcsecGssService.Privacy) })
        {
            await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Credential = credential });
            await client.CallAsync<XdrVoid, XdrVoid>(0, default);
            try
            {
                results.Add($"{(credential as RpcsecGssCredential)?.Service.ToString() ?? "sys"} {(await client.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value}");
            }
            catch (RpcAuthenticationException e)
            {
                results.Add($"{(credential as RpcsecGssCredential)?.Service.ToString() ?? "sys"} {e.Status}");
            }
        }

        Console.WriteLine($"krb5i required: {string.Join(", ", results)}");
    }

    /// <summary>Sealed calls sent by hand on a connection of their own, the context made by a client.</summary>
    private static async Task HostileAsync(TestServer server)
    {
        var credential = new RpcsecGssCredential("nfs@localhost", RpcsecGssService.Integrity);
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Credential = credential });
        await client.CallAsync<IntValue, IntValue>(1, new IntValue(0));
        GssClientSession session = credential.SessionFor(client)!;

        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var guard = new CancellationTokenSource(Patience);
        byte[] early = Sealed(session, 0x4000, 7); // its sequence number falls below the window later
        byte[] call = Sealed(session, 0x4001, 41);
        await stream.WriteAsync(Wire.Record(call), guard.Token);
        Console.WriteLine($"sealed by hand: {Describe(await Wire.ReadRecordAsync(stream, guard.Token))}");

        // The same bytes again: a replay, dropped without a reply; the next call's reply is the next thing read.
        await stream.WriteAsync(Wire.Record(call), guard.Token);
        await stream.WriteAsync(Wire.Record(Sealed(session, 0x4002, 1)), guard.Token);
        Console.WriteLine($"replayed, then another: {Describe(await Wire.ReadRecordAsync(stream, guard.Token))}");

        // Past the window (128): the early call's number is now below it.
        for (int i = 0; i < 130; i++)
        {
            await client.CallAsync<IntValue, IntValue>(1, new IntValue(i));
        }

        await stream.WriteAsync(Wire.Record(early), guard.Token);
        await stream.WriteAsync(Wire.Record(Sealed(session, 0x4003, 2)), guard.Token);
        Console.WriteLine($"below the window, then another: {Describe(await Wire.ReadRecordAsync(stream, guard.Token))}");

        // A forged MIC (the last byte of the verifier flipped) and an unknown context: AUTH_ERROR, RPCSEC_GSS_CREDPROBLEM.
        byte[] forged = Sealed(session, 0x4004, 3);
        int credentialLength = (int)Wire.WordAt(forged, 7);
        int verifierEnd = 32 + credentialLength + 8 + (int)Wire.WordAt(forged, 8 + credentialLength / 4 + 1);
        forged[verifierEnd - 1] ^= 1;
        await stream.WriteAsync(Wire.Record(forged), guard.Token);
        Console.WriteLine($"forged MIC: {Describe(await Wire.ReadRecordAsync(stream, guard.Token))}");

        byte[] stranger = Sealed(session, 0x4005, 4);
        stranger[32 + 20] ^= 0xFF; // the first byte of the context handle
        await stream.WriteAsync(Wire.Record(stranger), guard.Token);
        Console.WriteLine($"unknown context: {Describe(await Wire.ReadRecordAsync(stream, guard.Token))}");

        // Sealed calls with bytes changed at random in their verifier or their sealed arguments, each followed by a good
        // call: each is refused or dropped, and the good call after it is always answered.
        var random = new Random(2203);
        int answeredGood = 0;
        foreach (RpcsecGssService service in new[] { RpcsecGssService.Integrity, RpcsecGssService.Privacy })
        {
            var sealing = new RpcsecGssCredential("nfs@localhost", service);
            await using RpcClient owner = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Credential = sealing });
            await owner.CallAsync<IntValue, IntValue>(1, new IntValue(0));
            GssClientSession sealingSession = sealing.SessionFor(owner)!;
            for (uint i = 0; i < 100; i++)
            {
                byte[] mutated = Sealed(sealingSession, 0x5000 + i, 5);
                int verifierStart = 32 + (int)Wire.WordAt(mutated, 7);
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutated[random.Next(verifierStart, mutated.Length)] ^= (byte)random.Next(1, 256);
                }

                await stream.WriteAsync(Wire.Record(mutated), guard.Token);
                await stream.WriteAsync(Wire.Record(Sealed(sealingSession, 0x6000 + i, 6)), guard.Token);
                while (await Wire.ReadRecordAsync(stream, guard.Token) is { } reply)
                {
                    if (Wire.WordAt(reply, 0) == 0x6000 + i)
                    {
                        answeredGood += Wire.WordAt(reply, 2) == 0 ? 1 : 0;
                        break;
                    }

                    if (Wire.WordAt(reply, 0) != 0x5000 + i || (Wire.WordAt(reply, 2) == 0 && Wire.WordAt(reply, 5 + (int)Wire.WordAt(reply, 4) / 4) == 0))
                    {
                        Console.WriteLine($"a changed call was answered as if whole: {Describe(reply)}");
                    }
                }
            }
        }

        Console.WriteLine($"changed calls: the good call after each answered {answeredGood} of 200");

        // And the client whose context it is goes on.
        Console.WriteLine($"the client after: {(await client.CallAsync<IntValue, IntValue>(1, new IntValue(99))).Value}");
    }

    private static byte[] Sealed(GssClientSession session, uint xid, int value)
    {
        using var message = new NetRpc.Runtime.Transports.PooledBufferWriter(256);
        session.WriteCall(message, GssProcedure.Data, xid, TestServer.Program, 1, 1, Wire.Words((uint)value));
        return message.WrittenSpan.ToArray();
    }

    /// <summary>A reply, in words: its XID, and ACCEPTED with the accept status, or DENIED with the auth status.</summary>
    private static string Describe(byte[]? reply) =>
        reply is null ? "connection closed"
        : Wire.WordAt(reply, 2) == 0 ? $"xid {Wire.WordAt(reply, 0):x} accepted, status {Wire.WordAt(reply, 5 + (int)Wire.WordAt(reply, 4) / 4)}"
        : $"xid {Wire.WordAt(reply, 0):x} denied, auth status {Wire.WordAt(reply, 4)}";
}
