using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// RPC messages as bytes, built and read by hand, independently of the runtime's own encoders, for tests that
/// play a misbehaving peer on a raw socket: RFC 5531 section 9 (messages) and section 11 (record marking).
/// </summary>
internal static class Wire
{
    public const uint LastFragment = 0x8000_0000;

    /// <summary>A call message: xid, CALL, rpcvers, prog, vers, proc, cred, verf (AUTH_NONE), arguments.</summary>
    public static byte[] Call(uint xid, uint program, uint version, uint procedure, uint rpcVersion = 2,
        uint credentialFlavor = 0, byte[]? credentialBody = null, uint? declaredCredentialLength = null, byte[]? arguments = null)
    {
        var words = new List<byte>();
        void Word(uint value)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
            words.AddRange(b);
        }

        Word(xid);
        Word(0);
        Word(rpcVersion);
        Word(program);
        Word(version);
        Word(procedure);
        credentialBody ??= [];
        Word(credentialFlavor);
        Word(declaredCredentialLength ?? (uint)credentialBody.Length);
        words.AddRange(credentialBody);
        words.AddRange(new byte[(4 - (credentialBody.Length % 4)) % 4]);
        Word(0);
        Word(0);
        words.AddRange(arguments ?? []);
        return [.. words];
    }

    /// <summary>A reply's words: xid, REPLY, then <paramref name="rest"/>.</summary>
    public static byte[] Reply(uint xid, params uint[] rest) => Words([xid, 1, .. rest]);

    /// <summary>An accepted reply with AUTH_NONE's verifier: xid, REPLY, MSG_ACCEPTED, verf, accept_stat, then <paramref name="rest"/>.</summary>
    public static byte[] Accepted(uint xid, uint acceptStatus, params uint[] rest) => Words([xid, 1, 0, 0, 0, acceptStatus, .. rest]);

    public static byte[] Words(params uint[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    /// <summary>The message as one last fragment.</summary>
    public static byte[] Record(byte[] message) => [.. Words(LastFragment | (uint)message.Length), .. message];

    public static uint WordAt(byte[] message, int index) => BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(index * 4));

    /// <summary>Reads one record (all its fragments); null when the peer closed first.</summary>
    public static async Task<byte[]?> ReadRecordAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var record = new List<byte>();
        byte[] mark = new byte[4];
        while (true)
        {
            if (!await ReadExactlyOrEndAsync(stream, mark, cancellationToken))
            {
                return null;
            }

            uint header = BinaryPrimitives.ReadUInt32BigEndian(mark);
            byte[] fragment = new byte[header & 0x7FFF_FFFF];
            if (!await ReadExactlyOrEndAsync(stream, fragment, cancellationToken))
            {
                return null;
            }

            record.AddRange(fragment);
            if ((header & LastFragment) != 0)
            {
                return [.. record];
            }
        }
    }

    /// <summary>Waits until the peer closes the connection: true if it did within <paramref name="timeout"/>, reading and discarding what comes.</summary>
    public static async Task<bool> ClosedByPeerAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>A TCP server on loopback that runs a script per accepted connection: a peer that misbehaves on purpose.</summary>
internal sealed class ScriptedTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, NetworkStream, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    /// <param name="script">Runs for each connection, with its number (0, 1, ...); the connection closes when it returns.</param>
    public ScriptedTcpServer(Func<int, NetworkStream, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _connections]).ConfigureAwait(false);
    }

    private async Task AcceptAsync()
    {
        try
        {
            for (int n = 0; ; n++)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                int number = n;
                _connections.Add(Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await _script(number, client.GetStream());
                        }
                        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                        {
                        }
                    }
                }));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
