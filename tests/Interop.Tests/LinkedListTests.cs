using System.Buffers;
using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>A generated linked list (rich.x's node) is read, written and enumerated in a loop: a million entries need no stack.</summary>
public class LinkedListTests
{
    private const int Entries = 1_000_000;

    [Fact]
    public void A_million_entries_encode_and_decode_on_a_small_stack()
    {
        Exception? failure = null;
        int decoded = 0;
        // 256 KiB of stack: a recursive codec would overflow it long before a million entries.
        var thread = new Thread(() =>
        {
            try
            {
                decoded = RoundTrip();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.Equal(Entries, decoded);
    }

    private static int RoundTrip()
    {
        var head = new Node { Label = "0", Weight = 0 };
        Node tail = head;
        for (int i = 1; i < Entries; i++)
        {
            tail.Next = new Node { Label = "n", Weight = i };
            tail = tail.Next;
        }

        var buffer = new ArrayBufferWriter<byte>();
        XdrCodec.Encode(head, buffer);
        Node decoded = XdrCodec.Decode<Node>(buffer.WrittenSpan);
        // The generated node is an IXdrListNode: XdrList.Enumerate walks it as a sequence, in a loop.
        int count = 0;
        foreach (Node node in decoded.Enumerate())
        {
            Assert.Equal(count, node.Weight);
            count++;
        }

        return count;
    }
}
