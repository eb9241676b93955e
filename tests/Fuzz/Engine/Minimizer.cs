using System.Diagnostics;

namespace NetRpc.Fuzz.Engine;

/// <summary>
/// Shrinks an input that breaks an invariant while it still breaks it: removes halves, then quarters, and so on
/// down to single bytes (a simple form of delta debugging), within a number of attempts and a time limit.
/// </summary>
internal static class Minimizer
{
    public static byte[] Minimize(byte[] input, Func<byte[], bool> stillFails, int maxAttempts, TimeSpan maxTime)
    {
        var clock = Stopwatch.StartNew();
        byte[] current = input;
        int attempts = 0;
        int chunk = Math.Max(1, current.Length / 2);
        while (chunk >= 1 && current.Length > 0)
        {
            bool removedAny = false;
            for (int at = 0; at < current.Length;)
            {
                if (attempts++ >= maxAttempts || clock.Elapsed > maxTime)
                {
                    return current;
                }

                int length = Math.Min(chunk, current.Length - at);
                byte[] candidate = [.. current.AsSpan(0, at), .. current.AsSpan(at + length)];
                if (stillFails(candidate))
                {
                    current = candidate;
                    removedAny = true;
                }
                else
                {
                    at += length;
                }
            }

            if (!removedAny)
            {
                chunk /= 2;
            }
        }

        return current;
    }
}
