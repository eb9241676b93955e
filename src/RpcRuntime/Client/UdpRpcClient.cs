using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Client;

/// <summary>
/// RPC over UDP: one message per datagram (RFC 5531 section 10). A call that hears nothing is sent again with
/// the same XID, after a wait that doubles each time, until its deadline; the server's duplicate request cache
/// makes sure it runs once. The socket is connected to the server, so the kernel drops datagrams from anyone
/// else; replies to calls no longer waiting (stale, or retransmission echoes) are ignored.
/// </summary>
internal sealed class UdpRpcClient : RpcClient
{
    private const int ReceiveBufferSize = 65535;

    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    private readonly RpcEndpointSource? _source;
    private readonly EndPoint _server; // for messages and telemetry: the server, or the source's name
    private Socket? _socket;

    // Over a source: the servers calls go to in turn (set once the socket is made), and when to ask the source again.
    private volatile Target[] _targets = [];
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private readonly EndpointRefresh? _refresh;
    private int _turn;

    /// <exception cref="ArgumentOutOfRangeException"><see cref="RpcClientOptions.MaxDatagramSize"/> is more than UDP carries to the server's address family.</exception>
    /// <exception cref="RpcConnectionException">The server's address cannot be sent to (no route, a broadcast address, ...).</exception>
    /// <exception cref="RpcReservedPortException">A reserved port was required and none could be bound.</exception>
    /// <exception cref="ArgumentException"><see cref="RpcClientOptions.Tls"/> is set: TLS runs on TCP only.</exception>
    public UdpRpcClient(EndPoint server, uint program, uint version, RpcClientOptions options)
        : base(program, version, WithoutTls(options))
    {
        _server = server;
        _socket = OpenSocket(server.AddressFamily, server);
    }

    /// <summary>A client of the servers a source names: a datagram socket of its own, not connected, made at the first call.</summary>
    public UdpRpcClient(RpcEndpointSource source, uint program, uint version, RpcClientOptions options)
        : base(program, version, WithoutTls(options))
    {
        _source = source;
        _refresh = new EndpointRefresh(source);
        _server = new DnsEndPoint(source.Name, 0);
    }

    private protected override RpcTransport Transport => RpcTransport.Udp;

    /// <summary>
    /// Refuses TLS settings rather than send in plain text what the caller wanted protected: RFC 9289 leaves DTLS
    /// optional, and NetRpc does not offer it.
    /// </summary>
    private static RpcClientOptions WithoutTls(RpcClientOptions options) => options.Tls is null
        ? options
        : throw new ArgumentException("RPC-with-TLS runs on TCP only: DTLS is not offered, and a UDP client would send in plain text.", nameof(options));

    private protected override EndPoint Server => _server;

    public override EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    private protected override bool IsReady => _source is null || _targets.Length > 0;

    /// <summary>
    /// A datagram socket for one address family, from a reserved port where the options say so; connected to
    /// <paramref name="connectTo"/> when there is one server (the kernel then drops datagrams from anyone else), and
    /// its receive loop started.
    /// </summary>
    private Socket OpenSocket(AddressFamily addressFamily, EndPoint? connectTo)
    {
        AddressFamily family = addressFamily is AddressFamily.Unspecified ? AddressFamily.InterNetwork : addressFamily;
        DatagramLimits.Validate(Options.MaxDatagramSize, family, nameof(RpcClientOptions.MaxDatagramSize));
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            DatagramLimits.SizeBuffers(socket, Options.UdpReceiveBufferSize, Options.UdpSendBufferSize);
            BindReservedPort(socket);
            if (connectTo is not null)
            {
                socket.Connect(connectTo);
            }
            else if (socket.LocalEndPoint is null)
            {
                socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            }
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RpcConnectionException($"RPC: Cannot send to {connectTo ?? _server}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        new Thread(() => ReceiveLoop(socket)) { IsBackground = true, Name = $"NetRpc UDP client {connectTo ?? _server}" }.Start();
        return socket;
    }

    private protected override async ValueTask EnsureReadyAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!IsReady)
        {
            await ResolveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the source for the servers; the first time, makes the socket, for the first server's address family.</summary>
    private async ValueTask ResolveAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<IPEndPoint> endpoints = await _refresh!.ResolveAsync(cancellationToken).ConfigureAwait(false);

            // One socket, one address family: servers of the other family are left out.
            AddressFamily family = _socket?.AddressFamily ?? (endpoints.Count > 0 ? endpoints[0].AddressFamily : AddressFamily.InterNetwork);
            Target[] targets = [.. endpoints.Where(e => e.AddressFamily == family).Select(e => new Target(e, e.Serialize()))];
            _refresh.After(_source!.RefreshInterval);
            if (targets.Length == 0)
            {
                // Keep the servers there are rather than drop them on a registry's hiccup.
                if (_targets.Length == 0)
                {
                    throw new RpcConnectionException($"RPC: {_source.Name} has no servers");
                }

                return;
            }

            _socket ??= OpenSocket(family, connectTo: null);
            _targets = targets;
            if (IsDisposed)
            {
                _socket.Dispose();
                throw new ObjectDisposedException(nameof(RpcClient));
            }
        }
        finally
        {
            _resolving.Release();
        }
    }

    /// <summary>The server after <paramref name="current"/> (or the next in turn when null); null with one server.</summary>
    private Target? Next(Target? current = null)
    {
        Target[] targets = _targets;
        if (targets.Length == 0)
        {
            return null;
        }

        if (current is not null)
        {
            // A call sent before the servers were looked up again holds a target of the old list: find it by its address.
            int at = Array.IndexOf(targets, current);
            if (at < 0)
            {
                at = Array.FindIndex(targets, t => t.EndPoint.Equals(current.EndPoint));
            }

            return targets[(at + 1) % targets.Length];
        }

        return targets[(int)((uint)Interlocked.Increment(ref _turn) % (uint)targets.Length)];
    }

    private protected override PooledBufferWriter BeginSend(PendingCall call)
    {
        if (_source is not null)
        {
            call.Channel = Next();
            if (_refresh!.Due)
            {
                _refresh.Run(() => ResolveAsync(CancellationToken.None).AsTask(), Options.RetransmitInterval);
            }
        }

        PooledBufferWriter scratch = t_scratch ??= new PooledBufferWriter(Options.MaxDatagramSize);
        scratch.Reset();
        return scratch;
    }

    private protected override void EndSend(PendingCall call, bool encoded)
    {
        if (!encoded)
        {
            return;
        }

        PooledBufferWriter scratch = t_scratch!;
        if (scratch.WrittenCount > Options.MaxDatagramSize)
        {
            if (TryRemove(call))
            {
                Finished(call, "INVALID_ARGUMENTS");
            }

            throw new ArgumentOutOfRangeException(
                "arguments", scratch.WrittenCount, $"The call needs {scratch.WrittenCount} bytes, more than a UDP datagram may carry here ({Options.MaxDatagramSize}); use TCP.");
        }

        call.RetransmitInterval = (long)Math.Max(1, Options.RetransmitInterval.TotalMilliseconds);
        call.NextRetransmit = Environment.TickCount64 + call.RetransmitInterval;
        call.Datagram = scratch.WrittenSpan.ToArray();
        call.RetransmitOnTimer = true;
        Send(call, call.Datagram);
    }

    private protected override bool MayResend => true;

    private protected override void Retransmit(PendingCall call)
    {
        if (call.Datagram is not { } datagram)
        {
            return;
        }

        // Over several servers, a call whose wait has grown to the longest is taken to the next, with its XID: its server
        // may be gone (an unconnected socket hears of no ICMP port unreachable). Only when the caller accepts resends.
        if (call.Channel is Target target && Options.RetryOnConnectionLoss && call.RetransmitInterval >= (long)Options.MaxRetransmitInterval.TotalMilliseconds)
        {
            call.Channel = Next(target);
        }

        if (call.Gss is { } gss)
        {
            // RPCSEC_GSS: each transmission under a sequence number of its own, or the server drops it as a replay (RFC 2203 section 5.3.3.1).
            call.Datagram = datagram = gss.Reseal(recordMark: false);
        }

        Send(call, datagram);
    }

    private protected override void SendOneWay(ReadOnlySpan<byte> message, bool batch)
    {
        if (message.Length > Options.MaxDatagramSize)
        {
            throw new ArgumentOutOfRangeException("arguments", message.Length, $"The call needs {message.Length} bytes, more than a UDP datagram may carry here ({Options.MaxDatagramSize}); use TCP.");
        }

        Target? target = _source is null ? null : Next();
        try
        {
            Transmit(message, target);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.NetworkDown or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            throw new RpcSendFailedException($"RPC: Unable to send to {target?.EndPoint ?? _server}: {e.Message}", e.SocketErrorCode, e);
        }
        catch (SocketException)
        {
            // Lost like any datagram would be; a one-way call is not retransmitted (libtirpc sends it once too).
        }
    }

    private protected override void Close() => _socket?.Dispose();

    private void Transmit(ReadOnlySpan<byte> datagram, Target? target)
    {
        if (target is null)
        {
            SocketIo.SendAll(_socket!, datagram);
        }
        else
        {
            SocketIo.SendTo(_socket!, datagram, target.Address);
        }
    }

    private void Send(PendingCall call, byte[] datagram)
    {
        var target = call.Channel as Target;
        try
        {
            Transmit(datagram, target);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.NetworkDown or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            // Sending it again would meet the same refusal: the call fails now, naming why, as libtirpc's clnt_call
            // returns RPC_CANTSEND rather than wait for its timeout.
            if (TryRemove(call))
            {
                Finished(call, "CANT_SEND");
                call.Fail(new RpcSendFailedException($"RPC: Unable to send to {target?.EndPoint ?? _server}: {e.Message}", e.SocketErrorCode, e));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused && !Options.RetryOnConnectionLoss)
        {
            // An earlier datagram's ICMP port unreachable, reported to this send: nothing listens there now.
            if (TryRemove(call))
            {
                Finished(call, "CANT_SEND");
                call.Fail(new RpcConnectionException($"RPC: Unable to send to {target?.EndPoint ?? _server}: {e.Message}", e));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Lost like any datagram (a full buffer, say): the retransmission timer sends it again until the deadline.
        }
    }

    /// <summary>A server of the source: its address, and the same as the kernel gives a datagram's sender, to compare with.</summary>
    private sealed record Target(IPEndPoint EndPoint, SocketAddress Address);

    private void ReceiveLoop(Socket socket)
    {
        byte[] buffer = new byte[ReceiveBufferSize];
        long spinTicks = SocketIo.IsDirect ? Spinning.ToTicks(Options.SpinBeforeSleep) : 0;
        var habit = default(SpinHabit);

        // Over a source the socket is not connected: each datagram's sender is checked against the servers instead.
        SocketAddress? from = _source is null ? null : new SocketAddress(socket.AddressFamily);
        while (true)
        {
            int received = -1;
            try
            {
                if (HasCallsInFlight && Spinning.TryEnter(spinTicks, out long until))
                {
                    try
                    {
                        if (habit.PollFirst())
                        {
                            habit.Found((received = Receive(wait: false)) >= 0);
                        }

                        while (received < 0 && Spinning.Next(until))
                        {
                            received = Receive(wait: false);
                        }
                    }
                    finally
                    {
                        Spinning.Exit();
                    }
                }

                if (received < 0)
                {
                    received = Receive(wait: true);
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // ICMP port unreachable: nothing listens there now. The calls in flight fail at once, as libtirpc's
                // do (RPC_CANTRECV), rather than wait for their deadline; later calls try again. Unless the server
                // is expected back (RetryOnConnectionLoss): then they are retransmitted until their deadline.
                if (!Options.RetryOnConnectionLoss)
                {
                    FailAll(new RpcConnectionException($"RPC: Unable to receive from {_server}: {e.Message}", e));
                }

                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
            {
                continue; // a datagram too large to read
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (from is not null && (received > buffer.Length || !FromServer(from)))
            {
                continue; // cut short, or from someone else: a forged or stray reply
            }

            OnReply(buffer.AsMemory(0, received), null);
        }

        int Receive(bool wait) =>
            from is not null ? SocketIo.ReceiveFrom(socket, buffer, from, wait)
            : wait ? SocketIo.Receive(socket, buffer) : SocketIo.TryReceive(socket.SafeHandle, buffer);
    }

    private bool FromServer(SocketAddress sender)
    {
        foreach (Target target in _targets)
        {
            if (target.Address.Equals(sender))
            {
                return true;
            }
        }

        return false;
    }
}
