using System.Buffers.Binary;
using NetRpc.Fuzz.Nfs4;
using NetRpc.Fuzz.Targets;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Tests;

/// <summary>The generated nfs4 decoders against inputs the campaign pointed at.</summary>
public class Nfs4DecoderTests
{
    [Fact]
    public void Thousands_of_operations_without_arguments_cost_no_more_than_the_decoder_budget()
    {
        // Found from the campaign's closest input (41 bytes of memory a byte): each nfs_argop4 held a field for
        // each of its 50 arms, so a 4-byte OP_GETFH became a 430-byte object, 104 bytes a byte of input.
        const int operations = 4000;
        byte[] input = new byte[12 + 4 * operations];
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(8), operations);
        for (int i = 0; i < operations; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(12 + 4 * i), (uint)NfsOpnum4.OpGetfh);
        }

        _ = XdrCodec.Decode<Compound4Args>(input); // once first: the first call also initialises the types
        long before = GC.GetAllocatedBytesForCurrentThread();
        Compound4Args compound = XdrCodec.Decode<Compound4Args>(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(operations, compound.Argarray.Length);
        Assert.True(allocated <= DecoderTarget.DecoderBudget.AllowedBytes(input.Length), $"{allocated} bytes for {input.Length} bytes of input");
    }
}
