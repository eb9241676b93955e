using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The RPC-with-TLS path of a NetRpc server (RFC 9289) in this process, on loopback, as a hostile client meets it. An
/// input's first byte picks what the rest is: even, the first record of a new connection (a probe, mutated: other
/// procedures, credentials, verifiers, junk); odd, what follows a probe the server answered STARTTLS, in place of
/// the client's TLS handshake (a real ClientHello, mutated). Then the connection is half-closed and the server must
/// close it. After each input a NULL call on a plain connection kept open must be answered. Every
/// <see cref="HealthInterval"/> inputs: no connection of the inputs may be left open (the threads that take over
/// handshakes end), a new TLS client must get NULL answered, and the managed heap after a full collection must stay
/// within 64 MiB of where it started.
/// </summary>
internal sealed class TlsProbeTarget : IFuzzTarget
{
    private const int MaxInputLength = 16 * 1024;
    private const uint Program = 0x2000_7115;
    private const uint SyncXidBase = 0xFB00_0000;
    private const long MaxHeapGrowth = 64L << 20;
    private static readonly TimeSpan s_syncTimeout = TimeSpan.FromSeconds(2);

    private readonly X509Certificate2 _certificate;
    private readonly RpcServer _server;
    private readonly IPEndPoint _endPoint;
    private Socket _sync;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly long _baselineHeap;
    private uint _syncXid = SyncXidBase;
    private long _handshakesOffered;
    private long _closedByServer;
    private long _maxHeapGrowth;

    public TlsProbeTarget()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        var tls = new RpcTlsServerOptions
        {
            Authentication = new SslServerAuthenticationOptions { ServerCertificate = _certificate },
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        };
        _server = new RpcServer(new RpcServerOptions { Tls = tls });
        _server.AddProgram(new RpcProgramBuilder(Program, 1, "FUZZ").Build().RequireTls());
        _endPoint = _server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        _sync = Connect();
        Seeds = [.. ProbeSeeds().Select(s => (byte[])[0, .. s]), [1, .. ClientHello()], [1]];
        _baselineHeap = Heap();
    }

    public string Name => "tls-probe";

    public string Contract => "the server closes every connection of an input and answers a NULL call after it; nothing escapes its threads";

    public IReadOnlyList<byte[]> Seeds { get; }

    public IMutator Mutator { get; } = new ByteMutator(MaxInputLength);

    /// <summary>
    /// 2 s an input (a connection, a probe, a failed handshake and a NULL call on loopback take a few milliseconds; a
    /// handshake cut short ends when the client's half-close arrives). Memory on every thread, the server's included:
    /// 64 bytes a byte of input, plus 2 MiB for a connection, a TLS session's buffers and a thread of its own.
    /// </summary>
    public Budget Budget { get; } = new(TimeSpan.FromSeconds(2), 64, 2 << 20, CountAllThreads: true);

    public int HealthInterval => 500;

    public string Notes => string.Create(CultureInfo.InvariantCulture,
        $"handshakes offered {_handshakesOffered}, probes refused or connections closed by the server {_closedByServer}, max heap growth {_maxHeapGrowth / 1024} KiB");

    public long Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return 0;
        }

        using (Socket socket = Connect())
        {
            try
            {
                if ((input[0] & 1) == 0)
                {
                    socket.Send(RpcMessages.Record(input[1..]));
                }
                else if (Probe(socket))
                {
                    _handshakesOffered++;
                    socket.Send(input.AsSpan(1));
                }

                // The client is done: the server must close its side, whatever it made of the input.
                socket.Shutdown(SocketShutdown.Send);
                while (socket.Receive(_buffer) > 0)
                {
                }

                _closedByServer++;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.TimedOut or SocketError.Shutdown)
            {
                // A reset is the server's to send; a timeout, the campaign reports as a hang.
            }
        }

        Sync();
        return 0;
    }

    public string? CheckHealth()
    {
        long growth = Heap() - _baselineHeap;
        _maxHeapGrowth = Math.Max(_maxHeapGrowth, growth);
        if (growth > MaxHeapGrowth)
        {
            return $"the managed heap grew by {growth / 1024} KiB (limit {MaxHeapGrowth / 1024} KiB)";
        }

        // Only the sync connection may be left (the last input's may still be closing: give it a moment).
        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (_server.ConnectionCount > 1 && wait.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(10);
        }

        if (_server.ConnectionCount > 1)
        {
            return $"{_server.ConnectionCount - 1} connections of past inputs are still open";
        }

        return Task.Run(HealthyClientAsync).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _sync.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certificate.Dispose();
    }

    private async Task<string?> HealthyClientAsync()
    {
        string thumbprint = _certificate.Thumbprint;
        var options = new RpcClientOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            Tls = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && c.Thumbprint == thumbprint,
            },
        };
        await using RpcClient client = RpcClient.CreateTcp(_endPoint, Program, 1, options);
        try
        {
            await client.CallAsync<XdrVoid, XdrVoid>(0, default);
            return null;
        }
        catch (RpcException e)
        {
            return $"a new TLS client got no answer to NULL: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>A valid probe; true when the server answered it STARTTLS.</summary>
    private bool Probe(Socket socket)
    {
        socket.Send(RpcMessages.Record(RpcMessages.Call(0x7E5_0001, Program, 1, 0, new OpaqueAuth(AuthFlavor.Tls, ReadOnlyMemory<byte>.Empty), [])));
        ReadOnlySpan<byte> reply = ReceiveRecord(socket);
        return reply.Length == 32 && reply.Slice(20, 8).SequenceEqual("STARTTLS"u8);
    }

    /// <summary>A NULL call in plain text on the connection kept open, and its reply.</summary>
    private void Sync()
    {
        try
        {
            _sync.Send(RpcMessages.Record(RpcMessages.Call(++_syncXid, Program, 1, 0, OpaqueAuth.None, [])));
            ReadOnlySpan<byte> reply = ReceiveRecord(_sync);
            if (reply.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(reply) != _syncXid)
            {
                throw new InvalidOperationException("the server answered the sync NULL call with another message");
            }
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException)
        {
            // No answer in 2 s (the campaign sees the time and reports a hang), or the connection was lost: a new one.
            _sync.Dispose();
            _sync = Connect();
        }
    }

    private ReadOnlySpan<byte> ReceiveRecord(Socket socket)
    {
        Span<byte> header = stackalloc byte[4];
        ReceiveExactly(socket, header);
        int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header) & 0x7FFF_FFFF);
        if (length > _buffer.Length)
        {
            throw new InvalidOperationException($"a {length}-byte reply to a NULL call");
        }

        ReceiveExactly(socket, _buffer.AsSpan(0, length));
        return _buffer.AsSpan(0, length);
    }

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
            {
                throw new EndOfStreamException("the server closed the connection");
            }

            buffer = buffer[n..];
        }
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = (int)s_syncTimeout.TotalMilliseconds };
        socket.Connect(_endPoint);
        return socket;
    }

    private static IEnumerable<byte[]> ProbeSeeds()
    {
        var tls = new OpaqueAuth(AuthFlavor.Tls, ReadOnlyMemory<byte>.Empty);
        yield return RpcMessages.Call(1, Program, 1, 0, tls, []);                                       // the probe
        yield return RpcMessages.Call(2, Program, 1, 1, tls, []);                                       // to another procedure
        yield return RpcMessages.Call(3, Program, 1, 0, new OpaqueAuth(AuthFlavor.Tls, new byte[8]), []); // with a credential body
        yield return RpcMessages.Call(4, Program, 1, 0, OpaqueAuth.None, []);                           // plain NULL
        yield return RpcMessages.Call(5, Program, 1, 1, OpaqueAuth.None, []);                           // a plain call to a TLS-only program
    }

    /// <summary>What SslStream sends first as a client: a TLS 1.3 ClientHello offering "sunrpc".</summary>
    private static byte[] ClientHello()
    {
        var recorder = new FirstWrite();
        using var tls = new SslStream(recorder);
        try
        {
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                ApplicationProtocols = [new SslApplicationProtocol("sunrpc")],
            });
        }
        catch (IOException)
        {
            // The recorder ends the handshake after the ClientHello.
        }

        return recorder.Written;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Keeps the first write and then fails every read: enough for a ClientHello.</summary>
    private sealed class FirstWrite : Stream
    {
        public byte[] Written { get; private set; } = [];

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Written.Length == 0)
            {
                Written = buffer.AsSpan(offset, count).ToArray();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("recorded");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
