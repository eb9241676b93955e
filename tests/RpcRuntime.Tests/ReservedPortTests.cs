using System.Net;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// Reserved ports, as libtirpc's clients bind them (bindresvport) and servers that trust only privileged callers
/// require them (knfsd's secure exports, Ganesha's PrivilegedPort): the client's choice, what the server sees, and
/// the refusal of an unprivileged caller.
/// </summary>
public sealed class ReservedPortTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    [PrivilegedTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_privileged_client_calls_from_a_reserved_port_unless_told_never(bool tcp)
    {
        await using var server = new TestServer();
        foreach ((ReservedPortUse use, bool reserved) in new[] { (ReservedPortUse.IfPossible, true), (ReservedPortUse.Required, true), (ReservedPortUse.Never, false) })
        {
            await using RpcClient client = server.Client(tcp, options: Quick with { ReservedPort = use });
            string caller = (await client.CallAsync<XdrVoid, TextValue>(11, default)).Value.Split('|')[0];
            int port = IPEndPoint.Parse(caller).Port;
            Assert.True(reserved == port < 1024, $"{use}: the call came from port {port}");
            Assert.Equal(port, ((IPEndPoint)client.LocalEndPoint!).Port);
        }
    }

    [PrivilegedTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_program_that_requires_a_reserved_port_refuses_others_with_auth_tooweak(bool tcp)
    {
        await using var server = new TestServer(tcp: tcp, udp: !tcp, program: p => p.RequireReservedPort());
        await using RpcClient unprivileged = server.Client(tcp, options: Quick with { ReservedPort = ReservedPortUse.Never });
        RpcAuthenticationException e = await Assert.ThrowsAsync<RpcAuthenticationException>(() => unprivileged.CallAsync<IntValue, IntValue>(1, new IntValue(1)).AsTask());
        Assert.Equal(AuthStatus.TooWeak, e.Status);
        await unprivileged.CallAsync<XdrVoid, XdrVoid>(0, default); // NULL is answered whoever calls

        await using RpcClient privileged = server.Client(tcp, options: Quick);
        Assert.Equal(2, (await privileged.CallAsync<IntValue, IntValue>(1, new IntValue(1))).Value);
    }

    [PrivilegedTheory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Required_without_the_privilege_fails_with_its_own_exception(string transport)
    {
        await using var server = new TestServer();
        int port = transport == "tcp" ? server.Tcp!.Port : server.Udp!.Port;

        // The same process without CAP_NET_BIND_SERVICE, as an unprivileged user's program would be.
        string output = NativeToolchain.Run("setpriv", ["--bounding-set=-net_bind_service", "--inh-caps=-net_bind_service", Binding.RpcbindScenario.Dotnet, typeof(ReservedPortTests).Assembly.Location, "reserved-port-probe", transport, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], AppContext.BaseDirectory);
        Assert.Equal("RpcReservedPortException AccessDenied", output.Trim());
    }
}
