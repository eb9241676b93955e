using System.Buffers.Binary;
using System.IO.Hashing;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The duplicate request cache's journal as a restarted server reads it back: the input is the file (after one
/// control byte), and a cache is opened on it. Its one documented error is <see cref="DuplicateRequestJournalException"/>,
/// for a file that is not a journal or is damaged so that calls it recorded can no longer be named. Records carry
/// checksums, so a mutated record is mostly skipped as damage at once: when the control byte is odd the target seals
/// every record's checksums again first, so the read-back itself (kinds, keys, replies, numbering, the names of the
/// records before each one) meets mutated records too. The seeds are journals written by the cache itself, cut after
/// their records (the file is extended ahead in chunks of zeros; a few zeros stand for them).
/// </summary>
internal sealed class DrcJournalTarget : DecoderTarget
{
    private const uint Sync = 0x3243_5244;
    private const int FixedHeaderSize = 92;
    private readonly string _directory = Directory.CreateTempSubdirectory("netrpc-fuzz-journal-").FullName;

    public DrcJournalTarget()
    {
        Seeds = [.. Journals().SelectMany(journal => new[] { [0, .. journal], (byte[])[1, .. journal] })];
    }

    public override string Name => "drc-journal";

    public override string Contract => "new DuplicateRequestCache(options with JournalPath): DuplicateRequestJournalException (not a journal, or calls it recorded can no longer be named)";

    public override IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>A decoder's multiple; the constant adds what opening a file and a cache costs, whatever the input.</summary>
    public override Budget Budget { get; } = DecoderBudget with { ConstantBytes = 128 * 1024 };

    private string Path => System.IO.Path.Combine(_directory, "drc");

    public override long Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return 0;
        }

        byte[] file = input[1..];
        if ((input[0] & 1) != 0)
        {
            Reseal(file);
        }

        File.WriteAllBytes(Path, file);
        try
        {
            using var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { JournalPath = Path, MaxEntries = 64, MaxBytes = 16 * 1024 });
            if (Begin(cache, 7, [1, 2, 3, 4], out DuplicateRequestCache.Key key) == DuplicateRequestCache.Lookup.New)
            {
                cache.Complete(key, [9, 9, 9, 9]);
            }
        }
        catch (DuplicateRequestJournalException)
        {
            // Not a journal, or one that lost calls: the server refuses to start, and leaves the file alone.
        }

        return 0;
    }

    public override void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Journals of a few calls each, written by the cache: begun, answered, forgotten, evicted, torn.</summary>
    private IEnumerable<byte[]> Journals()
    {
        var random = new Random(5531);
        for (int journal = 0; journal < 8; journal++)
        {
            File.Delete(Path);
            long end;
            using (var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { JournalPath = Path, MaxEntries = 4 + journal, MaxBytes = 4096 }))
            {
                for (uint xid = 0; xid < 3 + (journal * 2); xid++)
                {
                    byte[] arguments = new byte[random.Next(0, 40)];
                    random.NextBytes(arguments);
                    byte[] address = journal % 2 == 0 ? [127, 0, 0, 1] : [10, 0, 0, (byte)(xid % 3)];
                    Begin(cache, xid, arguments, out DuplicateRequestCache.Key key, address);
                    switch (random.Next(4))
                    {
                        case 0:
                            break; // running when the server died
                        case 1:
                            cache.Abandon(key);
                            break;
                        default:
                            byte[] reply = new byte[random.Next(0, journal == 7 ? 5000 : 300)]; // 5000: over the byte bound
                            random.NextBytes(reply);
                            cache.Complete(key, reply);
                            break;
                    }
                }

                end = cache.JournalLength;
            }

            byte[] bytes = File.ReadAllBytes(Path);
            int length = (int)Math.Min(bytes.Length, end + 16);
            yield return journal == 6 ? [.. bytes[..(int)(end - 5)], .. new byte[21]] : bytes[..length]; // one torn by a crash mid-write
        }

        yield return [.. "NRPCDRC2"u8];
    }

    private static DuplicateRequestCache.Lookup Begin(DuplicateRequestCache cache, uint xid, byte[] arguments, out DuplicateRequestCache.Key key, byte[]? address = null)
    {
        address ??= [127, 0, 0, 1];
        Span<byte> identity = stackalloc byte[DuplicateRequestCache.MaxCallerSize];
        address.CopyTo(identity);
        int length = address.Length + DuplicateRequestCache.WriteCredential(OpaqueAuth.None, identity[address.Length..]);
        var call = new DuplicateRequestCache.CallKey(new CallHeader(xid, 100003, 3, 7, OpaqueAuth.None, OpaqueAuth.None), identity[..length], address.Length, address, arguments);
        return cache.Begin(call, out key, out _);
    }

    /// <summary>Writes each record's checksums as the cache would, wherever a sync word starts a header that fits.</summary>
    private static void Reseal(byte[] file)
    {
        Span<byte> sync = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(sync, Sync);
        for (int at = file.AsSpan().IndexOf(sync); at >= 0 && at + FixedHeaderSize <= file.Length;)
        {
            int headerSize = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 4));
            if (headerSize >= FixedHeaderSize && headerSize <= file.Length - at)
            {
                int replyLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + headerSize - 20));
                if (replyLength > 0 && replyLength <= file.Length - at - headerSize)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + headerSize - 16), XxHash64.HashToUInt64(file.AsSpan(at + headerSize, replyLength)));
                }

                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + headerSize - 8), XxHash64.HashToUInt64(file.AsSpan(at, headerSize - 8)));
            }

            int next = file.AsSpan(at + 4).IndexOf(sync);
            at = next < 0 ? -1 : at + 4 + next;
        }
    }
}
