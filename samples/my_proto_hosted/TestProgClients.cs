using System.Net;
using Microsoft.Extensions.Options;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;

namespace MyProto;

/// <summary>Where the sample's client finds TEST_PROG (configuration section <c>NetRpc:Clients:TestProg</c>).</summary>
public sealed class TestProgClientOptions
{
    /// <summary>The host whose rpcbind knows TEST_PROG. Default localhost.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The rpcbind's port; unset: 111, then NetRpc's fallback port, as clnt_create looks.</summary>
    public int? RpcbindPort { get; set; }
}

/// <summary>
/// A minimal client registration for the sample: makes TEST_PROG clients found through rpcbind, as clnt_create does.
/// It calls over UDP as well as TCP, which AddRpcClient (docs/hosting.md, "Clients") does not make yet.
/// </summary>
/// <param name="options">Where TEST_PROG is.</param>
public sealed class TestProgClients(IOptions<TestProgClientOptions> options)
{
    /// <summary>clnt_create(host, TEST_PROG, TEST_VERS, transport).</summary>
    /// <param name="transport">UDP or TCP.</param>
    /// <param name="cancellationToken">Abandons the lookup.</param>
    /// <returns>A client; the caller disposes it.</returns>
    public async Task<TestVersClient> CreateAsync(RpcTransport transport, CancellationToken cancellationToken = default)
    {
        TestProgClientOptions where = options.Value;
        RpcClient rpc;
        if (where.RpcbindPort is { } port)
        {
            IPAddress host = IPAddress.TryParse(where.Host, out IPAddress? parsed) ? parsed : (await Dns.GetHostAddressesAsync(where.Host, cancellationToken)).First();
            IPEndPoint endPoint = await new RpcbindClient(host, port).ResolveAsync(TestProg.Program, TestProg.TestVers.Version, transport, cancellationToken)
                ?? throw new RpcProgramNotRegisteredException(TestProg.Program, TestProg.TestVers.Version);
            rpc = transport == RpcTransport.Tcp
                ? RpcClient.CreateTcp(endPoint, TestProg.Program, TestProg.TestVers.Version)
                : RpcClient.CreateUdp(endPoint, TestProg.Program, TestProg.TestVers.Version);
        }
        else
        {
            rpc = await RpcClient.CreateAsync(where.Host, TestProg.Program, TestProg.TestVers.Version, transport, cancellationToken: cancellationToken);
        }

        return new TestVersClient(rpc);
    }
}
