using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Runtime.Tests.Yp.Protocol;

namespace NetRpc.Runtime.Tests.Yp;

/// <summary>
/// Runs inside a network and mount namespace of its own (<c>yp-scenario native|netrpc DIR</c>, see <see cref="YpTests"/>),
/// with private tmpfs on /run and /var/yp. <c>native</c>: Debian's ypserv serves a 300-entry map built with makedbm, and
/// NetRpc's client generated from yp.x reads it through the streaming YPPROC_ALL. <c>netrpc</c>: a NetRpc ypserv generated
/// from yp.x serves the same map, registered with native rpcbind, and Debian's ypcat reads it. Prints one line per check.
/// </summary>
internal static class YpScenario
{
    public const string Makedbm = "/usr/lib/yp/makedbm";
    private const string Domain = "netrpc.test";
    private const string Map = "netrpc.byname";

    /// <summary>key001 to key300, each with a value of its own.</summary>
    public static SortedDictionary<string, string> Expected { get; } = new(
        Enumerable.Range(1, YpTests.Entries).ToDictionary(i => $"key{i:000}", i => $"value {i} of {YpTests.Entries}"),
        StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        using Process rpcbind = Daemons.Start("rpcbind", "-w", "-f");
        try
        {
            await Daemons.WaitForAsync(() => Daemons.IsRegistered(100000));
            return args[0] == "native" ? await NativeServerAsync(args[1]) : await NetRpcServerAsync();
        }
        finally
        {
            NativeServer.Terminate(rpcbind, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Debian's ypserv serves the map; the generated client reads it as a stream.</summary>
    private static async Task<int> NativeServerAsync(string directory)
    {
        string text = Path.Combine(directory, "map.txt");
        await File.WriteAllLinesAsync(text, Expected.Select(e => $"{e.Key}\t{e.Value}"));
        Directory.CreateDirectory($"/var/yp/{Domain}");
        NativeToolchain.Run(Makedbm, [text, $"/var/yp/{Domain}/{Map}"], directory);
        using Process ypserv = Daemons.Start("ypserv", "-f");
        try
        {
            await Daemons.WaitForAsync(() => Daemons.IsRegistered(Ypprog.Program, "tcp"));
            await using YpversClient client = await YpversClient.CreateAsync("127.0.0.1", RpcTransport.Tcp);
            var read = new List<YprespKeyVal>();
            await foreach (YprespKeyVal entry in client.YpprocAllAsync(new YpreqNokey { Domain = Domain, Map = Map }))
            {
                read.Add(entry);
            }

            // ypserv ends its stream with FALSE; an entry whose stat is not YP_TRUE (YP_NOMORE) may come before it.
            List<YprespKeyVal> records = [.. read.Where(e => e.Stat == Ypstat.YpTrue)];
            string others = string.Join(", ", read.Where(e => e.Stat != Ypstat.YpTrue).Select(e => e.Stat));
            await Console.Error.WriteLineAsync($"native ypserv sent {read.Count} TRUE arms: {records.Count} YP_TRUE{(others.Length > 0 ? ", then " + others : string.Empty)}");
            var got = records.ToDictionary(e => Encoding.ASCII.GetString(e.Key), e => Encoding.ASCII.GetString(e.Val), StringComparer.Ordinal);
            bool same = got.Count == Expected.Count && Expected.All(e => got.TryGetValue(e.Key, out string? value) && value == e.Value);
            Console.WriteLine($"native ypserv: {records.Count} entries, {(same ? "every key and value as in the map" : "NOT the map: " + Describe(got))}, in one stream");
        }
        finally
        {
            NativeServer.Terminate(ypserv, TimeSpan.FromSeconds(10));
        }

        return 0;
    }

    /// <summary>A NetRpc ypserv serves the map, registered with native rpcbind; ypcat reads it.</summary>
    private static async Task<int> NetRpcServerAsync()
    {
        await using var server = new RpcServer();
        server.AddProgram(new NisServer().ToProgram());
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        server.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
        await server.RegisterAsync(startEmbedded: false);
        await Daemons.WaitForAsync(() => Daemons.IsRegistered(Ypprog.Program, "tcp"));

        string[] keyed = NativeToolchain.Run("ypcat", ["-k", "-d", Domain, "-h", "127.0.0.1", Map], AppContext.BaseDirectory, timeoutSeconds: 60)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var got = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in keyed)
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            got[space < 0 ? line : line[..space]] = space < 0 ? string.Empty : line[(space + 1)..];
        }

        bool same = keyed.Length == Expected.Count && got.Count == Expected.Count && Expected.All(e => got.TryGetValue(e.Key, out string? value) && value == e.Value);
        Console.WriteLine($"ypcat -k: {keyed.Length} lines, {(same ? "every key and value as in the map" : "NOT the map: " + Describe(got))}");

        string[] values = NativeToolchain.Run("ypcat", ["-d", Domain, "-h", "127.0.0.1", Map], AppContext.BaseDirectory, timeoutSeconds: 60)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        bool allValues = values.Order(StringComparer.Ordinal).SequenceEqual(Expected.Values.Order(StringComparer.Ordinal));
        Console.WriteLine($"ypcat: {values.Length} {(allValues ? "values" : "lines, NOT the map's values")}");
        return 0;
    }

    private static string Describe(IReadOnlyDictionary<string, string> got) =>
        $"{got.Count} keys, first {string.Join("; ", got.OrderBy(e => e.Key, StringComparer.Ordinal).Take(3).Select(e => $"{e.Key}={e.Value}"))}";

    /// <summary>A NIS server of one map, generated from yp.x: what ypcat and ypmatch ask of it.</summary>
    private sealed class NisServer : YpversServiceBase
    {
        private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

        private static bool Serves(string domain, string map) => domain == Domain && map == Map;

        public override ValueTask<bool> YpprocDomainAsync(string domainname, RpcCallContext context) => ValueTask.FromResult(domainname == Domain);

        public override ValueTask<bool> YpprocDomainNonackAsync(string domainname, RpcCallContext context) =>
            domainname == Domain ? ValueTask.FromResult(true) : throw RpcReplyException.WithoutReply();

        public override ValueTask<YprespVal> YpprocMatchAsync(YpreqKey ypreqKey, RpcCallContext context) =>
            ValueTask.FromResult(!Serves(ypreqKey.Domain, ypreqKey.Map) ? new YprespVal { Stat = Ypstat.YpNomap }
                : Expected.TryGetValue(Encoding.ASCII.GetString(ypreqKey.Key), out string? value) ? new YprespVal { Stat = Ypstat.YpTrue, Val = Bytes(value) }
                : new YprespVal { Stat = Ypstat.YpNokey });

        public override ValueTask<YprespKeyVal> YpprocFirstAsync(YpreqKey ypreqKey, RpcCallContext context) =>
            ValueTask.FromResult(Serves(ypreqKey.Domain, ypreqKey.Map) ? Entry(Expected.First()) : new YprespKeyVal { Stat = Ypstat.YpNomap });

        public override ValueTask<YprespKeyVal> YpprocNextAsync(YpreqKey ypreqKey, RpcCallContext context)
        {
            string key = Encoding.ASCII.GetString(ypreqKey.Key);
            KeyValuePair<string, string>? next = Expected.Where(e => string.CompareOrdinal(e.Key, key) > 0).Select(e => (KeyValuePair<string, string>?)e).FirstOrDefault();
            return ValueTask.FromResult(!Serves(ypreqKey.Domain, ypreqKey.Map) ? new YprespKeyVal { Stat = Ypstat.YpNomap }
                : next is { } found ? Entry(found) : new YprespKeyVal { Stat = Ypstat.YpNomore });
        }

        public override ValueTask<YprespXfr> YpprocXfrAsync(YpreqXfr ypreqXfr, RpcCallContext context) =>
            ValueTask.FromResult(new YprespXfr { Transid = ypreqXfr.Transid, Xfrstat = Ypxfrstat.YpxfrRefused });

        public override ValueTask YpprocClearAsync(RpcCallContext context) => ValueTask.CompletedTask;

        /// <summary>The whole map as a stream: the runtime writes TRUE before each entry and FALSE after the last.</summary>
        public override async IAsyncEnumerable<YprespKeyVal> YpprocAllAsync(YpreqNokey ypreqNokey, RpcCallContext context)
        {
            if (!Serves(ypreqNokey.Domain, ypreqNokey.Map))
            {
                // As ypserv: one entry whose status says why, then the end.
                yield return new YprespKeyVal { Stat = Ypstat.YpNomap };
                yield break;
            }

            foreach (KeyValuePair<string, string> entry in Expected)
            {
                context.CallAborted.ThrowIfCancellationRequested();
                yield return Entry(entry);
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }

        public override ValueTask<YprespMaster> YpprocMasterAsync(YpreqNokey ypreqNokey, RpcCallContext context) =>
            ValueTask.FromResult(Serves(ypreqNokey.Domain, ypreqNokey.Map) ? new YprespMaster { Stat = Ypstat.YpTrue, Peer = "localhost" } : new YprespMaster { Stat = Ypstat.YpNomap });

        public override ValueTask<YprespOrder> YpprocOrderAsync(YpreqNokey ypreqNokey, RpcCallContext context) =>
            ValueTask.FromResult(Serves(ypreqNokey.Domain, ypreqNokey.Map) ? new YprespOrder { Stat = Ypstat.YpTrue, Ordernum = 1 } : new YprespOrder { Stat = Ypstat.YpNomap });

        public override ValueTask<YprespMaplist> YpprocMaplistAsync(string domainname, RpcCallContext context) =>
            ValueTask.FromResult(domainname == Domain ? new YprespMaplist { Stat = Ypstat.YpTrue, Maps = new Ypmaplist { Map = Map } } : new YprespMaplist { Stat = Ypstat.YpNodom });

        private static YprespKeyVal Entry(KeyValuePair<string, string> entry) =>
            new() { Stat = Ypstat.YpTrue, Key = Bytes(entry.Key), Val = Bytes(entry.Value) };
    }
}
