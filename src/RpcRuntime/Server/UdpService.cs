using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Server;

/// <summary>
/// A UDP endpoint: several threads block receiving on one socket and answer each datagram themselves, so calls
/// run on as many cores as there are threads. One message per datagram (RFC 5531 section 10).
/// </summary>
internal sealed class UdpService
{
    // Wake receivers this often to notice a stop request.
    private const int StopPollMilliseconds = 250;

    // The largest UDP payload: datagrams over the configured limit are read whole and refused, never cut short.
    private const int ReceiveBufferSize = 65535;

    private readonly Socket _socket;
    private readonly RpcServerOptions _options;
    private readonly CallDispatcher _dispatcher;
    private readonly DuplicateRequestCache? _cache;
    private readonly UdpCallsInFlight _inFlightCalls;
    private readonly ILogger _logger;
    private readonly List<Thread> _threads = [];
    private readonly CancellationTokenSource _stopped = new();
    private readonly CountdownEvent _inFlight = new(1);
    private volatile bool _stopping;
    private int _othersStarted;

    public UdpService(IPEndPoint endPoint, RpcServerOptions options, CallDispatcher dispatcher, DuplicateRequestCache? cache, UdpCallsInFlight inFlightCalls, ILogger logger)
    {
        _options = options;
        _dispatcher = dispatcher;
        _cache = cache;
        _inFlightCalls = inFlightCalls;
        _logger = logger;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            DatagramLimits.SizeBuffers(_socket, options.UdpReceiveBufferSize, options.UdpSendBufferSize);
            _socket.Bind(endPoint);
            _socket.ReceiveTimeout = StopPollMilliseconds;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        StartReceiveThread(0);
        RpcServerLog.Listening(_logger, "udp", LocalEndPoint);
    }

    /// <summary>
    /// The other receive threads start once the first has served a datagram: a starting server answers its first call
    /// without waiting for them (each costs a thread start, at every server's start), and an idle one holds one thread.
    /// </summary>
    private void StartOtherReceiveThreads()
    {
        if (Interlocked.Exchange(ref _othersStarted, 1) == 0)
        {
            for (int i = 1; i < _options.UdpReceiveThreads; i++)
            {
                StartReceiveThread(i);
            }
        }
    }

    private void StartReceiveThread(int index)
    {
        var thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"NetRpc UDP {LocalEndPoint} #{index}" };
        lock (_threads)
        {
            if (_stopping)
            {
                return;
            }

            _threads.Add(thread);
        }

        thread.Start();
    }

    /// <summary>Stops receiving, waits for calls in flight to be answered, then closes the socket.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        lock (_threads)
        {
            _stopping = true;
        }

        Thread[] threads;
        lock (_threads)
        {
            threads = [.. _threads]; // none is added once stopping (StartReceiveThread)
        }

        await Task.Run(() =>
        {
            foreach (Thread thread in threads)
            {
                thread.Join(timeout);
            }

            _inFlight.Signal();
            if (!_inFlight.Wait(timeout))
            {
                RpcServerLog.ShutdownAbandoned(_logger, _inFlight.CurrentCount);
            }
        }).ConfigureAwait(false);
        _stopped.Cancel();
        _socket.Dispose();
    }

    private void ReceiveLoop()
    {
        byte[] datagram = new byte[ReceiveBufferSize];
        var from = new SocketAddress(_socket.AddressFamily);
        using var reply = new PooledBufferWriter(_options.MaxDatagramSize);
        long spinTicks = SocketIo.IsDirect ? Spinning.ToTicks(_options.SpinBeforeSleep) : 0;
        bool served = false;
        var habit = default(SpinHabit);
        var backoff = default(SpinBackoff);
        while (!_stopping)
        {
            if (served && _othersStarted == 0)
            {
                StartOtherReceiveThreads();
            }

            int received = -1;
            try
            {
                if (served && backoff.ShouldSpin() && Spinning.TryEnter(spinTicks, out long until))
                {
                    try
                    {
                        if (habit.PollFirst())
                        {
                            habit.Found((received = SocketIo.ReceiveFrom(_socket, datagram, from, wait: false)) >= 0);
                        }

                        while (received < 0 && Spinning.Next(until))
                        {
                            received = SocketIo.ReceiveFrom(_socket, datagram, from, wait: false);
                        }
                    }
                    finally
                    {
                        Spinning.Exit();
                    }

                    backoff.Spun(received >= 0);
                }

                served = false;
                if (received < 0)
                {
                    received = SocketIo.ReceiveFrom(_socket, datagram, from);
                }

                served = true;
            }
            catch (SocketException)
            {
                continue; // a stop check, an ICMP error for an earlier reply, an oversized datagram: none concerns the next one
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (received > _options.MaxDatagramSize)
            {
                RpcServerLog.Dropped(_logger, RpcCallContext.ToEndPoint(from), $"a datagram of {received} bytes exceeds the limit of {_options.MaxDatagramSize}");
                continue;
            }

            if (_inFlightCalls.Refusal(from) is { } refusal)
            {
                // As a full socket buffer would: unread, and the caller retransmits. Each such call would hold its
                // arguments while it waits for a handler, so their number, not their bytes, is what is bounded.
                _dispatcher.Metrics.DatagramDropped(refusal);
                RpcServerLog.DatagramDropped(_logger, RpcCallContext.ToEndPoint(from), refusal);
                continue;
            }

            var site = new CallSite
            {
                Transport = RpcTransport.Udp,
                Address = from,
                AddressBytes = from.Buffer.Span[..from.Size],
                SourceBytes = IpAddressOf(from),
                Cache = _cache,
                Aborted = _stopped.Token,
            };
            reply.Reset();
            switch (_dispatcher.Dispatch(datagram.AsMemory(0, received), site, reply, out PendingReply? pending))
            {
                case DispatchOutcome.Replied:
                    SendTo(reply.WrittenSpan, from);
                    break;
                case DispatchOutcome.Pending:
                    // The handler goes on elsewhere; it needs its own copy of the caller's address.
                    var caller = new SocketAddress(from.Family, from.Size);
                    from.Buffer.Span[..from.Size].CopyTo(caller.Buffer.Span);
                    _inFlight.AddCount();
                    PeerKey peer = _inFlightCalls.Enter(caller);
                    pending!.Results.ContinueWith(static (_, state) => ((Completion)state!).Run(), new Completion(this, pending, caller, peer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    break;
            }
        }
    }

    private void CompletePending(PendingReply call, SocketAddress caller, PeerKey peer)
    {
        try
        {
            using var reply = new PooledBufferWriter(256);
            var site = new CallSite
            {
                Transport = RpcTransport.Udp,
                Address = caller,
                AddressBytes = caller.Buffer.Span[..caller.Size],
                SourceBytes = IpAddressOf(caller),
                Cache = _cache,
                Aborted = _stopped.Token,
            };
            if (_dispatcher.Complete(call, site, reply))
            {
                SendTo(reply.WrittenSpan, caller);
            }
        }
        finally
        {
            _inFlightCalls.Exit(peer);
            _inFlight.Signal();
        }
    }

    /// <summary>The IP address within a socket address (sockaddr_in's or sockaddr_in6's), without the port.</summary>
    private static ReadOnlySpan<byte> IpAddressOf(SocketAddress address) => address.Family switch
    {
        AddressFamily.InterNetwork when address.Size >= 8 => address.Buffer.Span[4..8],
        AddressFamily.InterNetworkV6 when address.Size >= 24 => address.Buffer.Span[8..24],
        _ => address.Buffer.Span[..address.Size],
    };

    private void SendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            SocketIo.SendTo(_socket, datagram, to);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The caller will retransmit; the duplicate request cache answers it then.
            RpcServerLog.Dropped(_logger, RpcCallContext.ToEndPoint(to), $"reply not sent: {e.Message}");
        }
    }

    private sealed class Completion(UdpService service, PendingReply call, SocketAddress caller, PeerKey peer)
    {
        public void Run() => service.CompletePending(call, caller, peer);
    }
}
