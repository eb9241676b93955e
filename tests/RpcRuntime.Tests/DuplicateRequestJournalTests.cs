using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The duplicate request cache's journal: what a cache opened on it after a crash knows, and what a damaged or hostile
/// file gets. The rule every test holds it to: a call the journal recorded never runs again (its lookup is never
/// <see cref="DuplicateRequestCache.Lookup.New"/>); the server refuses to start rather than break it.
/// </summary>
public sealed class DuplicateRequestJournalTests(ITestOutputHelper output) : IDisposable
{
    private const int Calls = 200;
    private const int Running = 10;
    private readonly string _directory = Directory.CreateTempSubdirectory("netrpc-journal-").FullName;

    private string Path => System.IO.Path.Combine(_directory, "drc");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void What_a_dead_server_wrote_is_known_to_the_next()
    {
        var first = new DuplicateRequestCache(Options());
        CacheCalls.Answer(first, 1, "answered", [1, 2, 3]);
        CacheCalls.Begin(first, 2, "running");
        CacheCalls.Begin(first, 3, "forgotten", out DuplicateRequestCache.Key forgotten, out _);
        first.Abandon(forgotten);
        first.Dispose(); // the file handle closes as it would when the process dies; nothing more is written

        var logs = new TestLogs();
        using var second = new DuplicateRequestCache(Options(), logger: logs.CreateLogger("test"));
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(second, 1, "answered", out _, out byte[]? reply));
        Assert.Equal([1, 2, 3], reply);
        Assert.Equal(DuplicateRequestCache.Lookup.Interrupted, CacheCalls.Begin(second, 2, "running"));
        Assert.Equal(DuplicateRequestCache.Lookup.Running, CacheCalls.Begin(second, 2, "running")); // being answered now
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(second, 3, "forgotten"));
        Assert.Contains(logs.Entries, e => e.Message.Contains("2 call(s) remembered, 1 of them possibly run", StringComparison.Ordinal));
    }

    /// <summary>
    /// The journal's checksums and the cache's keys are XXH64, from System.IO.Hashing since commit 2afa57d; before, a
    /// hand-written copy computed them. These are that copy's values (the first three are also the xxHash reference's):
    /// a journal written by either is read by the other, and a change of hash would show here before it reached a file.
    /// </summary>
    [Theory]
    [InlineData("", 0UL, 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0UL, 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0UL, 0x44BC2CF5AD770999UL)]
    [InlineData("abc", 1UL, 0xBEA9CA8199328908UL)]
    [InlineData("NetRpc duplicate request cache", 0UL, 0xCA0406E4105430A8UL)]
    [InlineData("0123456789abcdef0123456789abcdef!", 0UL, 0x8AFFF4DAAC4E677EUL)]
    [InlineData("0123456789abcdef0123456789abcdef!", 0x9E3779B97F4A7C15UL, 0x6D8DB42AA77FA530UL)]
    public void The_hash_is_the_XXH64_the_hand_written_copy_computed(string text, ulong seed, ulong expected) =>
        Assert.Equal(expected, System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.ASCII.GetBytes(text), unchecked((long)seed)));

    [Fact]
    public void A_second_server_on_the_same_journal_is_refused()
    {
        using var first = new DuplicateRequestCache(Options());
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("another server", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void A_file_that_is_not_a_journal_is_refused_and_left_alone()
    {
        File.WriteAllText(Path, "precious data, not a journal");
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("not a NetRpc duplicate request journal", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious data, not a journal", File.ReadAllText(Path));
    }

    [Fact]
    public void An_empty_file_where_a_journal_is_expected_is_refused_not_taken_as_new()
    {
        File.WriteAllBytes(Path, []);
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("is empty", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(Path).Length);
    }

    [Fact]
    public void The_journal_of_another_cache_is_refused()
    {
        new DuplicateRequestCache(Options(), name: "tcp").Dispose();
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options(), name: "udp"));
        Assert.Contains("journal of a \"tcp\" cache", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_or_a_read_only_path_fails_at_start_with_the_documented_exception()
    {
        DuplicateRequestJournalException directory = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(new DuplicateRequestCacheOptions { JournalPath = _directory }));
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);

        // A file of mode 0444; root may write those, so for root a sysfs attribute that takes no writes.
        string path = "/sys/kernel/uevent_seqnum";
        if (!Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
        {
            path = Path;
            File.WriteAllBytes(path, []);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        DuplicateRequestJournalException readOnly = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(new DuplicateRequestCacheOptions { JournalPath = path }));
        Assert.Contains("cannot be opened for reading and writing", readOnly.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.4)]
    [InlineData(0.6)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void Sixteen_random_bytes_anywhere_lose_no_call(double at)
    {
        long length = Write();
        Damage(at, 16, random: true, length);
        (int done, int interrupted) = ReadBackAndJudge();
        output.WriteLine($"16 random bytes at {at:P0}: {done} calls answered from the journal, {interrupted} answered SYSTEM_ERR, 0 run again");
        Assert.True(done >= Calls - Running - 4, $"only {done} answers were recovered");
    }

    [Theory]
    [InlineData(0.3, 200)]
    [InlineData(0.7, 600)]
    public void A_hole_of_zeros_inside_the_records_loses_no_call(double at, int bytes)
    {
        long length = Write();
        Damage(at, bytes, random: false, length);
        (int done, int interrupted) = ReadBackAndJudge();
        output.WriteLine($"{bytes} zeros at {at:P0}: {done} answered from the journal, {interrupted} SYSTEM_ERR");
    }

    [Fact]
    public void Damage_wider_than_the_records_name_refuses_the_journal()
    {
        long length = Write();
        Damage(0.3, (int)(length / 3), random: true, length); // some hundred records
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("lost records", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(0.999)]
    public void A_journal_cut_short_is_refused(double at)
    {
        long length = Write();
        using (FileStream file = File.OpenWrite(Path))
        {
            file.SetLength((long)(length * at));
        }

        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("cut short", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_after_the_last_record_refuses_the_journal()
    {
        long length = Write();
        using (FileStream file = File.OpenWrite(Path))
        {
            file.Position = length + 100;
            file.Write([1, 2, 3, 4]);
        }

        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("after its last intact record", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_torn_by_a_crash_mid_write_leaves_its_call_answered_system_err()
    {
        using (var first = new DuplicateRequestCache(Options()))
        {
            CacheCalls.Answer(first, 1, "kept", [9]);
            CacheCalls.Answer(first, 2, "torn", Enumerable.Repeat((byte)7, 3000).ToArray());
        }

        // The process died inside the write of the reply: its header is whole (it never straddles a page), the reply is not.
        long end = RecordsEnd();
        using (FileStream file = File.OpenWrite(Path))
        {
            file.Position = end - 1500;
            file.Write(new byte[1500]);
        }

        using var second = new DuplicateRequestCache(Options());
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(second, 1, "kept", out _, out byte[]? reply));
        Assert.Equal([9], reply);
        Assert.Equal(DuplicateRequestCache.Lookup.Interrupted, CacheCalls.Begin(second, 2, "torn"));
    }

    [Fact]
    public void The_padding_of_a_write_cut_short_before_its_header_page_is_taken_as_never_written()
    {
        using (var first = new DuplicateRequestCache(Options()))
        {
            CacheCalls.Answer(first, 1, "kept", [9]);
        }

        long end = RecordsEnd();
        using (FileStream file = File.OpenWrite(Path))
        {
            file.Position = end;
            file.Write(Enumerable.Repeat((byte)0xFF, (int)(4096 - (end % 4096))).ToArray());
        }

        using var second = new DuplicateRequestCache(Options());
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(second, 1, "kept"));
        CacheCalls.Answer(second, 2, "next", [8]);
        second.Dispose();
        using var third = new DuplicateRequestCache(Options());
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(third, 2, "next"));
    }

    [Fact]
    public void A_call_whose_records_were_both_destroyed_is_named_by_the_next_and_stays_refused_after_a_rewrite()
    {
        using (var first = new DuplicateRequestCache(Options() with { MaxEntries = 50 }))
        {
            for (uint xid = 1; xid <= 20; xid++)
            {
                CacheCalls.Answer(first, xid, "x", [(byte)xid]);
            }
        }

        // Zero the two records of call 10 (begun, then answered): every byte that named it is gone but the names later records carry.
        byte[] file = File.ReadAllBytes(Path);
        List<int> records = RecordStarts(file);
        int begun = records[(10 - 1) * 2];
        int after = records[10 * 2];
        using (FileStream stream = File.OpenWrite(Path))
        {
            stream.Position = begun;
            stream.Write(new byte[after - begun]);
        }

        using (var second = new DuplicateRequestCache(Options() with { MaxEntries = 50 }))
        {
            Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(second, 9, "x"));
            Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(second, 11, "x"));

            // Enough calls to rewrite the journal (past 1 MiB): the unknown call must survive the rewrite.
            for (uint xid = 1000; xid < 2000; xid++)
            {
                CacheCalls.Answer(second, xid, "filler", new byte[1500]);
            }

            Assert.True(second.JournalLength < 1 << 20, "the journal was not rewritten");
        }

        using var third = new DuplicateRequestCache(Options() with { MaxEntries = 50 });
        Assert.Equal(DuplicateRequestCache.Lookup.Interrupted, CacheCalls.Begin(third, 10, "x"));
    }

    [Fact]
    public void A_journal_of_the_earlier_format_is_refused_clearly()
    {
        File.WriteAllBytes(Path, [.. "NRPCDRC1"u8, 1, 2, 3]);
        DuplicateRequestJournalException e = Assert.Throws<DuplicateRequestJournalException>(() => new DuplicateRequestCache(Options()));
        Assert.Contains("earlier NetRpc", e.Message, StringComparison.Ordinal);
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
                reply[0] = (byte)xid;
                CacheCalls.Answer(cache, xid, "x", reply);
                largest = Math.Max(largest, cache.JournalLength);
            }

            final = cache.JournalLength;
        }

        // 20,000 calls of about 1 KiB went through it (some 30 MB of records); between calls it never held much more
        // than its 1 MiB floor, and each rewrite brought it back to what the cache holds (100 entries of about 1 KiB).
        Assert.InRange(largest, (1 << 20) - 4096, 1 << 20);
        Assert.InRange(final, 100 * 1000, 1 << 20);
        Assert.InRange(new FileInfo(Path).Length, final, final + (2 << 20));
        Assert.False(File.Exists(Path + ".new"));
        using var reopened = new DuplicateRequestCache(options);
        Assert.Equal(100, reopened.Count);
        Assert.Equal(DuplicateRequestCache.Lookup.Done, CacheCalls.Begin(reopened, 19_999, "x", out _, out byte[]? last));
        Assert.Equal(unchecked((byte)19_999), last![0]);
        Assert.Equal(DuplicateRequestCache.Lookup.New, CacheCalls.Begin(reopened, 19_899, "x")); // evicted, as in memory
    }

    private DuplicateRequestCacheOptions Options() => new() { JournalPath = Path };

    /// <summary>A journal of <see cref="Calls"/> calls, the last <see cref="Running"/> still running; returns where its records end.</summary>
    private long Write()
    {
        using var cache = new DuplicateRequestCache(Options());
        for (uint xid = 1; xid <= Calls; xid++)
        {
            if (xid > Calls - Running)
            {
                CacheCalls.Begin(cache, xid, $"call {xid}");
            }
            else
            {
                CacheCalls.Answer(cache, xid, $"call {xid}", [.. BitConverter.GetBytes(xid), .. new byte[xid % 50]]);
            }
        }

        return cache.JournalLength;
    }

    /// <summary>Where each record begins: its sync word, "DRC2".</summary>
    private static List<int> RecordStarts(byte[] file)
    {
        var starts = new List<int>();
        for (int at = 4096; (at = file.AsSpan(at).IndexOf("DRC2"u8) is var i && i >= 0 ? at + i : -1) >= 0; at += 4)
        {
            starts.Add(at);
        }

        return starts;
    }

    private long RecordsEnd()
    {
        using var cache = new DuplicateRequestCache(Options());
        return cache.JournalLength;
    }

    /// <summary>Overwrites <paramref name="count"/> bytes at a fraction of the records (after the header page) with random bytes or zeros.</summary>
    private void Damage(double at, int count, bool random, long length)
    {
        long position = 4096 + (long)((length - 4096) * at);
        byte[] bytes = new byte[count];
        if (random)
        {
            new Random((int)(at * 1000)).NextBytes(bytes);
        }

        using FileStream file = File.OpenWrite(Path);
        file.Position = Math.Min(position, length - count);
        file.Write(bytes);
    }

    /// <summary>Opens the damaged journal and looks every call up: none may be new. Returns how many were answered from it, and how many SYSTEM_ERR.</summary>
    private (int Done, int Interrupted) ReadBackAndJudge()
    {
        using (var cache = new DuplicateRequestCache(Options()))
        {
            int done = 0;
            int interrupted = 0;
            for (uint xid = 1; xid <= Calls; xid++)
            {
                DuplicateRequestCache.Lookup lookup = CacheCalls.Begin(cache, xid, $"call {xid}", out _, out byte[]? reply);
                Assert.NotEqual(DuplicateRequestCache.Lookup.New, lookup); // it would run a second time
                if (lookup == DuplicateRequestCache.Lookup.Done)
                {
                    Assert.Equal(xid, BitConverter.ToUInt32(reply));
                    done++;
                }
                else
                {
                    Assert.Equal(DuplicateRequestCache.Lookup.Interrupted, lookup);
                    interrupted++;
                }
            }

            return (done, interrupted);
        }
    }
}
