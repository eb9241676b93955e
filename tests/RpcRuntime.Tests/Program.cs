namespace NetRpc.Runtime.Tests;

/// <summary>
/// The test assembly doubles as the program the rpcbind tests run inside network namespaces of their own
/// (<c>dotnet NetRpc.Runtime.Tests.dll rpcbind-scenario ...</c>) and as the server the crash tests kill
/// (<c>crash-server ...</c>), a client without the privilege to bind a reserved port (<c>reserved-port-probe ...</c>) and
/// the Kerberos context made in a throwaway realm's namespace (<c>kerberos-scenario</c>);
/// under <c>dotnet test</c> this is never called.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["rpcbind-scenario", .. string[] rest])
        {
            return await Binding.RpcbindScenario.RunAsync(rest);
        }

        if (args is ["crash-server", .. string[] serverArgs])
        {
            return await CrashServer.RunAsync(serverArgs);
        }

        if (args is ["ganesha-scenario", .. string[] ganeshaArgs])
        {
            return await Nfs.GaneshaScenario.RunAsync(ganeshaArgs);
        }

        if (args is ["broadcast-scenario", string tool])
        {
            return await Broadcast.BroadcastScenario.RunAsync(tool);
        }

        if (args is ["broadcast-host", string kind, string hostTool])
        {
            return await Broadcast.BroadcastScenario.HostAsync(kind, hostTool);
        }

        if (args is ["yp-scenario", .. string[] ypArgs])
        {
            return await Yp.YpScenario.RunAsync(ypArgs);
        }

        if (args is ["udp-send-scenario"])
        {
            return await UdpSendErrorScenario.RunAsync();
        }

        if (args is ["kerberos-scenario"])
        {
            return await Kerberos.KerberosScenario.RunAsync();
        }

        if (args is ["ganesha-krb5-scenario", .. string[] ganeshaKrb5Args])
        {
            return await Kerberos.GaneshaKerberosScenario.RunAsync(ganeshaKrb5Args);
        }

        if (args is ["gss-interop-scenario", .. string[] interopArgs])
        {
            return await Kerberos.GssInteropScenario.RunAsync(interopArgs);
        }

        if (args is ["rpcsec-gss-scenario", .. string[] gssArgs])
        {
            return await Kerberos.RpcsecGssScenario.RunAsync(gssArgs);
        }

        if (args is ["reserved-port-probe", .. string[] probeArgs])
        {
            return await ReservedPortProbe.RunAsync(probeArgs);
        }

        await Console.Error.WriteLineAsync("usage: NetRpc.Runtime.Tests rpcbind-scenario|crash-server|reserved-port-probe|ganesha-scenario|udp-send-scenario|yp-scenario|broadcast-scenario|broadcast-host|kerberos-scenario|rpcsec-gss-scenario|gss-interop-scenario|ganesha-krb5-scenario ... (the tests run this themselves)");
        return 2;
    }
}
