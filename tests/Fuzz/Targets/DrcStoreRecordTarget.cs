using System.Text;
using NetRpc.DuplicateRequests.Redis;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime.DuplicateRequests;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// A record of the fleet's shared duplicate request store as a server reads it back from Redis, where anyone who can
/// write to the store could have put anything: the input is the value found under a call's key. Its contract is that it
/// never throws, and never misleads: it is taken for this call's answer (or for this call running) only when it is
/// exactly the record the store writes for this call, byte for byte; anything else is damaged or foreign, which the
/// store answers as interrupted (SYSTEM_ERR: never run twice, never another's reply). The seeds are records the store
/// writes: running here and elsewhere, answered with replies of several sizes, and records of other calls.
/// </summary>
internal sealed class DrcStoreRecordTarget : DecoderTarget
{
    private static readonly byte[] Self = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] Other = Encoding.ASCII.GetBytes("fedcba9876543210fedcba9876543210");
    private static readonly DuplicateRequestCall Call = new(0x5EED, 100003, 3, 8, "create f"u8, [4, 10, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0]);

    public DrcStoreRecordTarget()
    {
        var random = new Random(2203);
        var seeds = new List<byte[]>
        {
            StoreRecord.ForRunning(Self, Call.Identity),
            StoreRecord.ForRunning(Other, Call.Identity),
            StoreRecord.ForAnswered(Other, Call.Identity, []),
            StoreRecord.ForRunning(Other, new DuplicateRequestCall(0x5EEE, 100003, 3, 8, "create f"u8, []).Identity),
        };
        foreach (int size in new[] { 4, 28, 300, 4000 })
        {
            byte[] reply = new byte[size];
            random.NextBytes(reply);
            seeds.Add(StoreRecord.ForAnswered(Self, Call.Identity, reply));
        }

        Seeds = seeds;
    }

    public override string Name => "drc-store-record";

    public override string Contract => "StoreRecord.Classify: no exception; Answered or Running only for the exact record of the call";

    public override IReadOnlyList<byte[]> Seeds { get; }

    public override long Run(byte[] input)
    {
        RecordVerdict verdict = StoreRecord.Classify(input, Call.Identity, Self, out ReadOnlyMemory<byte> owner, out ReadOnlyMemory<byte> reply);
        byte[]? exact = verdict switch
        {
            RecordVerdict.Answered => StoreRecord.ForAnswered(owner.Span, Call.Identity, reply.Span),
            RecordVerdict.RunningHere or RecordVerdict.RunningElsewhere => StoreRecord.ForRunning(owner.Span, Call.Identity),
            _ => null,
        };
        if (exact is not null && !exact.AsSpan().SequenceEqual(input))
        {
            throw new InvalidOperationException($"a record taken for {verdict} is not the record the store writes for the call");
        }

        bool mine = owner.Span.SequenceEqual(Self);
        if ((verdict == RecordVerdict.RunningHere && !mine) || (verdict == RecordVerdict.RunningElsewhere && mine))
        {
            throw new InvalidOperationException("a running record's owner was misread");
        }

        return 0;
    }
}
