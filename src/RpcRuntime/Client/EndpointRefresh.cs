namespace NetRpc.Runtime.Client;

/// <summary>
/// When a client over an <see cref="RpcEndpointSource"/> asks it again, and the asking: in the background, one at a
/// time, checked from the send path (a read of the clock), so that an idle client asks nothing.
/// </summary>
internal sealed class EndpointRefresh(RpcEndpointSource source)
{
    private long _at;
    private int _running;

    public RpcEndpointSource Source { get; } = source;

    /// <summary>Whether the time to ask again has come.</summary>
    public bool Due => Environment.TickCount64 >= Volatile.Read(ref _at);

    /// <summary>Ask at the next call (a server was lost).</summary>
    public void Soon() => Volatile.Write(ref _at, 0);

    /// <summary>Ask at <see cref="Environment.TickCount64"/> <paramref name="tick"/>.</summary>
    public void At(long tick) => Volatile.Write(ref _at, tick);

    /// <summary>Ask again after <paramref name="wait"/>; a negative one (<see cref="Timeout.InfiniteTimeSpan"/>) never.</summary>
    public void After(TimeSpan wait) =>
        At(wait < TimeSpan.Zero ? long.MaxValue / 4 : Environment.TickCount64 + (long)Math.Min(wait.TotalMilliseconds, long.MaxValue / 4));

    /// <summary>The source's servers now, every address of a name; its failures as <see cref="RpcConnectionException"/>.</summary>
    public async ValueTask<List<System.Net.IPEndPoint>> ResolveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RpcEndpointSource.ResolveAsync(await Source.GetEndpointsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw new RpcConnectionException($"RPC: Cannot find the servers of {Source.Name}: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="refresh"/> in the background unless it runs already; when it fails, asks again after <paramref name="retry"/>.</summary>
    public void Run(Func<Task> refresh, TimeSpan retry)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return;
        }

        At(long.MaxValue);
        _ = Task.Run(async () =>
        {
            try
            {
                await refresh().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or ObjectDisposedException)
            {
                // Nothing new reachable: the calls go on with the servers there are.
                After(retry);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        });
    }
}
