using System.Text;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests;

/// <summary>The duplicate request cache's journal: what a cache opened on it after a crash knows, and what a hostile file gets.</summary>
public sealed class DuplicateRequestJournalTests : IDisposable
{
    private static readonly byte[] Caller = [127, 0, 0, 1];
    private readonly string _directory = Directory.CreateTempSubdirectory("netrpc-journal-").FullName;

    private string Path => System.IO.Path.Combine(_directory, "drc");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("abcdefgh", 0x3AD351775B4634B7UL)]
    [InlineData("0123456789abcdefghijklmnopqrstuv", 0xBF7C9DBE16B5C6E2UL)]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", 0xD4B332E17257155BUL)]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0x92F0DE5A88A3C094UL)]
    public void The_hash_is_xxh64_as_xxhsum_computes_it(string text, ulong expected)
    {
        // Expected values from `printf TEXT | xxhsum -H64` (Debian's xxhash 0.8).
        Assert.Equal(expected, XxHash64.Hash(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void What_a_dead_server_wrote_is_known_to_the_next()
    {
        DuplicateRequestCache.Key answered = Key(1, "answered");
        DuplicateRequestCache.Key running = Key(2, "running");
        DuplicateRequestCache.Key forgotten = Key(3, "forgotten");
        var first = new DuplicateRequestCache(Options());
        first.Begin(answered, out _);
        first.Complete(answered, [1, 2, 3]);
        first.Begin(running, out _);
        first.Begin(forgotten, out _);
        first.Abandon(forgotten);
        first.Dispose(); // the file handle closes as it would when the process dies; nothing more is written

        var logs = new TestLogs();
        using var second = new DuplicateRequestCache(Options(), logger: logs.CreateLogger("test"));
        Assert.Equal(DuplicateRequestCache.Lookup.Done, second.Begin(answered, out byte[]? reply));
        Assert.Equal([1, 2, 3], reply);
        Assert.Equal(DuplicateRequestCache.Lookup.Interrupted, second.Begin(running, out _));
        Assert.Equal(DuplicateRequestCache.Lookup.Running, second.Begin(running, out _)); // being answered now
        Assert.Equal(DuplicateRequestCache.Lookup.New, second.Begin(forgotten, out _));
        Assert.Contains(logs.Entries, e => e.Message.Contains("2 call(s) remembered, 1 of them running", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_server_on_the_same_journal_is_refused()
    {
        using var first = new DuplicateRequestCache(Options());
        IOException e = Assert.Throws<IOException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("another server", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_journal_is_refused_and_left_alone()
    {
        File.WriteAllText(Path, "precious data, not a journal");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("not a NetRpc duplicate request journal", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious data, not a journal", File.ReadAllText(Path));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(40)]
    public void A_record_torn_by_a_crash_mid_write_is_cut_off_and_the_records_before_it_kept(int tornBytes)
    {
        DuplicateRequestCache.Key kept = Key(1, "kept");
        DuplicateRequestCache.Key torn = Key(2, "torn");
        using (var first = new DuplicateRequestCache(Options()))
        {
            first.Begin(kept, out _);
            first.Complete(kept, [9]);
            first.Begin(torn, out _);
        }

        // The last record ("torn" begun) loses its end, as when the server died inside the write.
        long whole = new FileInfo(Path).Length;
        int tornRecord = DuplicateRequestJournal.RecordOverhead;
        using (var file = File.OpenWrite(Path))
        {
            file.SetLength(whole - tornRecord + Math.Min(tornBytes, tornRecord - 1));
        }

        var logs = new TestLogs();
        using var second = new DuplicateRequestCache(Options(), logger: logs.CreateLogger("test"));
        Assert.Equal(DuplicateRequestCache.Lookup.Done, second.Begin(kept, out byte[]? reply));
        Assert.Equal([9], reply);
        Assert.Equal(DuplicateRequestCache.Lookup.New, second.Begin(torn, out _));
        Assert.Contains(logs.Entries, e => e.Message.Contains("torn or corrupt", StringComparison.Ordinal));
        Assert.Equal(whole, second.JournalLength); // cut back, then "torn" begun again
    }

    [Fact]
    public void Garbage_after_the_magic_is_discarded_without_allocating_what_its_lengths_claim()
    {
        var garbage = new byte[1 << 16];
        new Random(5531).NextBytes(garbage);
        garbage[0] = 0xFF; // a first length of about 4 GiB
        garbage[1] = 0xFF;
        garbage[2] = 0xFF;
        garbage[3] = 0xFF;
        File.WriteAllBytes(Path, [.. "NRPCDRC1"u8, .. garbage]);

        using var cache = new DuplicateRequestCache(Options());
        Assert.Equal(0, cache.Count);
        Assert.Equal(8, cache.JournalLength);
    }

    [Fact]
    public void A_flipped_bit_ends_the_journal_at_the_record_it_spoils()
    {
        using (var first = new DuplicateRequestCache(Options()))
        {
            for (uint xid = 1; xid <= 3; xid++)
            {
                first.Begin(Key(xid, "x"), out _);
                first.Complete(Key(xid, "x"), [(byte)xid]);
            }
        }

        byte[] bytes = File.ReadAllBytes(Path);
        int second = 8 + (2 * (DuplicateRequestJournal.RecordOverhead)) + 1; // records: begun 1, replied 1 (1 byte), begun 2 ...
        bytes[second + 20] ^= 0x10; // inside the "begun 2" record
        File.WriteAllBytes(Path, bytes);

        using var cache = new DuplicateRequestCache(Options());
        Assert.Equal(DuplicateRequestCache.Lookup.Done, cache.Begin(Key(1, "x"), out _));
        Assert.Equal(DuplicateRequestCache.Lookup.New, cache.Begin(Key(2, "x"), out _));
        Assert.Equal(DuplicateRequestCache.Lookup.New, cache.Begin(Key(3, "x"), out _));
    }

    [Fact]
    public void The_journal_is_rewritten_when_it_outgrows_the_cache_and_stays_bounded()
    {
        var options = Options() with { MaxEntries = 100 };
        long largest = 0;
        long final;
        using (var cache = new DuplicateRequestCache(options))
        {
            var reply = new byte[1000];
            for (uint xid = 0; xid < 20_000; xid++)
            {
                DuplicateRequestCache.Key key = Key(xid, "x");
                cache.Begin(key, out _);
                reply[0] = (byte)xid;
                cache.Complete(key, reply);
                largest = Math.Max(largest, cache.JournalLength);
            }

            final = cache.JournalLength;
        }

        // 20,000 calls of about 1 KiB went through it (21 MB of records); between calls it never held more than
        // its 1 MiB floor, and each rewrite brought it back to what the cache holds (100 entries of about 1 KiB).
        Assert.InRange(largest, (1 << 20) - 2048, 1 << 20);
        Assert.InRange(final, 100 * 1000, 1 << 20);
        Assert.Equal(final, new FileInfo(Path).Length);
        Assert.False(File.Exists(Path + ".new"));
        using var reopened = new DuplicateRequestCache(options);
        Assert.Equal(100, reopened.Count);
        Assert.Equal(DuplicateRequestCache.Lookup.Done, reopened.Begin(Key(19_999, "x"), out byte[]? last));
        Assert.Equal(unchecked((byte)19_999), last![0]);
        Assert.Equal(DuplicateRequestCache.Lookup.New, reopened.Begin(Key(19_899, "x"), out _)); // evicted, as in memory
    }

    private DuplicateRequestCacheOptions Options() => new() { JournalPath = Path };

    private static DuplicateRequestCache.Key Key(uint xid, string arguments) =>
        DuplicateRequestCache.KeyOf(new CallHeader(xid, 0x20000777, 1, 1, OpaqueAuth.None, OpaqueAuth.None), Caller, Encoding.ASCII.GetBytes(arguments));
}
