using System.Buffers.Binary;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// Record marking (RFC 5531 section 11): on a byte stream each message is a record of one or more fragments,
/// each preceded by a 4-byte header whose top bit marks the last fragment and whose low 31 bits give its length.
/// NetRpc sends a message as one fragment (rpcbind 1.2.6 with libtirpc 1.3.3 resets the connection on a call
/// sent in several), except a streamed reply, whose fragments go out as its elements come.
/// </summary>
internal static class RecordMarking
{
    public const int HeaderSize = 4;
    public const uint LastFragmentBit = 0x8000_0000;
    public const uint LengthMask = 0x7FFF_FFFF;

    /// <summary>Reserves the header of a record about to be written; returns where it is.</summary>
    public static int BeginRecord(PooledBufferWriter buffer)
    {
        int start = buffer.WrittenCount;
        buffer.GetSpan(HeaderSize);
        buffer.Advance(HeaderSize);
        return start;
    }

    /// <summary>Fills in the header reserved at <paramref name="start"/>: one last fragment holding everything written since.</summary>
    public static void EndRecord(PooledBufferWriter buffer, int start)
    {
        int length = buffer.WrittenCount - start - HeaderSize;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Written(start, HeaderSize), LastFragmentBit | (uint)length);
    }

    /// <summary>Fills in the header reserved at <paramref name="start"/>: a fragment holding everything written since, the last of its record or not.</summary>
    public static void EndFragment(PooledBufferWriter buffer, int start, bool last)
    {
        int length = buffer.WrittenCount - start - HeaderSize;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Written(start, HeaderSize), (last ? LastFragmentBit : 0) | (uint)length);
    }
}
