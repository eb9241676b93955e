using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The tests of this collection measure the process's managed heap, so they run alone, after the others: a
/// test allocating beside them would blur what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory";
}

/// <summary>
/// Clients that attack the server's resources rather than its parser, each found by an adversarial campaign:
/// peers that never read their replies, trickle a record a byte at a time, open every connection from one
/// address, or flood UDP calls at a slow handler. Each attack is bounded by an option, and the server keeps
/// serving everyone else. Memory is measured on the managed heap after a full collection: what the server holds,
/// not what it threw away. Run against both TCP server designs.
/// </summary>
[Collection(MemoryCollection.Name)]
public abstract class HostileClientTests(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    protected const int MiB = 1 << 20;
    private const int ReplySize = 256 * 1024;
    protected static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Clients_that_never_read_their_replies_are_held_to_a_bounded_backlog_and_memory_returns()
    {
        // The campaign's attack: 4 connections x 17 KiB of GROW(256 KiB) calls, replies never read (+806 MiB).
        await using var server = new TestServer(Design(new RpcServerOptions { WriteTimeout = TimeSpan.FromMinutes(10) }), udp: false);
        await using RpcClient bystander = server.Client(tcp: true, options: Quick);
        Assert.Equal(2, (await bystander.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value);
        long before = Heap();

        List<Socket> attackers = await AttackWithUnreadRepliesAsync(server.Tcp!, 4, 17 * 1024, xid => Wire.Call(xid, TestServer.Program, 1, 9, arguments: Wire.Words(ReplySize)));
        try
        {
            await WaitUntilAsync(() => server.Server.ConnectionsWaitingForPeer == 4, "every attacking connection waits for its peer to read");
            long held = Heap() - before;
            Output.WriteLine($"held while 4 connections do not read: {held / (double)MiB:F1} MiB on the heap, {server.Server.QueuedReplyBytes / (double)MiB:F1} MiB of replies queued");

            // Four connections at 4 MiB each, the buffers that hold them, and a batch of replies each.
            Assert.True(held < 32 * MiB, $"the server holds {held / MiB} MiB for 4 connections that do not read");
            Assert.Equal(3, (await bystander.CallAsync<IntValue, IntValue>(1, new IntValue(2))).Value);
        }
        finally
        {
            attackers.ForEach(a => a.Dispose());
        }

        await WaitUntilAsync(() => server.Server.ConnectionCount == 1 && server.Server.QueuedReplyBytes == 0, "the server closes the attackers' connections");
        long after = Heap() - before;
        Output.WriteLine($"held after the attackers left: {after / (double)MiB:F1} MiB");
        Assert.True(after < 12 * MiB, $"the server still holds {after / MiB} MiB after the attackers left");
    }

    [Fact]
    public async Task A_peer_that_takes_no_replies_for_the_write_timeout_is_closed()
    {
        await using var server = new TestServer(Design(new RpcServerOptions { WriteTimeout = TimeSpan.FromSeconds(1) }), udp: false);
        List<Socket> attackers = await AttackWithUnreadRepliesAsync(server.Tcp!, 1, 4 * 1024, xid => Wire.Call(xid, TestServer.Program, 1, 9, arguments: Wire.Words(ReplySize)));
        using Socket attacker = attackers[0];
        await WaitUntilAsync(() => server.Server.ConnectionCount == 0, "the server closes a connection whose peer takes nothing");
        Assert.Equal(0, server.Server.QueuedReplyBytes);
    }

    [Fact]
    public async Task A_record_trickled_a_byte_at_a_time_is_cut_off_at_its_deadline()
    {
        // Each byte is activity, so the idle timeout (2 minutes) never fires; the record's deadline does.
        await using var server = new TestServer(Design(new RpcServerOptions { RecordTimeout = TimeSpan.FromSeconds(1) }), udp: false);
        using Socket trickler = await Wire.ConnectAsync(server.Tcp!);
        byte[] record = Wire.Record(Wire.Call(1, TestServer.Program, 1, 1, arguments: Wire.Words(5)));
        bool closed = false;
        for (int i = 0; i < 600 && !closed; i++)
        {
            try
            {
                await trickler.SendAsync(record.AsMemory(i % (record.Length - 1), 1));
                closed = server.Server.ConnectionCount == 0;
            }
            catch (SocketException)
            {
                closed = true;
            }

            await Task.Delay(100);
        }

        Assert.True(closed, "a record trickled a byte at a time for a minute was still being read");
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        Assert.Equal(6, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(5))).Value);
    }

    [Fact]
    public async Task One_address_cannot_take_every_connection()
    {
        // The campaign's lock-out: as many trickling connections as the server allows, all from 127.0.0.1.
        const int MaxConnections = 1000;
        await using var server = new TestServer(Design(new RpcServerOptions { MaxConnections = MaxConnections }), udp: false);
        var attackers = new List<Socket>();
        try
        {
            for (int i = 0; i < MaxConnections; i++)
            {
                Socket socket = await Wire.ConnectAsync(server.Tcp!);
                attackers.Add(socket);
                await socket.SendAsync(new byte[] { 0x80 }); // the first byte of a record mark, and no more
            }

            int perAddress = MaxConnections / 4; // the default cap: a quarter of MaxConnections
            await WaitUntilAsync(() => server.Server.ConnectionCount <= perAddress, "the connections over the per-address cap are closed");
            Output.WriteLine($"connections held by 127.0.0.1 after {MaxConnections} attempts: {server.Server.ConnectionCount}");

            // Another address gets in and is served.
            using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            other.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await other.ConnectAsync(server.Tcp!);
            await using var stream = new NetworkStream(other);
            await stream.WriteAsync(Wire.Record(Wire.Call(77, TestServer.Program, 1, 1, arguments: Wire.Words(41))));
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            byte[]? reply = await Wire.ReadRecordAsync(stream, guard.Token);
            Assert.NotNull(reply);
            Assert.Equal(Wire.Accepted(77, 0, 42), reply);
        }
        finally
        {
            attackers.ForEach(s => s.Dispose());
        }
    }

    /// <summary>True: a thread per connection; false: the platform's default (epoll loops on Linux).</summary>
    protected abstract bool ThreadPerConnection { get; }

    protected RpcServerOptions Design(RpcServerOptions? options = null) => (options ?? new RpcServerOptions()) with { ThreadPerConnection = ThreadPerConnection };

    /// <summary>The managed heap after a full collection: what is held, not what was thrown away.</summary>
    protected static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

    /// <summary>
    /// Connections that send <paramref name="bytesOfCalls"/> of calls each and never read: their receive buffers are
    /// as small as the kernel allows, so the replies pile up on the server's side.
    /// </summary>
    protected static async Task<List<Socket>> AttackWithUnreadRepliesAsync(IPEndPoint server, int connections, int bytesOfCalls, Func<uint, byte[]> call)
    {
        var sockets = new List<Socket>();
        uint xid = 1;
        for (int c = 0; c < connections; c++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            sockets.Add(socket);
            await socket.ConnectAsync(server);
            var calls = new List<byte>();
            while (calls.Count < bytesOfCalls)
            {
                calls.AddRange(Wire.Record(call(xid++)));
            }

            // Sent without waiting: once the server stops reading, the rest sits in the kernel's buffers.
            _ = socket.SendAsync(calls.ToArray());
        }

        return sockets;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        // The condition is read once per round and the last reading is what counts: read again for the assertion, a
        // condition that holds for a moment (a send that blocks, then drains a little) could pass the loop and fail here.
        bool met = condition();
        for (int i = 0; i < 1200 && !met; i++)
        {
            await Task.Delay(50);
            met = condition();
        }

        Assert.True(met, $"timed out waiting: {what}");
    }
}

/// <summary><see cref="HostileClientTests"/> on the epoll event loops (Linux; elsewhere the same as threads).</summary>
public sealed class HostileClientTestsOnEventLoops(ITestOutputHelper output) : HostileClientTests(output)
{
    protected override bool ThreadPerConnection => false;

    [Fact]
    public async Task Rpcbind_dump_to_clients_that_never_read_is_held_to_a_bounded_backlog()
    {
        // netrpc-rpcbind's variant: DUMP of a full registry, 5 connections that never read (41 -> 856 MB).
        // The registrations come from an unprivileged port (owner "unknown"): its quota is lifted to fill the registry.
        await using RpcbindServer rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback, LocalSocketPath = null, MaxRegistrationsPerOwner = 2048, ReservedForSuperuser = 16 });
        var client = new RpcbindClient(IPAddress.Loopback, rpcbind.TcpEndPoint.Port, Quick);
        for (uint i = 0; i < 2000; i++)
        {
            await client.RegisterAsync(0x20100000 + i, 1, RpcTransport.Tcp, new IPEndPoint(IPAddress.Any, 5000));
        }

        long before = Heap();
        List<Socket> attackers = await AttackWithUnreadRepliesAsync(rpcbind.TcpEndPoint, 5, 16 * 1024, xid => Wire.Call(xid, 100000, 2, 4));
        try
        {
            await WaitUntilAsync(() => rpcbind.Server.ConnectionsWaitingForPeer == 5, "every attacking connection waits for its peer to read");
            long held = Heap() - before;
            Output.WriteLine($"rpcbind holds {held / (double)MiB:F1} MiB for 5 connections that do not read DUMP replies");
            Assert.True(held < 40 * MiB, $"rpcbind holds {held / MiB} MiB for 5 connections that do not read");
            Assert.NotEmpty(await client.DumpAsync());
        }
        finally
        {
            attackers.ForEach(a => a.Dispose());
        }
    }

    [Fact]
    public async Task The_server_wide_backlog_bound_holds_across_connections()
    {
        const int Bound = 4 << 20;
        await using var server = new TestServer(Design(new RpcServerOptions { MaxQueuedReplyBytes = Bound, WriteTimeout = TimeSpan.FromMinutes(10) }), udp: false);
        var attackers = new List<Socket>();
        try
        {
            for (int c = 0; c < 4; c++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                attackers.Add(socket);
                await socket.ConnectAsync(server.Tcp!);
                _ = socket.SendAsync(Enumerable.Range(0, 300).SelectMany(i => Wire.Record(Wire.Call((uint)((c * 1000) + i), TestServer.Program, 1, 9, arguments: Wire.Words(256 * 1024)))).ToArray());
            }

            await WaitUntilAsync(() => server.Server.ConnectionsWaitingForPeer == 4, "every attacking connection waits for its peer to read");

            // Over the bound by at most what each connection had in hand when it was reached: a batch of replies.
            long queued = server.Server.QueuedReplyBytes;
            Assert.InRange(queued, 1, Bound + (4 * (64 * 1024 + (256 * 1024) + 64)));
        }
        finally
        {
            attackers.ForEach(a => a.Dispose());
        }
    }
}

/// <summary><see cref="HostileClientTests"/> with a thread per connection, the design used without epoll.</summary>
public sealed class HostileClientTestsOnThreads(ITestOutputHelper output) : HostileClientTests(output)
{
    protected override bool ThreadPerConnection => true;
}

/// <summary>UDP calls to a slow handler: bounded per source address and in all, the excess dropped and counted.</summary>
[Collection(MemoryCollection.Name)]
public sealed class UdpFloodTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Udp_calls_to_a_slow_handler_are_bounded_per_source_and_in_all()
    {
        // The campaign sent 354,000 datagrams of 8 KiB to a slow handler: 39 -> 1,284 MiB.
        using var meters = new TestMeters();
        var options = new RpcServerOptions { MeterFactory = meters, MaxUdpCallsInFlight = 300, MaxUdpCallsInFlightPerAddress = 256 };
        await using var server = new TestServer(options, tcp: false);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        try
        {
            using Socket flood = Source("127.0.0.1");
            int sent = Flood(flood, server, 1, () => Dropped(meters, "address_busy") > 0);
            int slack = options.UdpReceiveThreads; // a receive thread may admit one call past a bound
            Assert.InRange(server.Server.InFlightUdpCalls, 256, 256 + slack);
            long held = GC.GetTotalMemory(forceFullCollection: true) - before;
            output.WriteLine($"{sent} datagrams of 8 KiB from one source: {server.Server.InFlightUdpCalls} calls held, {held / (double)(1 << 20):F1} MiB on the heap, {Dropped(meters, "address_busy")} dropped");
            Assert.True(held < 16 << 20, $"the server holds {held >> 20} MiB for one source's calls");

            // Another source is still served, until the server-wide bound.
            using Socket other = Source("127.0.0.2");
            other.SendTo(Wire.Call(7, TestServer.Program, 1, 1, arguments: Wire.Words(41)), server.Udp!);
            byte[] reply = new byte[512];
            other.ReceiveTimeout = 30_000;
            int length = other.Receive(reply);
            Assert.Equal(Wire.Accepted(7, 0, 42), reply[..length]);

            Flood(other, server, 100_000, () => Dropped(meters, "server_busy") > 0);
            Assert.InRange(server.Server.InFlightUdpCalls, 300, 300 + (2 * slack));
        }
        finally
        {
            server.Release();
        }

        await HostileClientTests.WaitUntilAsync(() => server.Server.InFlightUdpCalls == 0, "the held calls finish once released");
    }

    private static Socket Source(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return socket;
    }

    private static double Dropped(TestMeters meters, string reason) => meters.Sum("rpc.server.datagrams.dropped", "reason", reason);

    /// <summary>HOLD calls of 8 KiB until <paramref name="done"/>; a bounded number, so a server with no bound fails the test rather than the machine.</summary>
    private static int Flood(Socket socket, TestServer server, uint firstXid, Func<bool> done)
    {
        byte[] arguments = [.. Wire.Words(8000), .. new byte[8000]];
        int sent = 0;
        for (uint xid = firstXid; !done(); xid++)
        {
            Assert.True(sent < 50_000, "50,000 datagrams were taken without a drop");
            socket.SendTo(Wire.Call(xid, TestServer.Program, 1, 10, arguments: arguments), server.Udp!);
            sent++;
            if (sent % 64 == 0)
            {
                Thread.Sleep(1); // let the server's receive threads keep up, so that the kernel drops little
            }
        }

        return sent;
    }
}
