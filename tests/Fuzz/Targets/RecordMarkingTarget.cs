using NetRpc.Fuzz.Corpus;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Transports;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The TCP record-marking reader as a server's connection drives it, with the server's record limit: the input is
/// a byte stream, handed over in pieces whose sizes follow from the input itself (so an input replays exactly), and
/// every complete record is taken out after each piece. Its one documented error is
/// <see cref="RecordTooLargeException"/>, after which the connection is closed. The memory counted includes the
/// buffers it rents from the shared pool, which the GC's counter does not see.
/// </summary>
internal sealed class RecordMarkingTarget : DecoderTarget
{
    private static readonly int s_maxRecordSize = new RpcServerOptions().MaxRecordSize;

    public override string Name => "record-marking";

    public override string Contract => "RecordReader.TryReadRecord: RecordTooLargeException";

    public override IReadOnlyList<byte[]> Seeds { get; } =
    [
        .. SeedFiles.Hex("streams"),
        .. RpcMessages.RpcbindCalls().Take(12).Select((call, i) => RpcMessages.Record(call, 1 + i % 4)),
        .. RpcMessages.Replies().Take(6).Select(reply => RpcMessages.Record(reply, 3)),
        [0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0],
    ];

    public override long Run(byte[] input)
    {
        using var reader = new RecordReader(s_maxRecordSize);
        long held = reader.Capacity;
        uint state = Hash(input);
        try
        {
            for (int at = 0; at < input.Length;)
            {
                state = state * 1103515245 + 12345;
                int piece = Math.Min(input.Length - at, 1 + (int)(state >> 16) % (state % 3 == 0 ? 8 : 2048));
                reader.Append(input.AsSpan(at, piece));
                at += piece;
                held = Math.Max(held, reader.Capacity);
                while (reader.TryReadRecord(out ReadOnlyMemory<byte> record))
                {
                    _ = record.Span.IndexOf((byte)0);
                }

                held = Math.Max(held, reader.Capacity);
            }
        }
        catch (RecordTooLargeException)
        {
            // The connection would be closed here.
        }

        return Math.Max(held, reader.Capacity);
    }

    private static uint Hash(byte[] input)
    {
        uint hash = 2166136261 ^ (uint)input.Length;
        foreach (byte b in input.AsSpan(0, Math.Min(64, input.Length)))
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }
}
