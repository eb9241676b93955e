using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// RPC-with-TLS (RFC 9289): the AUTH_TLS probe and STARTTLS on the wire, TLS 1.3 with ALPN "sunrpc" after it, server
/// and client certificate checks, a client certificate mapped to a uid, programs that require TLS, and what happens
/// to clients that skip a step. Certificates are made by openssl. Run against both TCP server designs (the event loops
/// hand a connection over to a thread of its own once its probe is answered).
/// </summary>
public abstract class TlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const uint AuthTls = 7;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected abstract bool ThreadPerConnection { get; }

    [OpenSslFact]
    public async Task The_probe_is_answered_STARTTLS_on_the_wire_and_calls_then_go_through_TLS_1_3()
    {
        await using var server = new TestServer(Options(), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var plain = new NetworkStream(socket, ownsSocket: false);

        // RFC 9289 section 4.1: a NULL call with an empty AUTH_TLS credential and an AUTH_NONE verifier; the answer is an
        // accepted reply whose AUTH_NONE verifier is the eight bytes "STARTTLS", and SUCCESS.
        await plain.WriteAsync(Wire.Record(Wire.Call(0x5EC0_0001, TestServer.Program, 1, 0, credentialFlavor: AuthTls)));
        using var guard = new CancellationTokenSource(Patience);
        byte[] reply = (await Wire.ReadRecordAsync(plain, guard.Token))!;
        Assert.Equal([.. Wire.Words(0x5EC0_0001, 1, 0, 0, 8), .. "STARTTLS"u8.ToArray(), .. Wire.Words(0)], reply);

        await using var tls = new SslStream(plain, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(ClientTls(), guard.Token);
        Assert.Equal(SslProtocols.Tls13, tls.SslProtocol);
        Assert.Equal(new SslApplicationProtocol("sunrpc"), tls.NegotiatedApplicationProtocol);

        // Inside TLS the records are marked as on plain TCP.
        await tls.WriteAsync(Wire.Record(Wire.Call(2, TestServer.Program, 1, 1, arguments: Wire.Words(41))), guard.Token);
        Assert.Equal(Wire.Accepted(2, 0, 42), await Wire.ReadRecordAsync(tls, guard.Token));
    }

    [OpenSslFact]
    public async Task A_client_with_TLS_options_calls_through_TLS_pipelined()
    {
        await using var server = new TestServer(Options(), udp: false);
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = ClientTls() });

        Assert.Equal("Tls13|sunrpc|", (await client.CallAsync<XdrVoid, TextValue>(12, default)).Value);
        IntValue[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.CallAsync<IntValue, IntValue>(1, new IntValue(i)).AsTask()));
        Assert.Equal(Enumerable.Range(1, 200), results.Select(r => r.Value));

        // Records larger than a TLS record (16 KiB) go through whole.
        byte[] blob = [.. Enumerable.Range(0, 200_000).Select(i => (byte)i)];
        Assert.Equal(blob, (await client.CallAsync<BlobValue, BlobValue>(7, new BlobValue(blob))).Value);
    }

    [OpenSslFact]
    public async Task Mutual_TLS_maps_the_client_certificate_to_a_uid_that_AUTH_SYS_cannot_override()
    {
        await using var server = new TestServer(Options(mutual: true, map: certificate =>
            certificate.GetNameInfo(X509NameType.SimpleName, false) == "alice" ? new AuthSysParameters { MachineName = "alice", Uid = 1234, Gid = 100 } : null), udp: false);
        var claimsRoot = RpcCredential.Sys(new AuthSysParameters { MachineName = "liar", Uid = 0, Gid = 0 });
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Credential = claimsRoot, Tls = ClientTls(certificates.Client) });

        Assert.Equal("Tls13|sunrpc|alice", (await client.CallAsync<XdrVoid, TextValue>(12, default)).Value);
        Assert.Equal("alice:1234:100:", (await client.CallAsync<XdrVoid, TextValue>(6, default)).Value);
    }

    [OpenSslFact]
    public async Task A_client_certificate_from_an_untrusted_CA_is_refused()
    {
        await using var server = new TestServer(Options(mutual: true), udp: false);
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = ClientTls(certificates.Untrusted) });

        // TLS 1.3: the server judges the client's certificate after the client has finished its side of the handshake,
        // so the refusal reaches the client with its first call, as a lost connection, or during the handshake.
        await Assert.ThrowsAnyAsync<RpcConnectionException>(() => client.CallAsync<XdrVoid, TextValue>(12, default).AsTask());
        Assert.Equal(0, server.Counter);
    }

    [OpenSslFact]
    public async Task A_client_without_a_certificate_is_refused_where_one_is_required()
    {
        await using var server = new TestServer(Options(mutual: true), udp: false);
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = ClientTls() });
        await Assert.ThrowsAnyAsync<RpcConnectionException>(() => client.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
        Assert.Equal(0, server.Counter);
    }

    [OpenSslFact]
    public async Task The_client_refuses_a_server_whose_certificate_it_does_not_trust()
    {
        await using var server = new TestServer(Options(), udp: false);
        var systemTrust = new SslClientAuthenticationOptions { TargetHost = "localhost" }; // the test CA is in no system store
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = systemTrust });
        RpcConnectionException refused = await Assert.ThrowsAsync<RpcConnectionException>(() => client.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
        Assert.Contains("TLS", refused.Message);
        Assert.Equal(0, server.Counter);

        // Nor a certificate for another name.
        var otherName = ClientTls();
        otherName.TargetHost = "elsewhere.example";
        await using RpcClient wrongName = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = otherName });
        await Assert.ThrowsAsync<RpcConnectionException>(() => wrongName.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
        Assert.Equal(0, server.Counter);
    }

    [Fact]
    public async Task A_server_without_TLS_refuses_the_probe_and_the_client_never_falls_back_to_plain_text()
    {
        await using var server = new TestServer(Design(new RpcServerOptions()), udp: false);
        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = new SslClientAuthenticationOptions() });
        RpcConnectionException refused = await Assert.ThrowsAsync<RpcConnectionException>(() => client.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
        Assert.Contains("does not offer RPC-with-TLS", refused.Message);
        Assert.Contains("AUTH_ERROR", refused.Message);
        Assert.Equal(0, server.Counter);
    }

    [Fact]
    public void A_UDP_client_refuses_TLS_options()
    {
        var options = new RpcClientOptions { Tls = new SslClientAuthenticationOptions() };
        Assert.Throws<ArgumentException>(() => RpcClient.CreateUdp(new IPEndPoint(IPAddress.Loopback, 9), 1, 1, options));
    }

    [OpenSslFact]
    public async Task A_program_that_requires_TLS_refuses_plain_calls_with_AUTH_TOOWEAK_over_TCP_and_UDP()
    {
        await using var server = new TestServer(Options(), program: p => p.RequireTls());
        foreach (bool tcp in new[] { true, false })
        {
            await using RpcClient plain = server.Client(tcp, options: new RpcClientOptions { Timeout = Patience });
            await plain.CallAsync<XdrVoid, XdrVoid>(0, default); // NULL is answered, as with a reserved port's requirement
            RpcAuthenticationException refused = await Assert.ThrowsAsync<RpcAuthenticationException>(() => plain.CallAsync<XdrVoid, IntValue>(5, default).AsTask());
            Assert.Equal(AuthStatus.TooWeak, refused.Status);
        }

        Assert.Equal(0, server.Counter);
        await using RpcClient secured = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = ClientTls() });
        Assert.Equal(1, (await secured.CallAsync<XdrVoid, IntValue>(5, default)).Value);
    }

    [OpenSslFact]
    public async Task Over_UDP_the_probe_is_refused_as_a_flavor_the_server_does_not_take()
    {
        await using var server = new TestServer(Options(), tcp: false);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.SendToAsync(Wire.Call(9, TestServer.Program, 1, 0, credentialFlavor: AuthTls), server.Udp!);
        byte[] buffer = new byte[512];
        using var guard = new CancellationTokenSource(Patience);
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
        Assert.Equal(Wire.Reply(9, 1, 1, (uint)AuthStatus.RejectedCredential), buffer[..n]);
    }

    [OpenSslFact]
    public async Task A_probe_after_other_calls_or_to_another_procedure_is_refused_with_BADCRED()
    {
        await using var server = new TestServer(Options(), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket);
        using var guard = new CancellationTokenSource(Patience);

        await stream.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 5, credentialFlavor: AuthTls)), guard.Token);
        Assert.Equal(Wire.Reply(1, 1, 1, (uint)AuthStatus.BadCredential), await Wire.ReadRecordAsync(stream, guard.Token));

        await stream.WriteAsync(Wire.Record(Wire.Call(2, TestServer.Program, 1, 0, credentialFlavor: AuthTls)), guard.Token);
        Assert.Equal(Wire.Reply(2, 1, 1, (uint)AuthStatus.BadCredential), await Wire.ReadRecordAsync(stream, guard.Token));

        // The connection is still served in plain text.
        await stream.WriteAsync(Wire.Record(Wire.Call(3, TestServer.Program, 1, 1, arguments: Wire.Words(1))), guard.Token);
        Assert.Equal(Wire.Accepted(3, 0, 2), await Wire.ReadRecordAsync(stream, guard.Token));
    }

    [OpenSslFact]
    public async Task A_client_that_starts_TLS_without_the_probe_is_closed()
    {
        await using var server = new TestServer(Options(), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var plain = new NetworkStream(socket, ownsSocket: false);
        await using var tls = new SslStream(plain, leaveInnerStreamOpen: true);

        // The ClientHello read as a record mark announces a fragment of hundreds of megabytes: past the record limit, the
        // server closes the connection, and the handshake fails.
        using var guard = new CancellationTokenSource(Patience);
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(ClientTls(), guard.Token));
        Assert.True(await Wire.ClosedByPeerAsync(socket, Patience));
        await ConnectionsGoneAsync(server);
    }

    [OpenSslFact]
    public async Task A_client_that_never_starts_its_handshake_after_STARTTLS_is_closed_after_the_handshake_timeout()
    {
        await using var server = new TestServer(Options(handshakeTimeout: TimeSpan.FromSeconds(1)), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var plain = new NetworkStream(socket, ownsSocket: false);
        await plain.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 0, credentialFlavor: AuthTls)));
        using var guard = new CancellationTokenSource(Patience);
        Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));

        Assert.True(await Wire.ClosedByPeerAsync(socket, Patience));
        await ConnectionsGoneAsync(server);
    }

    [OpenSslFact]
    public async Task A_ClientHello_that_makes_SslStream_throw_an_undocumented_exception_ends_only_its_connection()
    {
        // Found by the fuzzer (tls-probe): a mutated ClientHello on which SslStream.AuthenticateAsServer throws
        // ArgumentOutOfRangeException, which escaped the connection's thread and ended the process.
        byte[] hello = Convert.FromHexString(
            "1603010104010001000303185cfb728a1b00db3d125aa020e450124b8500d979504cd9f3171618e3cab42f20e58ba0b11e0a6f18cbafe45cdd45a792" +
            "1d15b7a3a6021f09385cdfc2315e5d000000b9021303130100ff010000af0000000e000c0000096c6f63616c686f7374000b000403000102000a0016" +
            "0014001d0017001e0019001801000101010201030104002300000005000501000000000010000900070673756e7270630016000000170000000d001e" +
            "001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d00020101003300260024001d0020a6dff22b44ad99" +
            "e85b3900012d602aa9557a0b5fcfc46859559953a339b3de72");
        await using var server = new TestServer(Options(), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var plain = new NetworkStream(socket, ownsSocket: false);
        using var guard = new CancellationTokenSource(Patience);
        await plain.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 0, credentialFlavor: AuthTls)), guard.Token);
        Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));
        await plain.WriteAsync(hello, guard.Token);
        socket.Shutdown(SocketShutdown.Send);
        Assert.True(await Wire.ClosedByPeerAsync(socket, Patience));

        await using RpcClient client = server.Client(tcp: true, options: new RpcClientOptions { Timeout = Patience, Tls = ClientTls() });
        Assert.Equal(2, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value);
    }

    [OpenSslFact]
    public async Task A_client_that_sends_plain_calls_after_STARTTLS_is_closed()
    {
        await using var server = new TestServer(Options(), udp: false);
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var plain = new NetworkStream(socket, ownsSocket: false);
        using var guard = new CancellationTokenSource(Patience);
        await plain.WriteAsync(Wire.Record(Wire.Call(1, TestServer.Program, 1, 0, credentialFlavor: AuthTls)), guard.Token);
        Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));

        await plain.WriteAsync(Wire.Record(Wire.Call(2, TestServer.Program, 1, 5)), guard.Token);
        Assert.True(await Wire.ClosedByPeerAsync(socket, Patience));
        Assert.Equal(0, server.Counter);
    }

    [OpenSslFact]
    public async Task The_duplicate_request_cache_answers_a_retransmission_that_comes_on_a_new_TLS_connection()
    {
        await using var server = new TestServer(Options() with { TcpDuplicateRequestCache = new() }, udp: false);
        using var guard = new CancellationTokenSource(Patience);
        byte[] call = Wire.Record(Wire.Call(0xD0D0_0001, TestServer.Program, 1, 5));
        var replies = new List<byte[]?>();
        for (int connection = 0; connection < 2; connection++)
        {
            // The same call (XID, arguments, caller) on two TLS connections, as a client resends after a reconnect.
            using Socket socket = await Wire.ConnectAsync(server.Tcp!);
            await using var plain = new NetworkStream(socket, ownsSocket: false);
            await plain.WriteAsync(Wire.Record(Wire.Call((uint)(100 + connection), TestServer.Program, 1, 0, credentialFlavor: AuthTls)), guard.Token);
            Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));
            await using var tls = new SslStream(plain, leaveInnerStreamOpen: true);
            await tls.AuthenticateAsClientAsync(ClientTls(), guard.Token);
            await tls.WriteAsync(call, guard.Token);
            replies.Add(await Wire.ReadRecordAsync(tls, guard.Token));
        }

        Assert.Equal(Wire.Accepted(0xD0D0_0001, 0, 1), replies[0]);
        Assert.Equal(replies[0], replies[1]);
        Assert.Equal(1, server.Counter);
    }

    [OpenSslFact]
    public async Task The_duplicate_request_cache_tells_clients_apart_by_their_certificates_not_their_AUTH_SYS_claims()
    {
        await using var server = new TestServer(Options(mutual: true) with { TcpDuplicateRequestCache = new() }, udp: false);
        using var guard = new CancellationTokenSource(Patience);

        // The same call (XID, arguments, AUTH_SYS credential) from one address: alice, then bob, then alice again.
        byte[] call = Wire.Record(Wire.Call(0xD0D0_0002, TestServer.Program, 1, 5, credentialFlavor: 1,
            credentialBody: AuthSysParameters.ForCurrentProcess().ToCredential().Body.ToArray()));
        var replies = new List<byte[]?>();
        foreach (X509Certificate2 certificate in new[] { certificates.Client, certificates.OtherClient, certificates.Client })
        {
            using Socket socket = await Wire.ConnectAsync(server.Tcp!);
            await using var plain = new NetworkStream(socket, ownsSocket: false);
            await plain.WriteAsync(Wire.Record(Wire.Call(7, TestServer.Program, 1, 0, credentialFlavor: AuthTls)), guard.Token);
            Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));
            await using var tls = new SslStream(plain, leaveInnerStreamOpen: true);
            await tls.AuthenticateAsClientAsync(ClientTls(certificate), guard.Token);
            await tls.WriteAsync(call, guard.Token);
            replies.Add(await Wire.ReadRecordAsync(tls, guard.Token));
        }

        Assert.Equal(2u, Wire.WordAt(replies[1]!, 6)); // bob's call ran: it is not alice's
        Assert.Equal(replies[0], replies[2]);        // alice's retransmission is answered from the cache
        Assert.Equal(2, server.Counter);
    }

    private RpcServerOptions Options(bool mutual = false, Func<X509Certificate2, AuthSysParameters?>? map = null, TimeSpan? handshakeTimeout = null)
    {
        var authentication = new SslServerAuthenticationOptions { ServerCertificate = certificates.Server };
        if (mutual)
        {
            authentication.ClientCertificateRequired = true;
            authentication.CertificateChainPolicy = certificates.TrustTheCa();
        }

        var tls = new RpcTlsServerOptions { Authentication = authentication, MapClientCertificate = map };
        return Design(new RpcServerOptions { Tls = handshakeTimeout is { } timeout ? tls with { HandshakeTimeout = timeout } : tls });
    }

    private SslClientAuthenticationOptions ClientTls(X509Certificate2? certificate = null) => new()
    {
        TargetHost = "localhost",
        CertificateChainPolicy = certificates.TrustTheCa(),
        ClientCertificates = certificate is null ? null : [certificate],
        ApplicationProtocols = [new SslApplicationProtocol("sunrpc")],
    };

    private RpcServerOptions Design(RpcServerOptions options) => options with { ThreadPerConnection = ThreadPerConnection };

    /// <summary>Waits until the server counts no connection; fails if it still counts one after the wait's bound.</summary>
    private static Task ConnectionsGoneAsync(TestServer server) =>
        HostileClientTests.WaitUntilAsync(() => server.Server.ConnectionCount == 0, "the server closed the connection");
}

/// <summary>What Wireshark makes of RPC-with-TLS: the probe and its answer are ordinary RPC messages to it.</summary>
public sealed class TlsCaptureTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [CaptureFact]
    public async Task Tshark_decodes_the_AUTH_TLS_probe_and_its_STARTTLS_answer_as_RPC()
    {
        // NFS version 3, as the Linux client probes it: Wireshark 4.0 decodes RPC over TCP only for programs it knows.
        var tls = new RpcTlsServerOptions { Authentication = new SslServerAuthenticationOptions { ServerCertificate = certificates.Server } };
        await using var server = new RpcServer(new RpcServerOptions { Tls = tls });
        server.AddProgram(new RpcProgramBuilder(100003, 3, "NFS").Build());
        IPEndPoint endPoint = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));

        // tshark decodes the port as RPC as it captures, and prints the fields of the probe's two messages: the call
        // (credential flavor 7 with no body, an AUTH_NONE verifier) and the reply (accepted, an AUTH_NONE verifier of
        // 8 bytes, SUCCESS).
        var decoded = new List<string>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process tshark = StartTshark(["-i", "lo", "-f", $"tcp port {endPoint.Port}", "-l", "-d", $"tcp.port=={endPoint.Port},rpc", "-Y", "rpc.xid == 0x5ec00002",
            "-T", "fields", "-E", "separator=|", "-e", "rpc.msgtyp", "-e", "rpc.program", "-e", "rpc.auth.flavor", "-e", "rpc.auth.length",
            "-e", "rpc.replystat", "-e", "rpc.state_accept"],
            line =>
            {
                lock (decoded)
                {
                    decoded.Add(line);
                    if (decoded.Count == 2)
                    {
                        both.TrySetResult();
                    }
                }
            },
            started);
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using Socket socket = await Wire.ConnectAsync(endPoint);
            await using var plain = new NetworkStream(socket, ownsSocket: false);
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await plain.WriteAsync(Wire.Record(Wire.Call(0x5EC0_0002, 100003, 3, 0, credentialFlavor: 7)), guard.Token);
            Assert.NotNull(await Wire.ReadRecordAsync(plain, guard.Token));
            await both.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            tshark.Kill();
            await tshark.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.Equal("0|100003|7,0|0,0||", decoded[0]);
        Assert.Equal("1|100003|0|8|0|0", decoded[1]);
    }

    /// <summary>tshark with these arguments, each line it prints handed to <paramref name="line"/>; <paramref name="started"/> completes once it captures.</summary>
    private static Process StartTshark(string[] arguments, Action<string> line, TaskCompletionSource started)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Capture started", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                line(e.Data);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }
}

/// <summary><see cref="TlsTests"/> on the epoll event loops (Linux's design).</summary>
public sealed class TlsTestsOnEventLoops(TestCertificates certificates) : TlsTests(certificates)
{
    protected override bool ThreadPerConnection => false;
}

/// <summary><see cref="TlsTests"/> with a thread per connection, the design used without epoll.</summary>
public sealed class TlsTestsOnThreads(TestCertificates certificates) : TlsTests(certificates)
{
    protected override bool ThreadPerConnection => true;
}
