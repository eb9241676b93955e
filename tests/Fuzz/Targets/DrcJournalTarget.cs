using System.Buffers.Binary;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The duplicate request cache's journal as a restarted server reads it back: the input is the file (after one
/// control byte), and a cache is opened on it. Its one documented error is <see cref="InvalidDataException"/>, for a
/// file that is not a journal; a torn or corrupt tail is cut off, never thrown. Records carry a checksum, so a
/// mutated record is mostly cut off at once: when the control byte is odd the target seals every record's checksum
/// again first, so the read-back itself (kinds, keys, replies, evictions) meets mutated records too. The seeds are
/// journals written by the cache itself.
/// </summary>
internal sealed class DrcJournalTarget : DecoderTarget
{
    private const int RecordHead = 12;
    private readonly string _directory = Directory.CreateTempSubdirectory("netrpc-fuzz-journal-").FullName;

    public DrcJournalTarget()
    {
        Seeds = [.. Journals().SelectMany(journal => new[] { [0, .. journal], (byte[])[1, .. journal] })];
    }

    public override string Name => "drc-journal";

    public override string Contract => "new DuplicateRequestCache(options with JournalPath): InvalidDataException (not a journal)";

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
            DuplicateRequestCache.Key key = Key(7, [1, 2, 3, 4]);
            if (cache.Begin(key, out _) == DuplicateRequestCache.Lookup.New)
            {
                cache.Complete(key, [9, 9, 9, 9]);
            }
        }
        catch (InvalidDataException)
        {
            // Not a journal: the server refuses to start, and leaves the file alone.
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
            using (var cache = new DuplicateRequestCache(new DuplicateRequestCacheOptions { JournalPath = Path, MaxEntries = 4 + journal, MaxBytes = 4096 }))
            {
                for (uint xid = 0; xid < 3 + (journal * 2); xid++)
                {
                    byte[] arguments = new byte[random.Next(0, 40)];
                    random.NextBytes(arguments);
                    DuplicateRequestCache.Key key = Key(xid, arguments);
                    cache.Begin(key, out _);
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
            }

            byte[] bytes = File.ReadAllBytes(Path);
            yield return journal == 6 ? bytes[..^5] : bytes; // one torn by a crash mid-write
        }

        yield return [.. "NRPCDRC1"u8];
    }

    private static DuplicateRequestCache.Key Key(uint xid, byte[] arguments) =>
        DuplicateRequestCache.KeyOf(new CallHeader(xid, 100003, 3, 7, OpaqueAuth.None, OpaqueAuth.None), [127, 0, 0, 1], arguments);

    /// <summary>Writes each record's checksum as the cache would, as far as the lengths hold.</summary>
    private static void Reseal(byte[] file)
    {
        for (int at = 8; at + RecordHead <= file.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            if (length > file.Length - at - RecordHead)
            {
                return;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 4), XxHash64.Hash(file.AsSpan(at + RecordHead, (int)length)));
            at += RecordHead + (int)length;
        }
    }
}
