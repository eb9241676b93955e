using System.Net;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// The embedded rpcbind in this process, on a free port of loopback (no root needed), through NetRpc's own
/// clients: the same rules the namespace tests check against native rpcbind.
/// </summary>
public sealed class EmbeddedRpcbindTests : IAsyncLifetime
{
    private const uint Program = 0x20000777;
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(5) };

    private RpcbindServer _rpcbind = null!;

    private IPEndPoint V4EndPoint => new(IPAddress.Loopback, _rpcbind.TcpEndPoint.Port);

    public Task InitializeAsync()
    {
        _rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, MaxRegistrations = 64 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _rpcbind.DisposeAsync();

    [Fact]
    public async Task A_registration_is_found_over_every_binder_version_and_gone_after_unset()
    {
        var rpcbind = new RpcbindClient(IPAddress.Loopback, V4EndPoint.Port, Quick);
        await rpcbind.RegisterAsync(Program, 1, RpcTransport.Tcp, new IPEndPoint(IPAddress.Any, 5001));
        await rpcbind.RegisterAsync(Program, 1, RpcTransport.Udp, new IPEndPoint(IPAddress.Any, 5002));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5001), await rpcbind.ResolveAsync(Program, 1, RpcTransport.Tcp));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5002), await rpcbind.ResolveAsync(Program, 1, RpcTransport.Udp));
        using var v2 = PortmapperV2Client.CreateUdp(V4EndPoint, Quick);
        Assert.Equal(5001u, await v2.GetPortAsync(new PortMapping { Prog = Program, Vers = 1, Protocol = 6 }));
        Assert.Contains(await rpcbind.DumpAsync(), m => m.Prog == Program && m.Netid == "udp" && m.Address == "0.0.0.0.19.138");

        Assert.True(await rpcbind.UnregisterAsync(Program, 1));
        Assert.Null(await rpcbind.ResolveAsync(Program, 1, RpcTransport.Tcp));
        Assert.Equal(0u, await v2.GetPortAsync(new PortMapping { Prog = Program, Vers = 1, Protocol = 17 }));
    }

    [Fact]
    public async Task A_conflicting_set_is_refused_clearly_and_an_identical_one_is_taken()
    {
        using var v4 = RpcbindV4Client.CreateTcp(V4EndPoint, Quick);
        var mapping = new RpcbMapping { Prog = Program + 1, Vers = 1, Netid = "tcp", Address = "127.0.0.1.19.137", Owner = "test" };
        Assert.True(await v4.SetAsync(mapping));
        Assert.True(await v4.SetAsync(mapping));
        Assert.False(await v4.SetAsync(new RpcbMapping { Prog = Program + 1, Vers = 1, Netid = "tcp", Address = "127.0.0.1.19.140", Owner = "test" }));

    }

    [Fact]
    public async Task Getaddr_falls_back_to_another_version_while_getversaddr_does_not()
    {
        using var v4 = RpcbindV4Client.CreateUdp(V4EndPoint, Quick);
        Assert.True(await v4.SetAsync(new RpcbMapping { Prog = Program + 2, Vers = 3, Netid = "udp", Address = "127.0.0.1.4.1", Owner = "test" }));
        var query = new RpcbMapping { Prog = Program + 2, Vers = 9, Netid = "udp", Address = string.Empty, Owner = string.Empty };
        Assert.Equal("127.0.0.1.4.1", await v4.GetAddrAsync(query));
        Assert.Equal(string.Empty, await v4.GetVersAddrAsync(query));
    }

    [Fact]
    public async Task Universal_and_transport_addresses_convert_both_ways_and_junk_gives_empty()
    {
        using var v4 = RpcbindV4Client.CreateTcp(V4EndPoint, Quick);
        Netbuf transport = await v4.UaddrToTaddrAsync("127.0.0.1.0.111");
        Assert.Equal(16u, transport.Maxlen);
        Assert.Equal(Convert.FromHexString("0200006F7F000001"), transport.Buf[..8]);
        Assert.Equal("127.0.0.1.0.111", await v4.TaddrToUaddrAsync(transport));
        Assert.Empty((await v4.UaddrToTaddrAsync("not an address")).Buf);
        Assert.Equal(string.Empty, await v4.TaddrToUaddrAsync(new Netbuf { Maxlen = 3, Buf = [1, 2, 3] }));
    }

    [Fact]
    public async Task Callit_gets_no_reply_because_forwarding_is_off()
    {
        using var v2 = PortmapperV2Client.CreateUdp(V4EndPoint, new RpcClientOptions { Timeout = TimeSpan.FromMilliseconds(600) });
        await Assert.ThrowsAsync<RpcTimeoutException>(() => v2.CallitAsync(new RemoteCall { Prog = Program, Vers = 1, Proc = 0, Arguments = [] }));
        // And it keeps answering.
        Assert.Equal((uint)V4EndPoint.Port, await v2.GetPortAsync(new PortMapping { Prog = Rpcbind.Program, Vers = 2, Protocol = 17 }));
    }

    [Fact]
    public async Task Getstat_counts_calls_per_binder_version()
    {
        using var v4 = RpcbindV4Client.CreateUdp(V4EndPoint, Quick);
        using var v2 = PortmapperV2Client.CreateUdp(V4EndPoint, Quick);
        await v2.GetPortAsync(new PortMapping { Prog = Program + 3, Vers = 1, Protocol = 17 });
        await v2.GetPortAsync(new PortMapping { Prog = Program + 3, Vers = 1, Protocol = 17 });
        RpcbStat[] stats = await v4.GetStatAsync();
        Assert.Equal(3, stats.Length); // v2, v3, v4
        Assert.Equal(2, stats[0].Procedures[(int)Portmapper.PortmapperV2.GetPort]);
        Assert.Equal(0, stats[1].Procedures[(int)Portmapper.PortmapperV2.GetPort]);
    }

    [Fact]
    public async Task An_unprivileged_caller_over_loopback_holds_at_most_its_quota_and_a_server_hears_why()
    {
        // The attacker's path of issue 13: any local user over loopback is owner "unknown". Of 64 registrations,
        // an owner other than the superuser holds a sixteenth (4); before the quotas it took all 54 left.
        // From an unreserved port, as an unprivileged user's program calls (a root process binds a reserved one).
        RpcClientOptions unprivileged = Quick with { ReservedPort = ReservedPortUse.Never };
        using var v4 = RpcbindV4Client.CreateTcp(V4EndPoint, unprivileged);
        int taken = 0;
        for (uint i = 0; i < 100; i++)
        {
            if (await v4.SetAsync(new RpcbMapping { Prog = 0x20100000 + i, Vers = 1, Netid = "tcp", Address = "127.0.0.1.4.1", Owner = "test" }))
            {
                taken++;
            }
        }

        Assert.Equal(64 / 16, taken);
        Assert.Equal(10 + taken, _rpcbind.Registrations.Count); // its own 10, owned by the superuser, and these
        Assert.All(_rpcbind.Registrations.Where(r => r.Prog != Rpcbind.Program), r => Assert.Equal("unknown", r.Owner));

        // A server registering now hears why it cannot.
        var refused = await Assert.ThrowsAsync<RpcbindRegistrationException>(() =>
            new RpcbindClient(IPAddress.Loopback, V4EndPoint.Port, unprivileged).RegisterAsync(Program + 5, 1, RpcTransport.Tcp, new IPEndPoint(IPAddress.Loopback, 5005)));
        Assert.Contains($"refused to register program {Program + 5} version 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("for this caller's owner", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quotas_that_do_not_fit_the_registry_are_refused_at_start()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RpcbindServer.Start(new RpcbindServerOptions { Port = 0, MaxRegistrations = 64, MaxRegistrationsPerOwner = 65 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RpcbindServer.Start(new RpcbindServerOptions { Port = 0, MaxRegistrations = 64, MaxRegistrationsPerOwner = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RpcbindServer.Start(new RpcbindServerOptions { Port = 0, MaxRegistrations = 64, ReservedForSuperuser = 65 }));
        await using RpcbindServer all = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, MaxRegistrations = 64, MaxRegistrationsPerOwner = 64, ReservedForSuperuser = 0 });
        Assert.NotNull(all.TcpEndPoint);
    }

    [Fact]
    public async Task Malformed_and_oversized_requests_leave_it_answering()
    {
        string report = await HostileTraffic.SendAsync(V4EndPoint);
        Assert.Contains("NULL over udp while a half record hangs: answered", report, StringComparison.Ordinal);
        Assert.Contains("NULL over tcp while a half record hangs: answered", report, StringComparison.Ordinal);
        Assert.NotNull(await new RpcbindClient(IPAddress.Loopback, V4EndPoint.Port, Quick).ResolveAsync(Rpcbind.Program, 2, RpcTransport.Tcp));
    }

    [Fact]
    public async Task Ipv6_callers_get_ipv6_answers()
    {
        var v6 = new IPEndPoint(IPAddress.IPv6Loopback, V4EndPoint.Port);
        using var client = RpcbindV4Client.CreateTcp(v6, Quick);
        Assert.True(await client.SetAsync(new RpcbMapping { Prog = Program + 4, Vers = 1, Netid = "tcp6", Address = "::.4.1", Owner = "test" }));
        Assert.Equal("::1.4.1", await client.GetAddrAsync(new RpcbMapping { Prog = Program + 4, Vers = 1, Netid = "tcp6", Address = string.Empty, Owner = string.Empty }));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 1025), await new RpcbindClient(IPAddress.IPv6Loopback, V4EndPoint.Port, Quick).ResolveAsync(Program + 4, 1, RpcTransport.Tcp));
    }
}

/// <summary>Forwarding (CALLIT, BCAST, INDIRECT), which is off unless <see cref="RpcbindServerOptions.ForwardCalls"/> turns it on.</summary>
public sealed class RpcbindForwardingTests : IAsyncLifetime
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(5) };

    private RpcbindServer _rpcbind = null!;
    private TestServer _server = null!;

    private IPEndPoint Binder => new(IPAddress.Loopback, _rpcbind.UdpEndPoint.Port);

    public async Task InitializeAsync()
    {
        _rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, ForwardCalls = true });
        _server = new TestServer();
        var rpcbind = new RpcbindClient(IPAddress.Loopback, _rpcbind.TcpEndPoint.Port, Quick);
        await rpcbind.RegisterAsync(TestServer.Program, 1, RpcTransport.Udp, _server.Udp!);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _rpcbind.DisposeAsync();
    }

    [Fact]
    public async Task Callit_forwards_over_udp_and_returns_the_port_and_the_results()
    {
        using var v2 = PortmapperV2Client.CreateUdp(Binder, Quick);
        PortCallResult result = await v2.CallitAsync(new RemoteCall { Prog = TestServer.Program, Vers = 1, Proc = 1, Arguments = [0, 0, 0, 41] });
        Assert.Equal((uint)_server.Udp!.Port, result.Port);
        Assert.Equal(new byte[] { 0, 0, 0, 42 }, result.Results);

        using var v4 = RpcbindV4Client.CreateUdp(Binder, Quick);
        RpcbCallResult indirect = await v4.IndirectAsync(new RemoteCall { Prog = TestServer.Program, Vers = 1, Proc = 1, Arguments = [0, 0, 0, 1] });
        Assert.Equal(UniversalAddress.Format(_server.Udp), indirect.Address);
        Assert.Equal(new byte[] { 0, 0, 0, 2 }, indirect.Results);
    }

    [Fact]
    public async Task Indirect_replies_the_errors_callit_keeps_quiet_about()
    {
        using var v4 = RpcbindV4Client.CreateUdp(Binder, Quick);
        await Assert.ThrowsAsync<RpcProgramUnavailableException>(() => v4.IndirectAsync(new RemoteCall { Prog = 0x20999999, Vers = 1, Proc = 1, Arguments = [] }));
        var mismatch = await Assert.ThrowsAsync<RpcProgramMismatchException>(() => v4.IndirectAsync(new RemoteCall { Prog = TestServer.Program, Vers = 9, Proc = 1, Arguments = [] }));
        Assert.Equal((1u, 1u), (mismatch.Low, mismatch.High));
        await Assert.ThrowsAsync<RpcProcedureUnavailableException>(() => v4.IndirectAsync(new RemoteCall { Prog = TestServer.Program, Vers = 1, Proc = 99, Arguments = [] }));

        using var quiet = RpcbindV4Client.CreateUdp(Binder, new RpcClientOptions { Timeout = TimeSpan.FromMilliseconds(600) });
        await Assert.ThrowsAsync<RpcTimeoutException>(() => quiet.BcastAsync(new RemoteCall { Prog = 0x20999999, Vers = 1, Proc = 1, Arguments = [] }));
    }

    [Fact]
    public async Task It_never_forwards_to_itself_nor_over_tcp()
    {
        using var v2 = PortmapperV2Client.CreateUdp(Binder, Quick);
        var refused = await Assert.ThrowsAsync<RpcAuthenticationException>(() => v2.CallitAsync(new RemoteCall { Prog = Rpcbind.Program, Vers = 2, Proc = 1, Arguments = new byte[16] }));
        Assert.Equal(Messages.AuthStatus.TooWeak, refused.Status);

        using var tcp = RpcbindV4Client.CreateTcp(new IPEndPoint(IPAddress.Loopback, _rpcbind.TcpEndPoint.Port), new RpcClientOptions { Timeout = TimeSpan.FromMilliseconds(600) });
        await Assert.ThrowsAsync<RpcTimeoutException>(() => tcp.IndirectAsync(new RemoteCall { Prog = TestServer.Program, Vers = 1, Proc = 1, Arguments = [0, 0, 0, 1] }));
    }
}
