using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// One thread serving many TCP connections through epoll (Linux), as libtirpc's svc_run serves them through
/// poll: a wake-up handles every connection that is ready, with no switch between threads in between. The server
/// runs one loop per core and deals connections out to them.
/// </summary>
internal sealed class EventLoop
{
    // Wake this often when nothing happens, to notice idle connections and a stop request.
    private const int TickMilliseconds = 250;
    private const int MaxEvents = 256;

    private readonly int _epoll = Epoll.Create();
    private readonly TcpService _service;
    private readonly Dictionary<int, EpollConnection> _connections = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<EpollConnection> _evictions = new();
    private readonly object _lock = new();
    private readonly int _index;
    private Thread? _thread; // started by the first connection (under _lock)
    private bool _ended; // under _lock: the server stopped before any connection came, and the epoll set is closed
    private readonly long _spinTicks;
    private volatile bool _stopping;
    private volatile bool _aborting;

    public EventLoop(TcpService service, int index)
    {
        _service = service;
        _spinTicks = Spinning.ToTicks(service.Options.SpinBeforeSleep);
        _index = index;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>
    /// Serves a connection. The loop's thread starts with its first connection: a server that only listens, or is
    /// asked over UDP alone, starts no loop, and starting a server waits for none (bench/first-reply.sh).
    /// </summary>
    public void Add(EpollConnection connection)
    {
        lock (_lock)
        {
            if (_ended)
            {
                // The server stopped before this loop served anything.
                connection.Close();
                _service.Closed(connection.Peer);
                return;
            }

            _connections[connection.Fd] = connection;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = $"NetRpc TCP loop {_service.LocalEndPoint} #{_index}" };
                _thread.Start();
            }
        }

        Epoll.Add(_epoll, connection.Fd, Epoll.In | Epoll.RdHup, (ulong)connection.Fd);
    }

    public void SetInterest(EpollConnection connection, bool reading, bool writing)
    {
        try
        {
            Epoll.Modify(_epoll, connection.Fd, (reading ? Epoll.In | Epoll.RdHup : 0) | (writing ? Epoll.Out : 0), (ulong)connection.Fd);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The connection was closed meanwhile.
        }
    }

    /// <summary>The quiet connection (no call running, no reply waiting) that has been idle longest, with when it was last active.</summary>
    public EpollConnection? LongestIdle()
    {
        EpollConnection? oldest = null;
        lock (_lock)
        {
            foreach (EpollConnection connection in _connections.Values)
            {
                if (!connection.Evicting && (oldest is null || connection.LastActivity < oldest.LastActivity) && !connection.Busy && !connection.HasUnsent)
                {
                    oldest = connection;
                }
            }
        }

        return oldest;
    }

    /// <summary>Has the loop close a connection to make room for a new one, at its next wake-up (within a tick).</summary>
    public void Evict(EpollConnection connection)
    {
        connection.Evicting = true;
        _evictions.Enqueue(connection);
    }

    /// <summary>True once the server stops: no further call is read.</summary>
    public bool IsStopping => _stopping;

    /// <summary>Stops reading further calls; each connection closes once its calls are answered and sent.</summary>
    public void BeginStop()
    {
        _stopping = true;
        EndUnstarted();
    }

    /// <summary>Closes every connection now.</summary>
    public void Abort()
    {
        _stopping = true;
        _aborting = true;
        EndUnstarted();
    }

    /// <summary>A loop whose thread never started closes its epoll set here, as the thread would on its way out.</summary>
    private void EndUnstarted()
    {
        lock (_lock)
        {
            if (_thread is null && !_ended)
            {
                _ended = true;
                Epoll.Close(_epoll);
            }
        }
    }

    private void Run()
    {
        byte[] events = new byte[MaxEvents * Epoll.EventSize];
        long nextScan = Environment.TickCount64 + TickMilliseconds;
        bool served = false;
        var habit = default(SpinHabit);
        var backoff = default(SpinBackoff);
        try
        {
            while (true)
            {
                int count = 0;
                if (served && backoff.ShouldSpin() && Spinning.TryEnter(_spinTicks, out long until))
                {
                    try
                    {
                        if (habit.PollFirst())
                        {
                            habit.Found((count = Epoll.Wait(_epoll, events, 0)) > 0);
                        }

                        while (count == 0 && Spinning.Next(until))
                        {
                            count = Epoll.Wait(_epoll, events, 0);
                        }
                    }
                    finally
                    {
                        Spinning.Exit();
                    }

                    backoff.Spun(count > 0);
                }

                if (count == 0)
                {
                    count = Epoll.Wait(_epoll, events, TickMilliseconds);
                }

                served = count > 0;
                for (int i = 0; i < count; i++)
                {
                    (uint ready, ulong data) = Epoll.Read(events, i);
                    EpollConnection? connection;
                    lock (_lock)
                    {
                        _connections.TryGetValue((int)data, out connection);
                    }

                    if (connection is null)
                    {
                        continue;
                    }

                    bool alive = true;
                    if ((ready & Epoll.Out) != 0)
                    {
                        alive = connection.OnWritable();
                    }

                    if (alive && !_stopping && (ready & (Epoll.In | Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
                    {
                        alive = connection.OnReadable();
                    }

                    if (!alive)
                    {
                        Remove(connection);
                    }
                }

                while (_evictions.TryDequeue(out EpollConnection? evicted))
                {
                    // Still quiet? Then it goes; a call that arrived meanwhile keeps it (the server runs one over its limit).
                    if (!evicted.Busy && !evicted.HasUnsent)
                    {
                        RpcServerLog.Evicted(_service.Logger, evicted.Remote, _service.Options.MaxConnections);
                        Remove(evicted, "evicted");
                    }
                    else
                    {
                        evicted.Evicting = false;
                    }
                }

                long now = Environment.TickCount64;
                if (_stopping || now >= nextScan)
                {
                    nextScan = now + TickMilliseconds;
                    if (Sweep(now))
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            Epoll.Close(_epoll);
        }
    }

    /// <summary>Closes idle connections, and when stopping, those with nothing left to answer; true when the loop may end.</summary>
    private bool Sweep(long now)
    {
        EpollConnection[] connections;
        lock (_lock)
        {
            connections = [.. _connections.Values];
        }

        RpcServerOptions options = _service.Options;
        foreach (EpollConnection connection in connections)
        {
            bool quiet = !connection.Busy && !connection.HasUnsent;
            long partialSince = connection.PartialSince;
            long lastSendProgress = connection.LastSendProgress;
            if (_aborting || (_stopping && quiet))
            {
                Remove(connection);
            }
            else if (quiet && Passed(now, connection.LastActivity, options.IdleTimeout))
            {
                RpcServerLog.IdleClosed(_service.Logger, connection.Remote, options.IdleTimeout);
                Remove(connection, "idle");
            }
            else if (partialSince != 0 && Passed(now, partialSince, options.RecordTimeout))
            {
                // A peer trickling a record a byte at a time is active, but not for ever.
                RpcServerLog.RecordTimedOut(_service.Logger, connection.Remote, options.RecordTimeout);
                Remove(connection, "record_timeout");
            }
            else if (lastSendProgress != 0 && Passed(now, lastSendProgress, options.WriteTimeout))
            {
                RpcServerLog.WriteTimedOut(_service.Logger, connection.Remote, connection.Queued, options.WriteTimeout);
                Remove(connection, "write_timeout");
            }
        }

        return _stopping && Count == 0;
    }

    /// <summary>True when more than <paramref name="limit"/> has passed since <paramref name="since"/> (an infinite limit never passes).</summary>
    private static bool Passed(long now, long since, TimeSpan limit) =>
        limit != Timeout.InfiniteTimeSpan && now - since > (long)limit.TotalMilliseconds;

    private void Remove(EpollConnection connection, string reason)
    {
        _service.Dispatcher.Metrics.ConnectionClosedByServer(reason);
        Remove(connection);
    }

    private void Remove(EpollConnection connection)
    {
        lock (_lock)
        {
            if (!_connections.Remove(connection.Fd))
            {
                return;
            }
        }

        try
        {
            Epoll.Remove(_epoll, connection.Fd);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }

        if (connection.HandingOverForTls)
        {
            // Its AUTH_TLS probe was answered: the connection goes on, in TLS, on a thread of its own.
            _service.ContinueWithTls(connection.HandOver(), connection.Peer, connection.Local);
            return;
        }

        connection.Close();
        _service.Closed(connection.Peer);
    }
}
