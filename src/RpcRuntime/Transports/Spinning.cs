using System.Diagnostics;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// The spin-then-sleep policy of the threads that wait for the network (client receive threads, server
/// event loops and UDP receivers). A thread about to wait first polls for a short while, yielding the CPU
/// between polls, and sleeps in the kernel only if nothing came. A sleeping thread must be woken by the
/// sender, and on a virtual machine a wake-up, above all of an idle CPU, costs more than the spin (measured in
/// docs/perf/rpc.md). Yielding keeps the spin harmless when the peer runs on the same CPU, and no more threads
/// spin at once than there are processors to spin on.
/// </summary>
/// <example>
/// <code>
/// if (Spinning.TryEnter(ticks, out long until))
/// {
///     try
///     {
///         bool found = habit.PollFirst() &amp;&amp; habit.Found(Poll());
///         while (!found &amp;&amp; Spinning.Next(until)) { found = Poll(); }
///     }
///     finally { Spinning.Exit(); }
/// }
/// </code>
/// </example>
internal static class Spinning
{
    private static int s_spinners;

    /// <summary>A spin time in <see cref="Stopwatch"/> ticks; 0 turns spinning off.</summary>
    public static long ToTicks(TimeSpan spin) => spin <= TimeSpan.Zero ? 0 : Math.Max(1, (long)(spin.TotalSeconds * Stopwatch.Frequency));

    /// <summary>Starts a spin of <paramref name="ticks"/>, unless spinning is off or every processor has a spinner already.</summary>
    /// <returns>True when the caller may spin until <paramref name="until"/>, and must then call <see cref="Exit"/>.</returns>
    public static bool TryEnter(long ticks, out long until)
    {
        until = 0;
        if (ticks <= 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref s_spinners) > Environment.ProcessorCount)
        {
            Interlocked.Decrement(ref s_spinners);
            return false;
        }

        until = Stopwatch.GetTimestamp() + ticks;
        return true;
    }

    /// <summary>
    /// Before each poll: yields the CPU (to the peer, when it shares this CPU: what is awaited cannot be there
    /// before it runs), then says whether the spin's time is still running.
    /// </summary>
    public static bool Next(long until)
    {
        Thread.Yield();
        return Stopwatch.GetTimestamp() < until;
    }

    /// <summary>Ends a spin started by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Interlocked.Decrement(ref s_spinners);
}

/// <summary>
/// Whether a spin polls once before its first yield. Right after sending, the peer may already have answered (when
/// it shares the CPU and preempted the sender on wake-up, as libtirpc's clients tend to): polling first then
/// saves the yield. When it has not, polling first wastes a poll. A waiting thread keeps one of these and
/// follows what its recent spins found, trying the first poll again every 16 spins.
/// </summary>
internal struct SpinHabit
{
    private int _score;
    private int _spins;

    /// <summary>Whether this spin should poll before its first yield.</summary>
    public bool PollFirst() => _score >= 0 || (++_spins & 15) == 0;

    /// <summary>Records what the first poll found; returns <paramref name="found"/>.</summary>
    public bool Found(bool found)
    {
        _score = Math.Clamp(_score + (found ? 1 : -1), -4, 4);
        return found;
    }
}

/// <summary>
/// Whether a server's wait spins at all. A spin that finds nothing costs its whole length, so a server whose calls come
/// further apart than the spin (light load) would spend it after every call: 20 µs of CPU a call, half again the call's
/// own cost, measured at 2,500 calls/s (docs/perf/rpc.md). After <see cref="MissesToPause"/> spins in a row find
/// nothing, the waits sleep at once, and every <see cref="ProbeEvery"/>th spins again to see whether calls come closer;
/// a spin that finds work makes every wait spin again. Servers only: if clients paused too, a ping-pong whose sides
/// both slept would stay asleep (each side's wake-up is longer than the other's spin), whereas a client that keeps
/// spinning answers the server's probe within it.
/// </summary>
internal struct SpinBackoff
{
    public const int MissesToPause = 4;
    public const int ProbeEvery = 8;

    private int _misses;
    private int _waits;

    /// <summary>Whether this wait should spin.</summary>
    public bool ShouldSpin() => _misses < MissesToPause || ++_waits % ProbeEvery == 0;

    /// <summary>Records whether the spin found work.</summary>
    public void Spun(bool found)
    {
        _misses = found ? 0 : Math.Min(_misses + 1, MissesToPause);
        _waits = 0;
    }
}
