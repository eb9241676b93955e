using NetRpc.Fuzz.Engine;

namespace NetRpc.Fuzz.Targets;

/// <summary>Every target, by the name the command line and the report use, in the order <c>--target all</c> runs them.</summary>
internal static class FuzzTargets
{
    private static readonly (string Name, Func<IFuzzTarget> Create)[] s_all =
    [
        ("record-marking", () => new RecordMarkingTarget()),
        ("rpc-call", () => new RpcCallTarget()),
        ("rpc-reply", () => new RpcReplyTarget()),
        ("rpc-auth", () => new RpcAuthTarget()),
        ("nfs4-xdr", () => new Nfs4XdrTarget()),
        ("rpcbind-server", () => new RpcbindServerTarget()),
        ("tls-probe", () => new TlsProbeTarget()),
        ("rpcsec-gss-server", () => new RpcsecGssServerTarget()),
        ("drc-journal", () => new DrcJournalTarget()),
        ("drc-store-record", () => new DrcStoreRecordTarget()),
        ("rpcgen", () => new RpcgenTarget()),
    ];

    public static IEnumerable<string> Names => s_all.Select(t => t.Name);

    public static IFuzzTarget Create(string name) =>
        s_all.FirstOrDefault(t => t.Name == name).Create?.Invoke() ?? throw new ArgumentException($"no target '{name}'; the targets are {string.Join(", ", Names)}", nameof(name));
}
