using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// NetRpc's embedded rpcbind, started in this process on free loopback ports, as the network meets it. Each input
/// is sent as a UDP datagram and as a TCP record on a connection kept open; after each, a NULL call on the same
/// socket must be answered, which both paces the run (one input at a time, nothing dropped for a full socket
/// buffer) and proves the server still answers. Every <see cref="HealthInterval"/> inputs, new generated clients
/// (<see cref="PortmapperV2Client"/> over UDP and TCP) must get NULL and GETPORT answered within 5 s, and the
/// managed heap after a full collection must stay within 64 MiB of where it started: the registry and the
/// duplicate request cache are bounded, and nothing else may grow with the number of inputs.
/// </summary>
internal sealed class RpcbindServerTarget : IFuzzTarget
{
    /// <summary>Largest input: a UDP datagram carries at most this much.</summary>
    public const int MaxInputLength = 60 * 1024;

    /// <summary>
    /// The registry's bound, below the default 4096: a DUMP's reply grows with the registry by design (native rpcbind's
    /// too), and at 4096 entries a 40-byte DUMP would be answered with some 300 KB, past any per-input budget. With
    /// 64 the inputs that fill it (SETs from loopback are allowed) also reach the full registry's refusals.
    /// </summary>
    private const int MaxRegistrations = 64;

    private const long MaxHeapGrowth = 64L << 20;
    private const uint SyncXidBase = 0xFA00_0000;
    private static readonly TimeSpan s_syncTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_healthTimeout = TimeSpan.FromSeconds(5);

    private readonly RpcbindServer _server;
    private readonly IPEndPoint _udpEndPoint;
    private readonly IPEndPoint _tcpEndPoint;
    private readonly Socket _udp;
    private Socket _tcp;
    private readonly byte[] _datagram = new byte[65536];
    private byte[] _record = new byte[64 * 1024];
    private readonly long _baselineHeap;
    private uint _syncXid = SyncXidBase;
    private long _tcpReconnects;
    private long _maxHeapGrowth;
    private Exception? _unobserved;

    public RpcbindServerTarget()
    {
        _server = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback, MaxRegistrations = MaxRegistrations });
        _udpEndPoint = new IPEndPoint(IPAddress.Loopback, _server.UdpEndPoint.Port);
        _tcpEndPoint = new IPEndPoint(IPAddress.Loopback, _server.TcpEndPoint.Port);
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = (int)s_syncTimeout.TotalMilliseconds };
        _udp.Connect(_udpEndPoint);
        _tcp = Connect();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        _baselineHeap = Heap();
    }

    public string Name => "rpcbind-server";

    public string Contract => "the server answers a NULL call after every input, over UDP and TCP; nothing escapes its threads";

    public IReadOnlyList<byte[]> Seeds { get; } = [.. SeedFiles.Hex("rpcbind-calls"), .. RpcMessages.RpcbindCalls()];

    public IMutator Mutator { get; } = new ByteMutator(MaxInputLength);

    /// <summary>
    /// 1 s an input (two round trips on loopback take well under a millisecond). Memory on every thread, the server's
    /// included: the decoders' 64 bytes for each byte of input, plus 256 KiB for what two calls and two replies over
    /// two transports cost whatever their content (buffers, tasks, the duplicate request cache's copy of a reply).
    /// </summary>
    public Budget Budget { get; } = new(TimeSpan.FromSeconds(1), 64, 256 * 1024, CountAllThreads: true);

    public int HealthInterval => 1000;

    public string Notes => string.Create(CultureInfo.InvariantCulture, $"tcp reconnects {_tcpReconnects}, max heap growth {_maxHeapGrowth / 1024} KiB");

    public long Run(byte[] input)
    {
        _udp.Send(input);
        SyncUdp();
        SendTcp(input);
        return 0;
    }

    public string? CheckHealth()
    {
        if (Interlocked.Exchange(ref _unobserved, null) is { } failure)
        {
            return $"a server task failed and nobody observed it: {failure}";
        }

        long growth = Heap() - _baselineHeap;
        _maxHeapGrowth = Math.Max(_maxHeapGrowth, growth);
        if (growth > MaxHeapGrowth)
        {
            return $"the managed heap grew by {growth / 1024} KiB (limit {MaxHeapGrowth / 1024} KiB)";
        }

        return Task.Run(HealthyClientAsync).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        _udp.Dispose();
        _tcp.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private async Task<string?> HealthyClientAsync()
    {
        var options = new RpcClientOptions { Timeout = s_healthTimeout };
        var rpcbindOverTcp = new PortMapping { Prog = Rpcbind.Program, Vers = 2, Protocol = 6 };
        foreach (bool tcp in new[] { false, true })
        {
            await using PortmapperV2Client client = tcp ? PortmapperV2Client.CreateTcp(_tcpEndPoint, options) : PortmapperV2Client.CreateUdp(_udpEndPoint, options);
            try
            {
                await client.NullAsync();
                _ = await client.GetPortAsync(rpcbindOverTcp);
            }
            catch (RpcException e)
            {
                return $"a new client over {(tcp ? "TCP" : "UDP")} got no answer to NULL and GETPORT: {e.GetType().Name}: {e.Message}";
            }
        }

        return null;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _unobserved = e.Exception;

    private byte[] NullCall() => RpcMessages.Call(++_syncXid, Rpcbind.Program, 2, 0, OpaqueAuth.None, []);

    private bool IsSyncReply(ReadOnlySpan<byte> message) =>
        message.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(message) == _syncXid && BinaryPrimitives.ReadUInt32BigEndian(message[4..]) == (uint)MessageType.Reply;

    /// <summary>Sends a NULL call and reads datagrams until its reply; replies to the input itself are passed over.</summary>
    private void SyncUdp()
    {
        _udp.Send(NullCall());
        try
        {
            while (!IsSyncReply(_datagram.AsSpan(0, _udp.Receive(_datagram))))
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.ConnectionRefused)
        {
            // No answer in 2 s: the campaign sees the time and reports a hang.
        }
    }

    /// <summary>The input as one record, then a NULL call; records are read until the NULL's reply.</summary>
    private void SendTcp(byte[] input)
    {
        byte[] payload = [.. RpcMessages.Record(input), .. RpcMessages.Record(NullCall())];
        try
        {
            _tcp.Send(payload);
            while (!IsSyncReply(ReceiveRecord()))
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut)
        {
            // No answer in 2 s: the campaign sees the time and reports a hang; a fresh connection for the next input.
            Reconnect();
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException)
        {
            // The server closed the connection; it may, for junk. The next input gets a new one.
            Reconnect();
        }
    }

    private ReadOnlySpan<byte> ReceiveRecord()
    {
        Span<byte> header = stackalloc byte[4];
        ReceiveExactly(header);
        int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header) & 0x7FFF_FFFF);
        if (length > _record.Length)
        {
            _record = new byte[length];
        }

        ReceiveExactly(_record.AsSpan(0, length));
        return _record.AsSpan(0, length);
    }

    private void ReceiveExactly(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = _tcp.Receive(buffer);
            if (n == 0)
            {
                throw new EndOfStreamException("the server closed the connection");
            }

            buffer = buffer[n..];
        }
    }

    private void Reconnect()
    {
        _tcpReconnects++;
        _tcp.Dispose();
        _tcp = Connect();
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = (int)s_syncTimeout.TotalMilliseconds };
        socket.Connect(_tcpEndPoint);
        return socket;
    }
}
