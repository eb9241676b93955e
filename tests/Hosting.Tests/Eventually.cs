namespace NetRpc.Hosting.Tests;

/// <summary>Waits for a condition other threads or processes make true: polled, since it is not an event; the deadline only bounds a hang.</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, int seconds = 60)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}
