using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NetRpc.Interop.Tests.Support;

/// <summary>
/// A relay between clients and one server, on loopback, that records what passes: every UDP datagram each way,
/// and the whole byte stream of each TCP connection each way. The relay is passive: it changes nothing, so the
/// peers talk as they would directly. Records are cut out of the streams after the connections close.
/// </summary>
internal sealed class RecordingRelay : IDisposable
{
    private readonly IPEndPoint _tcpServer;
    private readonly Socket _listener;
    private readonly UdpRelay _udp;
    private readonly List<Thread> _threads = [];
    private readonly List<Socket> _connections = [];
    private readonly object _lock = new();

    public RecordingRelay(IPEndPoint tcpServer, IPEndPoint udpServer)
    {
        _tcpServer = tcpServer;
        (_listener, Socket udpFront) = BindOnePort();
        _udp = new UdpRelay(udpServer, udpFront, call: datagram => Keep(UdpCalls, datagram), reply: datagram => Keep(UdpReplies, datagram));
        Start(AcceptLoop);
    }

    /// <summary>The relay's port, TCP and UDP alike, as an rpcbind's: clients that know one port for both can use it.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Datagrams from clients, in the order they came.</summary>
    public List<byte[]> UdpCalls { get; } = [];

    /// <summary>Datagrams from the server.</summary>
    public List<byte[]> UdpReplies { get; } = [];

    /// <summary>Each TCP connection's bytes from the client, whole.</summary>
    public List<byte[]> TcpToServer { get; } = [];

    /// <summary>Each TCP connection's bytes from the server, whole.</summary>
    public List<byte[]> TcpToClient { get; } = [];

    /// <summary>The messages in record-marked streams: fragments joined into records (RFC 5531 section 11).</summary>
    public static IEnumerable<byte[]> Records(byte[] stream)
    {
        var record = new List<byte>();
        for (int at = 0; at + 4 <= stream.Length;)
        {
            uint header = BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(at));
            int length = (int)Math.Min(header & 0x7FFF_FFFF, (uint)(stream.Length - at - 4));
            record.AddRange(stream.AsSpan(at + 4, length));
            at += 4 + length;
            if ((header & 0x8000_0000) != 0)
            {
                yield return [.. record];
                record.Clear();
            }
        }
    }

    /// <summary>Stops relaying and waits for the connections' streams to be complete.</summary>
    public void Dispose()
    {
        _listener.Dispose();
        _udp.Dispose();
        lock (_lock)
        {
            foreach (Socket connection in _connections)
            {
                connection.Dispose();
            }
        }

        foreach (Thread thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    private static (Socket Tcp, Socket Udp) BindOnePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(tcp.LocalEndPoint!);
                tcp.Listen();
                return (tcp, udp);
            }
            catch (SocketException) when (attempt < 20)
            {
                tcp.Dispose();
                udp.Dispose();
            }
        }
    }

    private void Start(ThreadStart work)
    {
        var thread = new Thread(work) { IsBackground = true, Name = "recording relay" };
        lock (_lock)
        {
            _threads.Add(thread);
        }

        thread.Start();
    }

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                Socket client = _listener.Accept();
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                server.Connect(_tcpServer);
                var toServer = new MemoryStream();
                var toClient = new MemoryStream();
                lock (_lock)
                {
                    _connections.Add(client);
                    _connections.Add(server);
                    TcpToServer.Add([]);
                    TcpToClient.Add([]);
                }

                int index = TcpToServer.Count - 1;
                Start(() => Pump(client, server, toServer, bytes => TcpToServer[index] = bytes));
                Start(() => Pump(server, client, toClient, bytes => TcpToClient[index] = bytes));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The relay is closed.
        }
    }

    /// <summary>Copies one direction of a connection until it ends, then passes its end on and keeps its bytes.</summary>
    private void Pump(Socket from, Socket to, MemoryStream recorded, Action<byte[]> done)
    {
        byte[] buffer = new byte[65536];
        try
        {
            int n;
            while ((n = from.Receive(buffer)) > 0)
            {
                recorded.Write(buffer, 0, n);
                to.Send(buffer.AsSpan(0, n));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side is gone: what came before it is recorded.
        }

        lock (_lock)
        {
            done(recorded.ToArray());
        }
    }

    private bool Keep(List<byte[]> datagrams, byte[] datagram)
    {
        lock (_lock)
        {
            datagrams.Add(datagram);
        }

        return true;
    }
}
