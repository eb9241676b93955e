using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// Streamed replies (YPPROC_ALL's shape: TRUE and an element, again and again, then FALSE, in one record): read by
/// <see cref="RpcClient.CallStreamAsync{TArgs, TElement}"/> as the fragments arrive, written by a streamed procedure
/// as its handler yields, with memory bounded on both sides and the server held back while the client does not pull.
/// Every wait is for a condition, never for time.
/// </summary>
public abstract class StreamedReplyTests(ITestOutputHelper output)
{
    private const uint Program = 0x20000202;
    private const uint All = 1;
    private const uint FailAfter = 2;
    private const uint FailFirst = 3;
    private const uint Endless = 4;
    private const uint Gated = 5;
    private const int GateAt = 1000;
    private const uint WaitsForAbort = 6;

    // What each ALL entry says: a number and some text, so that entries straddle fragments and reads.
    private static readonly string Padding = new('x', 100);

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _atGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sawAbort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _produced;
    private int _disposed;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>True: a thread per connection; false: the platform's default (epoll loops on Linux).</summary>
    protected abstract bool ThreadPerConnection { get; }

    [Fact]
    public async Task A_stream_of_100000_entries_is_read_whole_in_bounded_memory()
    {
        const int Count = 100_000;
        await using RpcServer server = Serve(new RpcServerOptions { MaxQueuedReplyBytesPerConnection = 256 * 1024 }, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);

        // A call made while the stream is read waits behind it (its reply cannot go between the stream's fragments), and is answered.
        Task<XdrVoid>? behind = null;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long heldMost = 0;
        long queuedMost = 0;
        int read = 0;
        await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(All, new IntValue(Count)))
        {
            Assert.Equal(read, entry.Index);
            Assert.Equal(Padding, entry.Text);
            read++;
            queuedMost = Math.Max(queuedMost, server.QueuedReplyBytes);
            if (read % 25_000 == 0)
            {
                heldMost = Math.Max(heldMost, GC.GetTotalMemory(forceFullCollection: true) - before);
            }

            if (read == 10)
            {
                behind = client.CallAsync<XdrVoid, XdrVoid>(0, default).AsTask();
            }
        }

        Assert.Equal(Count, read);
        await behind!;
        long total = (long)Count * (8 + 4 + 4 + Padding.Length);
        Output.WriteLine($"{total / 1e6:F1} MB streamed; at most {heldMost / 1e6:F2} MB more on the heap during it, {queuedMost} bytes queued on the server");

        // The client's MaxRecordSize (2 MiB) did not cap the stream, which is 6 times larger; what it held stayed far below it.
        Assert.True(total > 3 * new RpcClientOptions().MaxRecordSize);
        Assert.True(heldMost < 4 << 20, $"the heap grew by {heldMost} bytes while the stream was read");
        Assert.True(queuedMost <= (256 * 1024) + (2 * StreamedReply.FragmentSize), $"the server queued {queuedMost} bytes");
    }

    [Fact]
    public async Task A_consumer_that_stops_pulling_holds_the_server_back()
    {
        const int Bound = 128 * 1024;
        await using RpcServer server = Serve(new RpcServerOptions { MaxQueuedReplyBytesPerConnection = Bound, WriteTimeout = TimeSpan.FromMinutes(10) }, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1, new RpcClientOptions { Timeout = TimeSpan.FromMinutes(10) });

        // A million entries (over 100 MB): if nothing held the server back, it would produce them all.
        const int Count = 1_000_000;
        await using IAsyncEnumerator<Entry> entries = client.CallStreamAsync<IntValue, Entry>(All, new IntValue(Count)).GetAsyncEnumerator();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(await entries.MoveNextAsync());
        }

        // The client stops pulling: its window fills, then the sockets' buffers, then the server's queue, and the server waits.
        await HostileClientTests.WaitUntilAsync(() => server.ConnectionsWaitingForPeer == 1, "the server waits for the client to read");
        int produced = Volatile.Read(ref _produced);
        long queued = server.QueuedReplyBytes;
        Output.WriteLine($"held back after {produced} of {Count} entries, {queued} bytes queued on the server");
        Assert.True(produced < Count / 4, $"the server produced {produced} entries for a client that read 10");
        Assert.True(queued <= Bound + (2 * StreamedReply.FragmentSize), $"the server queued {queued} bytes");

        // Pulling again, the client gets the rest, in order.
        int read = 10;
        while (await entries.MoveNextAsync())
        {
            Assert.Equal(read++, entries.Current.Index);
        }

        Assert.Equal(Count, read);
    }

    [Fact]
    public async Task Cancelling_mid_stream_abandons_the_call_and_the_client_goes_on()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);
        using var cancel = new CancellationTokenSource();
        int read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(Endless, default).WithCancellation(cancel.Token))
            {
                if (++read == 100)
                {
                    cancel.Cancel();
                }
            }
        });

        Assert.Equal(100, read);

        // The server's handler sees the connection go (its CallAborted) and is disposed; a new call works.
        await HostileClientTests.WaitUntilAsync(() => Volatile.Read(ref _disposed) == 1, "the endless handler is disposed");
        Assert.Equal(3, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(3))));
    }

    [Fact]
    public async Task A_handler_working_on_its_next_element_when_the_client_goes_is_still_disposed()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);

        // The client gives up once the handler waits at its gate; then the gate opens. From there each element makes the
        // handler wait (Task.Yield), so that what is ready is sent while the handler is in the middle of MoveNextAsync:
        // a send fails there, and the handler must still be disposed (an async iterator cannot be, until MoveNextAsync ends).
        using var cancel = new CancellationTokenSource();
        _ = _atGate.Task.ContinueWith(_ => cancel.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        int read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(Gated, default).WithCancellation(cancel.Token))
            {
                Assert.Equal(read++, entry.Index);
            }
        });

        Assert.True(read <= GateAt, $"{read} entries read");
        _gate.SetResult();
        await HostileClientTests.WaitUntilAsync(() => Volatile.Read(ref _disposed) == 1, "the gated handler is disposed");
        Assert.Equal(3, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(3))));
    }

    [Fact]
    public async Task A_client_that_resets_while_the_handler_waits_fires_its_call_aborted()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        using Socket socket = await Wire.ConnectAsync(tcp);
        await socket.SendAsync(Wire.Record(Wire.Call(1, Program, 1, WaitsForAbort, arguments: Wire.Words(0))));

        // The first fragment arrives (the handler has yielded its entries and waits); then the client resets the connection.
        byte[] some = new byte[64];
        Assert.True(await socket.ReceiveAsync(some) > 0);
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();

        // Both designs notice while nothing is being sent: the handler's CallAborted fires, and it is disposed.
        await _sawAbort.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await HostileClientTests.WaitUntilAsync(() => Volatile.Read(ref _disposed) == 1, "the waiting handler is disposed");
    }

    [Fact]
    public async Task Breaking_out_early_and_reading_a_stream_again_on_the_same_client()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);
        await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(All, new IntValue(100_000)))
        {
            if (entry.Index == 5)
            {
                break;
            }
        }

        Assert.Equal(1000, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(1000))));
        Assert.Equal(0, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(0))));
    }

    [Fact]
    public async Task A_handler_that_fails_before_its_first_element_is_answered_system_err()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);
        await Assert.ThrowsAsync<RpcSystemErrorException>(() => CountAsync(client.CallStreamAsync<IntValue, Entry>(FailFirst, default)));
        await Assert.ThrowsAsync<RpcProcedureUnavailableException>(() => CountAsync(client.CallStreamAsync<IntValue, Entry>(99, default)));

        // The connection is fine: the next stream is read on it.
        Assert.Equal(10, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(10))));
    }

    [Fact]
    public async Task A_handler_that_fails_mid_stream_closes_the_connection()
    {
        await using RpcServer server = Serve(null, out IPEndPoint tcp, out _);
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);
        int read = 0;
        await Assert.ThrowsAsync<RpcConnectionException>(async () =>
        {
            await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(FailAfter, new IntValue(5000)))
            {
                read++;
            }
        });

        Assert.True(read > 0 && read <= 5000, $"{read} entries read");
        Assert.Equal(7, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(7))));
    }

    [Fact]
    public async Task Over_udp_a_stream_that_fits_one_datagram_is_read_and_one_that_does_not_is_system_err()
    {
        await using RpcServer server = Serve(null, out _, out IPEndPoint udp);
        await using RpcClient client = RpcClient.CreateUdp(udp, Program, 1);
        Assert.Equal(50, await CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(50))));
        await Assert.ThrowsAsync<RpcSystemErrorException>(() => CountAsync(client.CallStreamAsync<IntValue, Entry>(All, new IntValue(100_000))));
        Assert.True(Volatile.Read(ref _produced) < 50 + 1000, "the handler was asked for no more once the datagram was full");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Entries_straddling_fragments_and_reads_are_decoded(int fragmentSize)
    {
        // A hand-made server cuts the reply into fragments of a few bytes, sent in writes that split fragment headers too.
        byte[] body = StreamBody(200, terminated: true);
        await using var peer = new RawPeer(body, fragmentSize);
        await using RpcClient client = RpcClient.CreateTcp(peer.EndPoint, Program, 1);
        int read = 0;
        await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(All, default))
        {
            Assert.Equal(read++, entry.Index);
        }

        Assert.Equal(200, read);
    }

    [Fact]
    public async Task A_stream_that_ends_without_its_false_is_a_protocol_error()
    {
        await using var peer = new RawPeer(StreamBody(20, terminated: false), 64);
        await using RpcClient client = RpcClient.CreateTcp(peer.EndPoint, Program, 1);
        int read = 0;
        RpcProtocolException e = await Assert.ThrowsAsync<RpcProtocolException>(async () =>
        {
            await foreach (Entry entry in client.CallStreamAsync<IntValue, Entry>(All, default))
            {
                read++;
            }
        });
        Assert.Equal(20, read);
        Assert.Contains("FALSE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_entry_is_a_protocol_error()
    {
        byte[] body = StreamBody(3, terminated: true);

        // The third entry's bool is 7: neither TRUE nor FALSE.
        int third = 2 * (4 + Entry.Size);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(ReplyHeaderSize + third), 7);
        await using var peer = new RawPeer(body, 16);
        await using RpcClient client = RpcClient.CreateTcp(peer.EndPoint, Program, 1);
        await Assert.ThrowsAsync<RpcProtocolException>(() => CountAsync(client.CallStreamAsync<IntValue, Entry>(All, default)));
    }

    private const int ReplyHeaderSize = 16; // reply_stat, verifier (flavor, length 0), accept_stat: after XID and REPLY

    /// <summary>The reply after XID and message type: accepted, SUCCESS, then <paramref name="count"/> entries, then FALSE (or not).</summary>
    private static byte[] StreamBody(int count, bool terminated)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
        for (int i = 0; i < count; i++)
        {
            writer.WriteBoolean(true);
            new Entry(i, Padding).Encode(ref writer);
        }

        if (terminated)
        {
            writer.WriteBoolean(false);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<int> CountAsync<T>(IAsyncEnumerable<T> elements)
    {
        int count = 0;
        await foreach (T _ in elements)
        {
            count++;
        }

        return count;
    }

    private RpcServer Serve(RpcServerOptions? options, out IPEndPoint tcp, out IPEndPoint udp)
    {
        var server = new RpcServer((options ?? new RpcServerOptions()) with { ThreadPerConnection = ThreadPerConnection });
        server.AddProgram(new RpcProgramBuilder(Program, 1, "STREAMS")
            .AddStreamedProcedure<IntValue, Entry>(All, "ALL", (count, _) => Entries(count.Value, failAfter: -1, CancellationToken.None))
            .AddStreamedProcedure<IntValue, Entry>(FailAfter, "FAIL_AFTER", (count, _) => Entries(count.Value, failAfter: count.Value / 2, CancellationToken.None))
            .AddStreamedProcedure<IntValue, Entry>(FailFirst, "FAIL_FIRST", (_, _) => Entries(10, failAfter: 0, CancellationToken.None))
            .AddStreamedProcedure<IntValue, Entry>(Endless, "ENDLESS", (_, _) => Entries(int.MaxValue, failAfter: -1, CancellationToken.None))
            .AddStreamedProcedure<IntValue, Entry>(Gated, "GATED", (_, _) => GatedEntries())
            .AddStreamedProcedure<IntValue, Entry>(WaitsForAbort, "WAITS_FOR_ABORT", (_, context) => EntriesUntilAborted(context.CallAborted))
            .Build());
        tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        udp = server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    private async IAsyncEnumerable<Entry> Entries(int count, int failAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Volatile.Write(ref _produced, 0);
        try
        {
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (i == failAfter)
                {
                    throw new InvalidOperationException("the handler failed");
                }

                Interlocked.Increment(ref _produced);
                if (i % 1000 == 999)
                {
                    await Task.Yield();
                }

                yield return new Entry(i, Padding);
            }
        }
        finally
        {
            if (count == int.MaxValue)
            {
                Interlocked.Increment(ref _disposed);
            }
        }
    }

    /// <summary><see cref="GateAt"/> entries, then a gate the test opens, then entries that each make the handler wait.</summary>
    private async IAsyncEnumerable<Entry> GatedEntries()
    {
        try
        {
            for (int i = 0; ; i++)
            {
                if (i == GateAt)
                {
                    _atGate.SetResult();
                    await _gate.Task;
                }
                else if (i > GateAt)
                {
                    await Task.Yield();
                }

                yield return new Entry(i, Padding);
            }
        }
        finally
        {
            Interlocked.Increment(ref _disposed);
        }
    }

    /// <summary>Ten entries, then a wait that only the call's CallAborted ends.</summary>
    private async IAsyncEnumerable<Entry> EntriesUntilAborted([EnumeratorCancellation] CancellationToken aborted)
    {
        try
        {
            for (int i = 0; i < 10; i++)
            {
                yield return new Entry(i, Padding);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, aborted);
            }
            catch (OperationCanceledException)
            {
                _sawAbort.SetResult();
                throw;
            }
        }
        finally
        {
            Interlocked.Increment(ref _disposed);
        }
    }

    /// <summary>An element: an index and a string.</summary>
    private readonly record struct Entry(int Index, string Text) : IXdrCodec<Entry>
    {
        public const int Size = 4 + 4 + 100;

        public static Entry Decode(ref XdrReader reader) => new(reader.ReadInt32(), reader.ReadString(1024));

        public void Encode(ref XdrWriter writer)
        {
            writer.WriteInt32(Index);
            writer.WriteString(Text, 1024);
        }
    }

    /// <summary>Answers one call with a reply body cut into fragments of <c>fragmentSize</c> bytes, written a few bytes at a time.</summary>
    private sealed class RawPeer : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Task _serving;

        public RawPeer(byte[] body, int fragmentSize)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
            EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            _serving = ServeAsync(body, fragmentSize);
        }

        public IPEndPoint EndPoint { get; }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(byte[] body, int fragmentSize)
        {
            using Socket socket = await _listener.AcceptAsync();
            socket.NoDelay = true;
            byte[] mark = new byte[4];
            await ReceiveExactly(socket, mark);
            byte[] call = new byte[BinaryPrimitives.ReadUInt32BigEndian(mark) & 0x7FFF_FFFF];
            await ReceiveExactly(socket, call);
            uint xid = BinaryPrimitives.ReadUInt32BigEndian(call);

            byte[] message = new byte[8 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(message, xid);
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), 1);
            body.CopyTo(message, 8);
            var record = new List<byte>();
            for (int offset = 0; offset < message.Length; offset += fragmentSize)
            {
                int length = Math.Min(fragmentSize, message.Length - offset);
                byte[] header = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(header, (offset + length == message.Length ? Wire.LastFragment : 0) | (uint)length);
                record.AddRange(header);
                record.AddRange(message.AsSpan(offset, length).ToArray());
            }

            byte[] bytes = [.. record];
            for (int offset = 0; offset < bytes.Length; offset += 5)
            {
                await socket.SendAsync(bytes.AsMemory(offset, Math.Min(5, bytes.Length - offset)));
            }

            // Wait for the client to close.
            await socket.ReceiveAsync(new byte[16]);
        }

        private static async Task ReceiveExactly(Socket socket, byte[] buffer)
        {
            int got = 0;
            while (got < buffer.Length)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(got));
                if (n == 0)
                {
                    throw new SocketException((int)SocketError.ConnectionReset);
                }

                got += n;
            }
        }
    }
}

/// <summary><see cref="StreamedReplyTests"/> on the epoll event loops (Linux; elsewhere the same as threads).</summary>
[Collection(MemoryCollection.Name)]
public sealed class StreamedReplyTestsOnEventLoops(ITestOutputHelper output) : StreamedReplyTests(output)
{
    protected override bool ThreadPerConnection => false;
}

/// <summary><see cref="StreamedReplyTests"/> with a thread per connection.</summary>
[Collection(MemoryCollection.Name)]
public sealed class StreamedReplyTestsOnThreads(ITestOutputHelper output) : StreamedReplyTests(output)
{
    protected override bool ThreadPerConnection => true;
}
