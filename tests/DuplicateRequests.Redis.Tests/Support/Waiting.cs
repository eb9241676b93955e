using System.Diagnostics;

namespace NetRpc.DuplicateRequests.Redis.Tests.Support;

/// <summary>Waits for a condition, polling, rather than for a time: what the tests wait for comes when the machine lets it.</summary>
internal static class Waiting
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms; fails the test, naming <paramref name="what"/>, after <paramref name="seconds"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, int seconds = 60) =>
        UntilAsync(() => Task.FromResult(condition()), what, seconds);

    /// <inheritdoc cref="UntilAsync(Func{bool}, string, int)"/>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
