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

    private readonly Socket _socket;
    private readonly EndPoint _server;

    /// <exception cref="ArgumentOutOfRangeException"><see cref="RpcClientOptions.MaxDatagramSize"/> is more than UDP carries to the server's address family.</exception>
    /// <exception cref="RpcConnectionException">The server's address cannot be sent to (no route, a broadcast address, ...).</exception>
    /// <exception cref="RpcReservedPortException">A reserved port was required and none could be bound.</exception>
    public UdpRpcClient(EndPoint server, uint program, uint version, RpcClientOptions options)
        : base(program, version, options)
    {
        _server = server;
        AddressFamily family = server.AddressFamily is AddressFamily.Unspecified ? AddressFamily.InterNetwork : server.AddressFamily;
        DatagramLimits.Validate(options.MaxDatagramSize, family, nameof(RpcClientOptions.MaxDatagramSize));
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            DatagramLimits.SizeBuffers(_socket, options.UdpReceiveBufferSize, options.UdpSendBufferSize);
            BindReservedPort(_socket);
            _socket.Connect(server);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new RpcConnectionException($"RPC: Cannot send to {server}: {e.Message}", e);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        new Thread(ReceiveLoop) { IsBackground = true, Name = $"NetRpc UDP client {server}" }.Start();
    }

    private protected override RpcTransport Transport => RpcTransport.Udp;

    private protected override EndPoint Server => _server;

    public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    private protected override bool IsReady => true;

    private protected override ValueTask EnsureReadyAsync(long deadline, TimeSpan timeout, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private protected override PooledBufferWriter BeginSend(PendingCall call)
    {
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

    private protected override void Retransmit(PendingCall call)
    {
        if (call.Datagram is { } datagram)
        {
            Send(call, datagram);
        }
    }

    private protected override void SendOneWay(ReadOnlySpan<byte> message, bool batch)
    {
        if (message.Length > Options.MaxDatagramSize)
        {
            throw new ArgumentOutOfRangeException("arguments", message.Length, $"The call needs {message.Length} bytes, more than a UDP datagram may carry here ({Options.MaxDatagramSize}); use TCP.");
        }

        try
        {
            SocketIo.SendAll(_socket, message);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.NetworkDown or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            throw new RpcSendFailedException($"RPC: Unable to send to {_server}: {e.Message}", e.SocketErrorCode, e);
        }
        catch (SocketException)
        {
            // Lost like any datagram would be; a one-way call is not retransmitted (libtirpc sends it once too).
        }
    }

    private protected override void Close() => _socket.Dispose();

    private void Send(PendingCall call, byte[] datagram)
    {
        try
        {
            SocketIo.SendAll(_socket, datagram);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.NetworkDown or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            // Sending it again would meet the same refusal: the call fails now, naming why, as libtirpc's clnt_call
            // returns RPC_CANTSEND rather than wait for its timeout.
            if (TryRemove(call))
            {
                Finished(call, "CANT_SEND");
                call.Fail(new RpcSendFailedException($"RPC: Unable to send to {_server}: {e.Message}", e.SocketErrorCode, e));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused && !Options.RetryOnConnectionLoss)
        {
            // An earlier datagram's ICMP port unreachable, reported to this send: nothing listens there now.
            if (TryRemove(call))
            {
                Finished(call, "CANT_SEND");
                call.Fail(new RpcConnectionException($"RPC: Unable to send to {_server}: {e.Message}", e));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Lost like any datagram (a full buffer, say): the retransmission timer sends it again until the deadline.
        }
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[ReceiveBufferSize];
        long spinTicks = SocketIo.IsDirect ? Spinning.ToTicks(Options.SpinBeforeSleep) : 0;
        var habit = default(SpinHabit);
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
                            habit.Found((received = SocketIo.TryReceive(_socket.SafeHandle, buffer)) >= 0);
                        }

                        while (received < 0 && Spinning.Next(until))
                        {
                            received = SocketIo.TryReceive(_socket.SafeHandle, buffer);
                        }
                    }
                    finally
                    {
                        Spinning.Exit();
                    }
                }

                if (received < 0)
                {
                    received = SocketIo.Receive(_socket, buffer);
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

            OnReply(buffer.AsMemory(0, received), null);
        }
    }
}
