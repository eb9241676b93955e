using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyProto;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;

namespace NetRpc.Hosting.Tests;

/// <summary>
/// RPC-with-TLS in a generic host: the server's TLS settings and a program that requires TLS through
/// ConfigureServerOptions, a client's through ConfigureClientOptions, with certificates from the application's services.
/// </summary>
public sealed class TlsHostingTests
{
    [Fact]
    public async Task A_hosted_server_and_a_factory_client_talk_through_TLS_and_plain_calls_are_refused()
    {
        using X509Certificate2 certificate = SelfSigned();
        string thumbprint = certificate.Thumbprint;
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton(certificate);
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer()
            .AddProgram<TestService>()
            .ConfigureServerOptions((options, services) => options with
            {
                Tls = new RpcTlsServerOptions
                {
                    Authentication = new SslServerAuthenticationOptions { ServerCertificate = services.GetRequiredService<X509Certificate2>() },
                },
            });
        using IHost server = builder.Build();
        await server.StartAsync();
        var endpoint = server.Services.GetRequiredService<RpcServerHost>().TcpEndPoints[0];

        HostApplicationBuilder clientBuilder = TestHost.Builder(new Dictionary<string, string?>
        {
            ["NetRpc:Clients:TestProg:Endpoints:0"] = $"127.0.0.1:{endpoint.Port}",
        });
        clientBuilder.Services.AddRpcClient<ITestVersClient, TestVersClient>("TestProg", client => client.ReservedPort = ReservedPortUse.Never)
            .ConfigureClientOptions((options, _) => options with
            {
                Tls = new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented is X509Certificate2 c && c.Thumbprint == thumbprint,
                },
            });
        using IHost clients = clientBuilder.Build();
        Assert.Equal(TestService.Answer, await clients.Services.GetRequiredService<ITestVersClient>().TestAsync());

        await server.StopAsync();
    }

    [Fact]
    public async Task A_hosted_program_that_requires_TLS_refuses_a_plain_client_with_AUTH_TOOWEAK()
    {
        using X509Certificate2 certificate = SelfSigned();
        string thumbprint = certificate.Thumbprint;
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRpcServer()
            .AddProgram(services => new TestService(services.GetRequiredService<CallCounter>()).ToProgram().RequireTls())
            .ConfigureServerOptions((options, _) => options with
            {
                Tls = new RpcTlsServerOptions { Authentication = new SslServerAuthenticationOptions { ServerCertificate = certificate } },
            });
        using IHost server = builder.Build();
        await server.StartAsync();

        await using TestVersClient plain = TestHost.Client(server);
        RpcAuthenticationException refused = await Assert.ThrowsAsync<RpcAuthenticationException>(() => plain.TestAsync());
        Assert.Equal(NetRpc.Runtime.Messages.AuthStatus.TooWeak, refused.Status);

        var endpoint = server.Services.GetRequiredService<RpcServerHost>().TcpEndPoints[0];
        var tls = TestHost.Quick with
        {
            Tls = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is X509Certificate2 c && c.Thumbprint == thumbprint,
            },
        };
        await using var secured = new TestVersClient(RpcClient.CreateTcp(endpoint, TestProg.Program, TestProg.TestVers.Version, tls));
        Assert.Equal(TestService.Answer, await secured.TestAsync());
        Assert.Equal(1, server.Services.GetRequiredService<CallCounter>().Count);
        await server.StopAsync();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
