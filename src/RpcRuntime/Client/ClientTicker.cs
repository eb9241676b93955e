namespace NetRpc.Runtime.Client;

/// <summary>
/// One thread per process ticks every client that has calls in flight, every 10 milliseconds: calls past their
/// deadline fail, and late UDP calls are sent again. A <see cref="Timer"/> would run each tick on the thread
/// pool, whose workers then spin looking for more work: measured on one CPU shared with the calls, that took
/// 4 % of it. A client leaves the list after a second without calls and rejoins with its next call.
/// </summary>
internal static class ClientTicker
{
    public const int TickMilliseconds = 10;

    private static readonly object s_lock = new();
    private static readonly List<RpcClient> s_clients = [];
    private static Thread? s_thread;

    /// <summary>Ticks <paramref name="client"/> until its <see cref="RpcClient.Tick"/> returns false.</summary>
    public static void Enlist(RpcClient client)
    {
        lock (s_lock)
        {
            s_clients.Add(client);
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "NetRpc client timer" };
                s_thread.Start();
            }
            else if (s_clients.Count == 1)
            {
                Monitor.Pulse(s_lock);
            }
        }
    }

    private static void Run()
    {
        var batch = new List<RpcClient>();
        while (true)
        {
            lock (s_lock)
            {
                while (s_clients.Count == 0)
                {
                    Monitor.Wait(s_lock);
                }
            }

            Thread.Sleep(TickMilliseconds);
            lock (s_lock)
            {
                batch.AddRange(s_clients);
            }

            foreach (RpcClient client in batch)
            {
                bool ticking;
                try
                {
                    ticking = client.Tick();
                }
                catch (Exception)
                {
                    // A client's tick must not stop every other client's: it is dropped, and rejoins with its next call.
                    ticking = false;
                }

                if (!ticking)
                {
                    lock (s_lock)
                    {
                        s_clients.Remove(client); // one entry: the client may have enlisted again meanwhile
                    }
                }
            }

            batch.Clear();
        }
    }
}
