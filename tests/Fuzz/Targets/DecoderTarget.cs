using NetRpc.Fuzz.Engine;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// A decoder run in the fuzzing thread. Budget: 1 s an input, and at most 64 bytes of memory for each byte of
/// input plus 64 KiB. The multiple is an XDR unit's worth of objects: a 4-byte unit may become at most one small
/// object (a union, a list node, an array slot) of a few fields, which costs well under 256 bytes; the constant
/// covers a reader's fixed buffers and an exception with its stack trace.
/// </summary>
internal abstract class DecoderTarget : IFuzzTarget
{
    public static readonly Budget DecoderBudget = new(TimeSpan.FromSeconds(1), 64, 64 * 1024);

    /// <summary>Inputs are cut at this length: four times the largest seed leaves room to grow without slowing the run.</summary>
    public const int MaxInputLength = 64 * 1024;

    public abstract string Name { get; }

    public abstract string Contract { get; }

    public abstract IReadOnlyList<byte[]> Seeds { get; }

    public IMutator Mutator { get; } = new ByteMutator(MaxInputLength);

    public virtual Budget Budget => DecoderBudget;

    public int HealthInterval => 0;

    public string Notes => string.Empty;

    public abstract long Run(byte[] input);

    public string? CheckHealth() => null;

    public virtual void Dispose()
    {
    }
}
