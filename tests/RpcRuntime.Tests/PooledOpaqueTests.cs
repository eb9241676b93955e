using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// Opaque data in pooled memory end to end (issue 15 item 8): a server's handler gets arguments that borrow the receive
/// buffer, the runtime gives them and the results back once the reply is written, and a client's caller gets results it
/// disposes. Both server designs.
/// </summary>
public abstract class PooledOpaqueTests
{
    private const uint Program = 0x20000155;
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(60) };

    protected abstract bool ThreadPerConnection { get; }

    private sealed class Service
    {
        public ConcurrentQueue<PooledOpaque> Seen { get; } = new();

        public ConcurrentQueue<bool> Borrowed { get; } = new();

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RpcProgram Build() => new RpcProgramBuilder(Program, 1, "POOLED")
            .AddProcedure<PooledValue, PooledValue>(1, "ECHO", (a, _) =>
            {
                Note(a.Value);
                return ValueTask.FromResult(a);
            })
            .AddProcedure<PooledValue, PooledValue>(2, "ECHO_LATER", async (a, _) =>
            {
                Note(a.Value);
                await Gate.Task;
                return new PooledValue(PooledOpaque.CopyOf(a.Value.Span)); // still intact after other calls were read
            })
            .AddProcedure<IntValue, PooledValue>(3, "MAKE", (n, _) =>
            {
                PooledOpaque made = PooledOpaque.Rent(n.Value);
                made.Span.Fill(Filling(n.Value));
                Seen.Enqueue(made);
                return ValueTask.FromResult(new PooledValue(made));
            })
            .Build();

        private void Note(PooledOpaque value)
        {
            Seen.Enqueue(value);
            // A slice of the receive buffer starts after the call's header; a copy starts its rented array.
            Borrowed.Enqueue(MemoryMarshal.TryGetArray<byte>(value.Memory, out ArraySegment<byte> segment) && segment.Offset > 0);
        }
    }

    private async Task<(RpcServer Server, RpcClient Client, Service Service)> StartAsync()
    {
        var service = new Service();
        var server = new RpcServer(new RpcServerOptions { ThreadPerConnection = ThreadPerConnection });
        server.AddProgram(service.Build());
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        RpcClient client = RpcClient.CreateTcp(tcp, Program, 1, Quick);
        await client.CallAsync<XdrVoid, XdrVoid>(0, default);
        return (server, client, service);
    }

    /// <summary>What MAKE fills its results with: one value per length, so that two results' arrays cannot pass for each other.</summary>
    private static byte Filling(int length) => (byte)(0x5a ^ length);

    private static byte[] Bytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Arguments_borrow_the_receive_buffer_and_are_given_back_once_the_reply_is_written()
    {
        (RpcServer server, RpcClient client, Service service) = await StartAsync();
        await using (server)
        await using (client)
        {
            foreach (int length in new[] { 65_536, 10, 200_000, 4096 })
            {
                byte[] sent = Bytes(length, length);
                using PooledValue echoed = await client.CallAsync<PooledValue, PooledValue>(1, new PooledValue(PooledOpaque.Wrap(sent)));
                Assert.Equal(sent, echoed.Value.ToArray());
            }

            PooledOpaque[] seen = [.. service.Seen];
            Assert.Equal(4, seen.Length);

            // Given back once sent: on an event loop the reply leaves from the receive buffer itself (a gathered send).
            await HostileClientTests.WaitUntilAsync(() => seen.All(IsDisposed), "every argument is given back");
            Assert.Equal([true, false, true, true], service.Borrowed.ToArray()); // 10 bytes are copied: too short to lend
        }
    }

    /// <summary>ECHO calls of <paramref name="lengths"/> and MAKE calls, as records sent in one write.</summary>
    private static (byte[] Calls, byte[][] Expected) Batch(int[] lengths)
    {
        var calls = new List<byte>();
        var expected = new byte[lengths.Length][];
        for (int i = 0; i < lengths.Length; i++)
        {
            uint xid = (uint)(1000 + i);
            bool make = i % 3 == 2;
            byte[] data = make ? Enumerable.Repeat(Filling(lengths[i]), lengths[i]).ToArray() : Bytes(lengths[i], i);
            byte[] arguments = make ? Wire.Words((uint)lengths[i]) : [.. Wire.Words((uint)data.Length), .. data, .. new byte[(4 - (data.Length % 4)) % 4]];
            calls.AddRange(Wire.Record(Wire.Call(xid, Program, 1, make ? 3u : 1u, arguments: arguments)));
            expected[i] = [.. Wire.Accepted(xid, 0, (uint)data.Length), .. data, .. new byte[(4 - (data.Length % 4)) % 4]];
        }

        return ([.. calls], expected);
    }

    [Fact]
    public async Task Calls_that_arrive_together_are_answered_byte_for_byte_from_the_buffer_they_arrived_in()
    {
        (RpcServer server, RpcClient client, Service service) = await StartAsync();
        await using (server)
        await using (client)
        {
            // Every third call is a MAKE (results in arrays rented from the pool); the first two rent from the same bucket.
            int[] lengths = [4095, 3, 5000, 4097, 10, 5001, 65_536, 70_001, 200_003, 9_000, 4_098, 30_002, 5, 12_345];
            (byte[] calls, byte[][] expected) = Batch(lengths);
            using Socket socket = await Wire.ConnectAsync(server.TcpEndPoints[0]);
            await ExchangeAsync(socket, calls, expected, service, beforeReading: () => Task.CompletedTask);
        }
    }

    /// <summary>Sends the calls in one write, waits for <paramref name="beforeReading"/>, reads the replies, and checks that the pooled values go back.</summary>
    private static async Task ExchangeAsync(Socket socket, byte[] calls, byte[][] expected, Service service, Func<Task> beforeReading)
    {
        await using var stream = new NetworkStream(socket);
        Task sending = stream.WriteAsync(calls).AsTask();
        await beforeReading();
        foreach (byte[] reply in expected)
        {
            Assert.Equal(reply, await Wire.ReadRecordAsync(stream));
        }

        await sending;
        await HostileClientTests.WaitUntilAsync(() => service.Seen.All(IsDisposed), "every pooled value is given back");
    }

    [Fact]
    public async Task Replies_that_a_slow_reader_takes_in_part_arrive_whole()
    {
        (RpcServer server, RpcClient client, Service service) = await StartAsync();
        await using (server)
        await using (client)
        {
            int[] lengths = [.. Enumerable.Range(0, 20).Select(i => 500_001 + i)];
            (byte[] calls, byte[][] expected) = Batch(lengths);

            // 10 MB of replies against a small receive window and at most 4 MB (tcp_wmem) in the server's socket: an event
            // loop's socket takes some reply in part, and the rest waits in the connection's queue.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(server.TcpEndPoints[0]);
            await ExchangeAsync(socket, calls, expected, service, beforeReading: () => ThreadPerConnection
                ? Task.CompletedTask
                : HostileClientTests.WaitUntilAsync(() => server.QueuedReplyBytes > 0, "a reply waits in part, before any is read"));
        }
    }

    [Fact]
    public async Task A_handler_that_finishes_later_keeps_its_arguments_while_the_connection_reads_on()
    {
        (RpcServer server, RpcClient client, Service service) = await StartAsync();
        await using (server)
        await using (client)
        {
            byte[] first = Bytes(50_000, 1);
            Task<PooledValue> later = client.CallAsync<PooledValue, PooledValue>(2, new PooledValue(PooledOpaque.Wrap(first))).AsTask();
            await HostileClientTests.WaitUntilAsync(() => !service.Seen.IsEmpty, "the handler has its arguments");

            // More calls on the same connection: their records land where the first one's arguments would be, unless lent.
            for (int i = 0; i < 20; i++)
            {
                byte[] other = Bytes(50_000, 100 + i);
                using PooledValue echoed = await client.CallAsync<PooledValue, PooledValue>(1, new PooledValue(PooledOpaque.Wrap(other)));
                Assert.Equal(other, echoed.Value.ToArray());
            }

            service.Gate.SetResult();
            using PooledValue result = await later;
            Assert.Equal(first, result.Value.ToArray());
            Assert.True(service.Seen.TryPeek(out PooledOpaque? held));
            await HostileClientTests.WaitUntilAsync(() => IsDisposed(held!), "the held arguments are given back after the reply");
        }
    }

    [Fact]
    public async Task Results_a_handler_rents_are_given_back_and_a_clients_results_stay_valid_until_it_disposes_them()
    {
        (RpcServer server, RpcClient client, Service service) = await StartAsync();
        await using (server)
        await using (client)
        {
            PooledValue kept = await client.CallAsync<IntValue, PooledValue>(3, new IntValue(70_000));
            for (int i = 0; i < 10; i++)
            {
                using PooledValue other = await client.CallAsync<IntValue, PooledValue>(3, new IntValue(60_000 + i));
                Assert.Equal(60_000 + i, other.Value.Length);
            }

            Assert.Equal(70_000, kept.Value.Length);
            Assert.True(kept.Value.Span.IndexOfAnyExcept(Filling(70_000)) < 0); // not overwritten by the replies read after it
            kept.Value.Dispose();
            Assert.All(service.Seen, value => Assert.True(IsDisposed(value)));
        }
    }

    private static bool IsDisposed(PooledOpaque value)
    {
        try
        {
            _ = value.Memory;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}

public class PooledOpaqueTestsOnEventLoops : PooledOpaqueTests
{
    protected override bool ThreadPerConnection => false;
}

public class PooledOpaqueTestsOnThreads : PooledOpaqueTests
{
    protected override bool ThreadPerConnection => true;
}
