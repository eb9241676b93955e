using System.Collections.Concurrent;
using System.Net;
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
                made.Span.Fill(0x5a);
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
            Assert.All(seen, value => Assert.Throws<ObjectDisposedException>(() => value.Memory));
            Assert.Equal([true, false, true, true], service.Borrowed.ToArray()); // 10 bytes are copied: too short to lend
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
            Assert.True(kept.Value.Span.IndexOfAnyExcept((byte)0x5a) < 0); // not overwritten by the replies read after it
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
