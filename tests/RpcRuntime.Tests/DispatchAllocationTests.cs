using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// What the dispatcher allocates for a call its handler answers at once: the call's <see cref="RpcCallContext"/>, which
/// the handler is given and may keep, and nothing else, so that a busy server leaves the garbage collector alone. In the
/// memory collection, which runs alone: a trace or metrics listener of another test would rightly make calls allocate.
/// </summary>
[Collection(MemoryCollection.Name)]
public class DispatchAllocationTests
{
    private const uint Program = 0x2000_0A11;
    private const int Calls = 1000;

    [Fact]
    public void An_auth_none_call_answered_at_once_allocates_its_context_and_nothing_else()
    {
        var dispatcher = new CallDispatcher(new RpcServerOptions(), NullLogger.Instance, new RpcServerMetrics(null));
        dispatcher.Add(new RpcProgramBuilder(Program, 1, "ALLOC")
            .AddProcedure<IntValue, IntValue>(1, "NEXT", (value, _) => ValueTask.FromResult(new IntValue(value.Value + 1)))
            .Build());
        byte[] call = Call(xid: 7, argument: 41);
        SocketAddress from = new IPEndPoint(IPAddress.Loopback, 700).Serialize();
        using var output = new PooledBufferWriter(4096);

        // The first calls warm what is made once: JIT tiers, pools, the thread's reusable scope.
        for (int i = 0; i < 200; i++)
        {
            Dispatch(dispatcher, call, from, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            Dispatch(dispatcher, call, from, output);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(42, ResultOf(output.WrittenSpan));
        long context = ContextSize();
        Assert.True(allocated == Calls * context, $"{Calls} calls allocated {allocated} bytes, {(double)allocated / Calls} a call; a call context is {context}");
    }

    private static void Dispatch(CallDispatcher dispatcher, byte[] call, SocketAddress from, PooledBufferWriter output)
    {
        output.Reset();
        var site = new CallSite { Transport = RpcTransport.Udp, Address = from, AddressBytes = from.Buffer.Span[..from.Size], SourceBytes = from.Buffer.Span[4..8] };

        // Checked without Assert, whose comparers allocate.
        if (dispatcher.Dispatch(call, site, output, out PendingReply? pending) != DispatchOutcome.Replied || pending is not null)
        {
            throw new InvalidOperationException("the call was not answered at once");
        }
    }

    /// <summary>The bytes one <see cref="RpcCallContext"/> takes on the heap.</summary>
    private static long ContextSize()
    {
        var header = new CallHeader(1, Program, 1, 1, OpaqueAuth.None, OpaqueAuth.None);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var context = new RpcCallContext(header, RpcTransport.Udp, null, null, null, null, default, null);
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(context);
        return size;
    }

    private static byte[] Call(uint xid, int argument)
    {
        var message = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new XdrWriter(message);
        new CallHeader(xid, Program, 1, 1, OpaqueAuth.None, OpaqueAuth.None).Encode(ref writer);
        writer.WriteInt32(argument);
        writer.Flush();
        return message.WrittenSpan.ToArray();
    }

    /// <summary>The result of an accepted, successful reply (RFC 5531 section 9): the word after xid, REPLY, MSG_ACCEPTED, verifier and SUCCESS.</summary>
    private static int ResultOf(ReadOnlySpan<byte> reply)
    {
        var reader = new XdrReader(reply);
        Assert.Equal(7u, reader.ReadUInt32());
        Assert.Equal(1u, reader.ReadUInt32()); // REPLY
        Assert.Equal(0u, reader.ReadUInt32()); // MSG_ACCEPTED
        reader.ReadUInt32(); // verifier flavor
        reader.ReadOpaque(400); // verifier body
        Assert.Equal(0u, reader.ReadUInt32()); // SUCCESS
        return reader.ReadInt32();
    }
}
