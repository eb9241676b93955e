using System.Globalization;
using System.Net;
using System.Text;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// Interop/interop.x by hand (the generator is not there yet): its types, its numbers, and a NetRpc server that
/// does what Interop/interop_server.c does, so that the C client can be run against either.
/// </summary>
internal static class InteropProtocol
{
    public const uint Program = 0x20000102;
    public const uint Version = 1;
    public const uint Add = 1;
    public const uint Echo = 2;
    public const uint Transform = 3;
    public const uint WhoAmI = 4;
    public const uint Count = 5;
    public const uint Blob = 6;

    /// <summary>BLOB's payload, as interop_client.c makes it: byte i is i * 7 + 3; 200,000 bytes over TCP, 6,000 over UDP.</summary>
    public static byte[] BlobBytes(bool tcp)
    {
        byte[] bytes = new byte[tcp ? 200_000 : 6000];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 7) + 3);
        }

        return bytes;
    }

    /// <summary>The record the C client sends (interop_client.c's head and tail).</summary>
    public static InteropRecord SampleRecord() => new()
    {
        H = -9223372036854775807L,
        Uh = 9223372036854775807UL,
        D = 1.5,
        Flag = true,
        Name = "node",
        Values = [1, -2, int.MaxValue],
        Tag = [1, 2, 0xFE, 0xFF],
        Next = new InteropRecord { H = 1L << 40, Uh = 7, D = -0.25, Flag = false, Name = string.Empty, Values = [], Tag = new byte[4] },
    };

    /// <summary>The lines interop_client.c prints for TRANSFORM's result, for a record list.</summary>
    public static IEnumerable<string> Describe(InteropRecord? record)
    {
        for (int i = 0; record is not null; record = record.Next, i++)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"TRANSFORM[{i}] h={record.H} uh={record.Uh} d={record.D:R} flag={(record.Flag ? 1 : 0)} name={record.Name} values={string.Join(',', record.Values)} tag={Convert.ToHexStringLower(record.Tag)}");
        }
    }

    /// <summary>What TRANSFORM does to each node.</summary>
    public static InteropRecord? Transformed(InteropRecord? record)
    {
        InteropRecord? head = null;
        InteropRecord? tail = null;
        for (; record is not null; record = record.Next)
        {
            var node = new InteropRecord
            {
                H = record.H + 1,
                Uh = unchecked(record.Uh * 2),
                D = record.D * 2,
                Flag = !record.Flag,
                Name = record.Name + "!",
                Values = [.. record.Values.Reverse()],
                Tag = record.Tag,
            };
            if (tail is null)
            {
                head = node;
            }
            else
            {
                tail.Next = node;
            }

            tail = node;
        }

        return head;
    }

    /// <summary>A NetRpc server of INTEROP_PROG version 1 on loopback, TCP and UDP, as interop_server.c.</summary>
    public sealed class Server : IAsyncDisposable
    {
        private int _counter;

        public Server()
        {
            Rpc = new RpcServer();
            Rpc.AddProgram(new RpcProgramBuilder(Program, Version, "INTEROP_PROG")
                .AddProcedure<Pair, IntValue>(Add, "ADD", (p, _) => ValueTask.FromResult(new IntValue(p.A + p.B)))
                .AddProcedure<TextValue, TextValue>(Echo, "ECHO", (text, _) => ValueTask.FromResult(text))
                .AddProcedure<InteropRecord, InteropRecord>(Transform, "TRANSFORM", (r, _) => ValueTask.FromResult(Transformed(r)!))
                .AddProcedure<XdrVoid, TextValue>(WhoAmI, "WHOAMI", (_, context) => ValueTask.FromResult(new TextValue(
                    context.AuthSys is { } sys ? string.Create(CultureInfo.InvariantCulture, $"{sys.MachineName}:{sys.Uid}:{sys.Gid}:{string.Join(',', sys.Gids)}") : "none")))
                .AddProcedure<XdrVoid, UIntValue>(Count, "COUNT", (_, _) => ValueTask.FromResult(new UIntValue((uint)Interlocked.Increment(ref _counter))))
                .AddProcedure<PooledValue, PooledValue>(Blob, "BLOB", (blob, _) => ValueTask.FromResult(blob)) // pooled, as --pooled-opaque generates
                .Build());
            Tcp = Rpc.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
            Udp = Rpc.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public RpcServer Rpc { get; }

        public IPEndPoint Tcp { get; }

        public IPEndPoint Udp { get; }

        public ValueTask DisposeAsync() => Rpc.DisposeAsync();
    }
}

/// <summary>interop.x's <c>struct pair</c>.</summary>
internal readonly record struct Pair(int A, int B) : IXdrCodec<Pair>
{
    public static Pair Decode(ref XdrReader reader) => new(reader.ReadInt32(), reader.ReadInt32());

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(A);
        writer.WriteInt32(B);
    }
}

/// <summary>An XDR unsigned int as a codec type.</summary>
internal readonly record struct UIntValue(uint Value) : IXdrCodec<UIntValue>
{
    public static UIntValue Decode(ref XdrReader reader) => new(reader.ReadUInt32());

    public void Encode(ref XdrWriter writer) => writer.WriteUInt32(Value);
}

/// <summary>interop.x's <c>struct record</c>: a linked list through <c>record *next</c>.</summary>
internal sealed class InteropRecord : IXdrListNode<InteropRecord>
{
    public long H { get; set; }

    public ulong Uh { get; set; }

    public double D { get; set; }

    public bool Flag { get; set; }

    public string Name { get; set; } = string.Empty;

    public int[] Values { get; set; } = [];

    public byte[] Tag { get; set; } = new byte[4];

    public InteropRecord? Next { get; set; }

    public static InteropRecord DecodeNodeFields(ref XdrReader reader) => new()
    {
        H = reader.ReadInt64(),
        Uh = reader.ReadUInt64(),
        D = reader.ReadDouble(),
        Flag = reader.ReadBoolean(),
        Name = reader.ReadString(64),
        Values = reader.ReadInt32Array(16),
        Tag = reader.ReadFixedOpaque(4),
    };

    public static InteropRecord Decode(ref XdrReader reader)
    {
        InteropRecord record = DecodeNodeFields(ref reader);
        record.Next = reader.ReadList<InteropRecord>();
        return record;
    }

    public void EncodeNodeFields(ref XdrWriter writer)
    {
        writer.WriteInt64(H);
        writer.WriteUInt64(Uh);
        writer.WriteDouble(D);
        writer.WriteBoolean(Flag);
        writer.WriteString(Name, 64);
        writer.WriteInt32Array(Values, 16);
        writer.WriteFixedOpaque(Tag, 4);
    }

    public void Encode(ref XdrWriter writer)
    {
        EncodeNodeFields(ref writer);
        writer.WriteList(Next);
    }
}
