using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>NetRpc client against NetRpc server over loopback, TCP and UDP: every reply status, and the exception each becomes.</summary>
public class LoopbackTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(20) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Success_returns_the_results(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        Assert.Equal(42, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(41))).Value);
        Assert.Equal("héllo", (await client.CallAsync<TextValue, TextValue>(2, new TextValue("héllo"))).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Null_procedure_is_answered_for_every_version(bool tcp)
    {
        await using var server = new TestServer();
        foreach (uint version in new uint[] { 1, 2 })
        {
            await using RpcClient client = server.Client(tcp, version, Quick);
            Assert.Equal(XdrVoid.Value, await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Unknown_program_is_prog_unavail(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, 1, Quick, program: 0x20000999);
        var e = await Assert.ThrowsAsync<RpcProgramUnavailableException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal(0x20000999u, e.Program);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Unknown_version_is_prog_mismatch_with_the_range_served(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, 7, Quick);
        var e = await Assert.ThrowsAsync<RpcProgramMismatchException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal((7u, 1u, 2u), (e.Version, e.Low, e.High));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Unknown_procedure_is_proc_unavail(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        var e = await Assert.ThrowsAsync<RpcProcedureUnavailableException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(99, default));
        Assert.Equal(99u, e.Procedure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Undecodable_arguments_are_garbage_args(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        await Assert.ThrowsAsync<RpcGarbageArgumentsException>(async () => await client.CallAsync<XdrVoid, IntValue>(1, default));
        await Assert.ThrowsAsync<RpcGarbageArgumentsException>(async () => await client.CallAsync<IntValue, TextValue>(2, new IntValue(100))); // a 100-byte string, and no bytes

        // Bytes that are not UTF-8 are no garbage: a C peer may send them, and ECHO gives the same bytes back.
        Assert.Equal("\uDCFF\uDCFE", (await client.CallAsync<BlobValue, TextValue>(2, new BlobValue([0xFF, 0xFE]))).Value);
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 3)]
    [InlineData(true, 8)]
    [InlineData(false, 8)]
    public async Task A_failing_handler_is_system_err_and_the_server_goes_on(bool tcp, uint procedure)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(procedure, default));
        Assert.Equal(6, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(5))).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unknown_credential_flavor_is_auth_error_rejectedcred(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick with { Credential = new FixedCredential(new OpaqueAuth(AuthFlavor.Dh, new byte[8])) });
        var e = await Assert.ThrowsAsync<RpcAuthenticationException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal(AuthStatus.RejectedCredential, e.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_malformed_auth_sys_credential_is_auth_error_badcred(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick with { Credential = new FixedCredential(new OpaqueAuth(AuthFlavor.Sys, new byte[] { 0, 0, 0, 1, 0, 0, 1, 0 })) });
        var e = await Assert.ThrowsAsync<RpcAuthenticationException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal(AuthStatus.BadCredential, e.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Handlers_see_auth_sys_credentials(bool tcp)
    {
        await using var server = new TestServer();
        var credential = RpcCredential.Sys(new AuthSysParameters { MachineName = "host-a", Uid = 1001, Gid = 100, Gids = [4, 24, 27], Stamp = 7 });
        await using RpcClient client = server.Client(tcp, options: Quick with { Credential = credential });
        Assert.Equal("host-a:1001:100:4,24,27", (await client.CallAsync<XdrVoid, TextValue>(6, default)).Value);

        await using RpcClient anonymous = server.Client(tcp, options: Quick);
        Assert.Equal("none", (await anonymous.CallAsync<XdrVoid, TextValue>(6, default)).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_late_reply_is_a_timeout(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick);
        var e = await Assert.ThrowsAsync<RpcTimeoutException>(async () => await client.CallAsync<IntValue, IntValue>(4, new IntValue(3000), TimeSpan.FromMilliseconds(200), default));
        Assert.Equal(TimeSpan.FromMilliseconds(200), e.Timeout);
        Assert.Equal(0, client.InFlight);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cancelled_call_throws_and_frees_its_slot(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick with { MaxInFlight = 1 });
        using var cts = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.CallAsync<IntValue, IntValue>(4, new IntValue(3000), cts.Token));
        Assert.Equal(2, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Many_calls_in_flight_complete_each_with_its_own_result(bool tcp)
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp, options: Quick with { MaxInFlight = 64 });
        Task<IntValue>[] calls = [.. Enumerable.Range(0, 2000).Select(i => client.CallAsync<IntValue, IntValue>(1, new IntValue(i)).AsTask())];
        IntValue[] results = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(1, 2000), results.Select(r => r.Value));
    }

    [Fact]
    public async Task The_in_flight_window_bounds_outstanding_calls()
    {
        // Two calls the server holds until released: the third waits for a place, however long they take.
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: true, options: Quick with { MaxInFlight = 2 });
        Task<IntValue> first = client.CallAsync<BlobValue, IntValue>(10, new BlobValue([1])).AsTask();
        Task<IntValue> second = client.CallAsync<BlobValue, IntValue>(10, new BlobValue([1, 2])).AsTask();
        Task<IntValue> third = client.CallAsync<IntValue, IntValue>(1, new IntValue(1)).AsTask();
        await HostileClientTests.WaitUntilAsync(() => server.Held == 2, "both held calls reach the server");
        Assert.Equal(2, client.InFlight);
        Assert.False(third.IsCompleted);
        server.Release();
        Assert.Equal([1, 2], (await Task.WhenAll(first, second)).Select(r => r.Value));
        Assert.Equal(2, (await third).Value);
    }

    [Fact]
    public async Task Large_arguments_and_results_cross_tcp_intact()
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: true, options: Quick);
        byte[] blob = new byte[512 * 1024];
        new Random(1).NextBytes(blob);
        Assert.Equal(blob, (await client.CallAsync<BlobValue, BlobValue>(7, new BlobValue(blob))).Value);
    }

    [Fact]
    public async Task A_udp_call_too_large_for_a_datagram_is_refused_before_sending()
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: false, options: Quick);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.CallAsync<BlobValue, BlobValue>(7, new BlobValue(new byte[9000])));
        Assert.Equal(0, client.InFlight);
        Assert.Equal(3, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(2))).Value);
    }

    [Fact]
    public async Task A_udp_reply_too_large_for_a_datagram_is_system_err()
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: false, options: Quick);
        await Assert.ThrowsAsync<RpcSystemErrorException>(async () => await client.CallAsync<IntValue, BlobValue>(9, new IntValue(9000)));
        Assert.Equal(8000, (await client.CallAsync<IntValue, BlobValue>(9, new IntValue(8000))).Value.Length);
    }

    [Fact]
    public async Task Arguments_over_their_declared_limit_throw_argument_exception_and_free_the_slot()
    {
        await using var server = new TestServer();
        await using RpcClient client = server.Client(tcp: true, options: Quick with { MaxInFlight = 1 });
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await client.CallAsync<TextValue, TextValue>(2, new TextValue("a\uD800")));
        Assert.Equal(0, client.InFlight);
        Assert.Equal("ok", (await client.CallAsync<TextValue, TextValue>(2, new TextValue("ok"))).Value);
    }

    private sealed class FixedCredential(OpaqueAuth credential) : RpcCredential
    {
        public override OpaqueAuth Credential { get; } = credential;
    }
}
