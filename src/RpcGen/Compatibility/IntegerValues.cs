using System.Globalization;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

/// <summary>
/// The values a 4-byte integer declaration may carry. int, unsigned int, enum and bool are all four bytes on the wire
/// (RFC 4506 sections 4.1 to 4.4); what tells them apart is which numbers the bytes may stand for, and a reader refuses
/// the others: an enum's members, bool's 0 and 1, the range of rpcgen's <c>short</c> and <c>char</c>. Two declarations
/// agree on a value when both allow it, so one set inside the other is a narrowing or a widening, and sets that
/// overlap otherwise (int and unsigned int read the same bytes as different numbers) are another type.
/// </summary>
/// <param name="Min">The least value of a range (unused for a set).</param>
/// <param name="Max">The greatest value of a range (unused for a set).</param>
/// <param name="Members">The values of an enum or bool; null for a range.</param>
internal sealed record IntegerValues(long Min, long Max, IReadOnlySet<long>? Members)
{
    private static readonly IReadOnlySet<long> s_bool = new HashSet<long> { 0, 1 };

    /// <summary>The values of a 4-byte integer, enum or bool; null for anything else.</summary>
    public static IntegerValues? Of(Resolved resolved) => resolved switch
    {
        { Primitive: { Kind: XdrPrimitive.Int } p } => p.Narrow switch
        {
            NarrowInteger.Char => new(sbyte.MinValue, sbyte.MaxValue, null),
            NarrowInteger.Short => new(short.MinValue, short.MaxValue, null),
            _ => new(int.MinValue, int.MaxValue, null),
        },
        { Primitive: { Kind: XdrPrimitive.UnsignedInt } p } => p.Narrow switch
        {
            NarrowInteger.Char => new(byte.MinValue, byte.MaxValue, null),
            NarrowInteger.Short => new(ushort.MinValue, ushort.MaxValue, null),
            _ => new(uint.MinValue, uint.MaxValue, null),
        },
        { Primitive.Kind: XdrPrimitive.Bool } => new(0, 1, s_bool),
        { Aggregate.Body: EnumBody e } => new(0, 0, e.Members.Select(m => (long)m.Value).ToHashSet()),
        _ => null,
    };

    /// <summary>True when every value this allows, <paramref name="other"/> allows too.</summary>
    public bool IsWithin(IntegerValues other)
    {
        if (Members is not null)
        {
            return Members.All(other.Allows);
        }

        if (other.Members is null)
        {
            return Min >= other.Min && Max <= other.Max;
        }

        // A range inside a set: only a range no larger than the set can be.
        return Max - Min + 1 <= other.Members.Count && Enumerable.Range(0, (int)(Max - Min + 1)).All(i => other.Members.Contains(Min + i));
    }

    /// <summary>For messages: <c>-32768..32767</c>, or how many values an enum has.</summary>
    public override string ToString() => Members is null
        ? $"{Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}"
        : $"{Members.Count.ToString(CultureInfo.InvariantCulture)} value{(Members.Count == 1 ? string.Empty : "s")}";

    private bool Allows(long value) => Members?.Contains(value) ?? (value >= Min && value <= Max);
}
