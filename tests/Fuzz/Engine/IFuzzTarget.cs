namespace NetRpc.Fuzz.Engine;

/// <summary>
/// One thing under fuzzing: its seeds, how its inputs are mutated, and its contract. <see cref="Run"/> calls the
/// code under test the way its documentation allows: exceptions the contract names for malformed input are caught
/// inside it, so whatever escapes <see cref="Run"/> is a finding.
/// </summary>
internal interface IFuzzTarget : IDisposable
{
    /// <summary>The name on the command line and in the report.</summary>
    string Name { get; }

    /// <summary>What the code under test may throw for malformed input, as documented; the report prints it.</summary>
    string Contract { get; }

    /// <summary>Valid inputs to start from: captured traffic, or values encoded by the code under test.</summary>
    IReadOnlyList<byte[]> Seeds { get; }

    IMutator Mutator { get; }

    Budget Budget { get; }

    /// <summary>Runs one input.</summary>
    /// <returns>Bytes the input made the code under test hold that the GC's allocation counter does not see (rented from a pool), or 0.</returns>
    long Run(byte[] input);

    /// <summary>How many inputs run between two health checks; 0 for targets that have nothing to check.</summary>
    int HealthInterval { get; }

    /// <summary>Anything else the report should say about the run (for a server: how often it closed the connection).</summary>
    string Notes { get; }

    /// <summary>Null when the target is healthy (for a server: a well-behaved client is answered in time), otherwise why not.</summary>
    string? CheckHealth();
}

/// <summary>
/// What one input may cost. Time: <see cref="TimeCap"/>. Memory: at most <see cref="BytesPerInputByte"/> bytes for
/// each byte of input plus <see cref="ConstantBytes"/>, counted on the fuzzing thread, or on every thread for a
/// target whose work happens on threads of its own (a server).
/// </summary>
internal sealed record Budget(TimeSpan TimeCap, long BytesPerInputByte, long ConstantBytes, bool CountAllThreads = false)
{
    public long AllowedBytes(int inputLength) => BytesPerInputByte * inputLength + ConstantBytes;
}

/// <summary>Makes a new input from a seed.</summary>
internal interface IMutator
{
    /// <param name="random">The campaign's random source: the same seed gives the same inputs.</param>
    /// <param name="input">The seed to mutate (not modified).</param>
    /// <param name="seeds">All seeds, for splicing.</param>
    byte[] Mutate(Random random, byte[] input, IReadOnlyList<byte[]> seeds);
}
