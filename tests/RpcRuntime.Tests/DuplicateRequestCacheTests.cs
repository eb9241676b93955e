using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The duplicate request cache against the attacks an adversarial campaign made on it: a reply replayed to another
/// caller, floods of cheap calls that evict the entries at-most-once depends on, and one source crowding out
/// another. Each server-level test plays the attacker on raw sockets, so nothing in the client hides what happens.
/// </summary>
public sealed class DuplicateRequestCacheTests(ITestOutputHelper output)
{
    private const uint WhoamiProcedure = 6;
    private const uint Count = 5;
    private const uint Hold = 10;
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    [Fact]
    public void A_call_is_the_same_call_only_from_the_same_credential()
    {
        using var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions());
        CacheCalls.Answer(cache, 1, "x", [1], credential: CacheCalls.AuthSys(uid: 0));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "x", credential: CacheCalls.AuthSys(uid: 1000)));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "x", credential: CacheCalls.AuthSys(uid: 0, gid: 0)));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "x", credential: CacheCalls.AuthSys(uid: 0, machine: "other")));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "x", credential: CacheCalls.AuthSys(0, 100, "client", 1, 10)));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "x")); // AUTH_NONE

        // The stamp is the client's to change (libtirpc sets it per handle): the same caller still.
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(cache, 1, "x", credential: CacheCalls.AuthSys(uid: 0, stamp: 99)));
    }

    [Fact]
    public void An_entry_of_a_running_call_is_never_evicted()
    {
        using var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { MaxEntries = 2 });
        for (uint xid = 1; xid <= 5; xid++)
        {
            CacheCalls.Begin(cache, xid, "running");
        }

        for (uint xid = 100; xid < 200; xid++)
        {
            CacheCalls.Answer(cache, xid, "finished", [1]);
        }

        for (uint xid = 1; xid <= 5; xid++)
        {
            Assert.Equal(DuplicateRequestCache.Lookup.Running, CacheCalls.Begin(cache, xid, "running"));
        }

        Assert.Equal(5 + 2, cache.Count);
    }

    [Fact]
    public void A_source_that_floods_the_cache_evicts_its_own_entries_not_another_s()
    {
        using var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { MaxEntries = 100 });
        byte[] victim = [10, 0, 0, 1];
        byte[] flooder = [10, 0, 0, 2];
        for (uint xid = 1; xid <= 20; xid++)
        {
            CacheCalls.Answer(cache, xid, "victim", [1], victim);
        }

        for (uint xid = 1; xid <= 10_000; xid++)
        {
            CacheCalls.Answer(cache, xid, "flood", [2], flooder);
        }

        for (uint xid = 1; xid <= 20; xid++)
        {
            Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(cache, xid, "victim", victim));
        }

        // The flooder keeps what is left, its newest.
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(cache, 10_000, "flood", flooder));
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(cache, 1, "flood", flooder));
    }

    [Fact]
    public void The_byte_bound_is_fair_too()
    {
        using var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { MaxBytes = 100_000 });
        byte[] victim = [10, 0, 0, 1];
        CacheCalls.Answer(cache, 1, "victim", new byte[1000], victim);
        for (uint xid = 1; xid <= 1000; xid++)
        {
            CacheCalls.Answer(cache, xid, "flood", new byte[5000], [10, 0, 0, 2]);
        }

        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(cache, 1, "victim", victim));
        Assert.InRange(cache.Bytes, 1, 100_000);
    }

    [Fact]
    public async Task A_cached_tcp_reply_is_not_served_to_another_caller_on_a_new_connection()
    {
        // The campaign: uid 1000 on a new connection replays uid 0's XID and arguments, and got uid 0's reply.
        await using var server = new TestServer(new RpcServerOptions { TcpDuplicateRequestCache = new() }, udp: false);
        Assert.Equal("client:0", await WhoamiOverTcpAsync(server.Tcp!, 0x5151, uid: 0));
        Assert.Equal("client:1000", await WhoamiOverTcpAsync(server.Tcp!, 0x5151, uid: 1000));

        // The same caller on a new connection is still the same caller (a client that reconnects to resend): the
        // retransmission is answered from the cache; another credential's runs.
        Assert.Equal(1u, Wire.WordAt(await CallOverTcpAsync(server.Tcp!, CountCall(0x5252, uid: 0)), 6));
        Assert.Equal(1u, Wire.WordAt(await CallOverTcpAsync(server.Tcp!, CountCall(0x5252, uid: 0)), 6));
        Assert.Equal(2u, Wire.WordAt(await CallOverTcpAsync(server.Tcp!, CountCall(0x5252, uid: 1000)), 6));
        Assert.Equal(2, server.Counter);
    }

    [Fact]
    public async Task A_cached_udp_reply_is_not_served_to_another_user_on_the_same_port()
    {
        // The campaign: a user who binds the victim's freed port and replays its call got the victim's reply.
        await using var server = new TestServer(tcp: false);
        int port;
        using (Socket victim = Udp(IPAddress.Loopback, 0))
        {
            port = ((IPEndPoint)victim.LocalEndPoint!).Port;
            Assert.Equal("client:0", Whoami(victim, server.Udp!, 0x6161, uid: 0));
        }

        using Socket attacker = Udp(IPAddress.Loopback, port);
        Assert.Equal("client:1000", Whoami(attacker, server.Udp!, 0x6161, uid: 1000));
        Assert.Equal("client:0", Whoami(attacker, server.Udp!, 0x6161, uid: 0)); // the same credential: the cache answers
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_flood_of_null_and_refused_calls_does_not_make_a_running_or_finished_call_run_again(bool running)
    {
        // The campaign: 20,000 NULL datagrams from another port evicted entries. Here the cache holds 100 entries, so
        // 2,000 cheap calls (NULL, and calls to a program not served) would flush it ten times over if they entered it.
        await using var server = new TestServer(new RpcServerOptions { UdpDuplicateRequestCache = new() { MaxEntries = 100 } }, tcp: false);
        using Socket caller = Udp(IPAddress.Loopback, 0);
        byte[] call = running ? Wire.Call(0x7171, TestServer.Program, 1, Hold, arguments: Wire.Words(0)) : Wire.Call(0x7171, TestServer.Program, 1, Count);
        caller.SendTo(call, server.Udp!);
        if (running)
        {
            await HostileClientTests.WaitUntilAsync(() => server.Held == 1, "the call is running");
        }
        else
        {
            Assert.Equal(Wire.Accepted(0x7171, 0, 1), Receive(caller)); // a reply the caller will act as if it lost
        }

        using (Socket flood = Udp(IPAddress.Loopback, 0))
        {
            for (uint i = 0; i < 2000; i++)
            {
                byte[] cheap = i % 2 == 0 ? Wire.Call(i, TestServer.Program, 1, 0) : Wire.Call(i, 0x3000_0000, 1, 1);
                byte[] reply = Exchange(flood, server.Udp!, cheap);
                Assert.Equal(i, Wire.WordAt(reply, 0));
            }
        }

        caller.SendTo(call, server.Udp!); // the retransmission
        if (running)
        {
            server.Release();
            Assert.Equal(Wire.Accepted(0x7171, 0, 0), Receive(caller));
            Assert.Equal(1, server.Held);
        }
        else
        {
            Assert.Equal(Wire.Accepted(0x7171, 0, 1), Receive(caller));
            Assert.Equal(1, server.Counter);
        }

        (long hits, long misses, long inProgress, long evictions) = server.Server.UdpDuplicateRequestCacheCounters;
        output.WriteLine($"after 2,000 cheap calls: {misses} call(s) entered the cache, {hits} hit(s), {inProgress} dropped as running, {evictions} eviction(s)");
        Assert.Equal(1, misses);
    }

    [Fact]
    public async Task Real_calls_flooded_from_another_address_do_not_evict_a_callers_finished_call()
    {
        await using var server = new TestServer(new RpcServerOptions { UdpDuplicateRequestCache = new() { MaxEntries = 100 } }, tcp: false);
        using Socket caller = Udp(IPAddress.Loopback, 0);
        byte[] call = Wire.Call(0x8181, TestServer.Program, 1, Count);
        caller.SendTo(call, server.Udp!);
        Assert.Equal(Wire.Accepted(0x8181, 0, 1), Receive(caller));

        using (Socket flood = Udp(Other, 0))
        {
            for (uint i = 0; i < 1000; i++)
            {
                Exchange(flood, server.Udp!, Wire.Call(i, TestServer.Program, 1, Count));
            }
        }

        caller.SendTo(call, server.Udp!);
        Assert.Equal(Wire.Accepted(0x8181, 0, 1), Receive(caller)); // the stored reply: it did not run again
        Assert.Equal(1001, server.Counter);
    }

    private static Socket Udp(IPAddress address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 30_000 };
        socket.Bind(new IPEndPoint(address, port));
        return socket;
    }

    private static byte[] Receive(Socket socket)
    {
        byte[] buffer = new byte[9000];
        int length = socket.Receive(buffer);
        return buffer[..length];
    }

    private static byte[] Exchange(Socket socket, EndPoint server, byte[] call)
    {
        socket.SendTo(call, server);
        return Receive(socket);
    }

    private static byte[] WhoamiCall(uint xid, uint uid) => AuthSysCall(xid, WhoamiProcedure, uid);

    private static byte[] CountCall(uint xid, uint uid) => AuthSysCall(xid, Count, uid);

    private static byte[] AuthSysCall(uint xid, uint procedure, uint uid) =>
        Wire.Call(xid, TestServer.Program, 1, procedure, credentialFlavor: 1, credentialBody: CacheCalls.AuthSys(uid, gid: 0).Body.ToArray());

    /// <summary>WHOAMI's answer, "machine:uid", from a reply: xid, REPLY, MSG_ACCEPTED, verf, SUCCESS, string.</summary>
    private static string WhoamiOf(byte[] reply)
    {
        Assert.Equal(0u, Wire.WordAt(reply, 5));
        int length = (int)Wire.WordAt(reply, 6);
        string text = Encoding.ASCII.GetString(reply, 28, length);
        return string.Join(':', text.Split(':')[..2]);
    }

    private static string Whoami(Socket socket, EndPoint server, uint xid, uint uid) => WhoamiOf(Exchange(socket, server, WhoamiCall(xid, uid)));

    private static async Task<string> WhoamiOverTcpAsync(IPEndPoint server, uint xid, uint uid) => WhoamiOf(await CallOverTcpAsync(server, WhoamiCall(xid, uid)));

    /// <summary>One call on a connection of its own: each comes from a new port, as a reconnecting client's would.</summary>
    private static async Task<byte[]> CallOverTcpAsync(IPEndPoint server, byte[] call)
    {
        using Socket socket = await Wire.ConnectAsync(server);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Wire.Record(call));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        byte[]? reply = await Wire.ReadRecordAsync(stream, guard.Token);
        Assert.NotNull(reply);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(call), BinaryPrimitives.ReadUInt32BigEndian(reply));
        return reply;
    }
}
