using System.Diagnostics;
using System.Net;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests.Nfs;

/// <summary>
/// Runs inside a network and mount namespace of its own (<c>ganesha-scenario DIR</c>, see <see cref="GaneshaTests"/>):
/// native rpcbind and NFS-Ganesha with an in-memory export that requires a privileged port, then NetRpc's clients
/// mount it and GETATTR its root over UDP and TCP, from a reserved port and from an unreserved one, and (without
/// CAP_NET_BIND_SERVICE) with a reserved port required. Prints one line per case.
/// </summary>
internal static class GaneshaScenario
{
    private const string Export = "/export";

    public static async Task<int> RunAsync(string[] args)
    {
        string directory = args[0];
        if (args is [_, "probe", string over])
        {
            // Without the privilege: a reserved port is required and cannot be had.
            Console.WriteLine(await CallAsync(over == "tcp" ? RpcTransport.Tcp : RpcTransport.Udp, ReservedPortUse.Required));
            return 0;
        }

        string config = Path.Combine(directory, "ganesha.conf");
        await File.WriteAllTextAsync(config, $$"""
            NFS_CORE_PARAM { Protocols = 3; Enable_NLM = false; Enable_RQUOTA = false; }
            NFSV4 { Graceless = true; }
            EXPORT {
                Export_Id = 1; Path = {{Export}}; Pseudo = {{Export}}; Protocols = 3; Transports = UDP, TCP;
                Access_Type = RW; Squash = No_Root_Squash; SecType = sys;
                PrivilegedPort = true;
                FSAL { Name = MEM; }
            }
            LOG { Default_Log_Level = EVENT; }
            """);
        using Process rpcbind = Daemons.Start("rpcbind", "-w", "-f");
        await Daemons.WaitForAsync(() => Daemons.IsRegistered(100000));
        using Process ganesha = Daemons.Start("ganesha.nfsd", "-F", "-f", config, "-L", Path.Combine(directory, "ganesha.log"), "-p", Path.Combine(directory, "ganesha.pid"));
        try
        {
            await Daemons.WaitForAsync(() => Daemons.IsRegistered(Nfs3.MountProgram) && Daemons.IsRegistered(Nfs3.NfsProgram));
            foreach (RpcTransport transport in new[] { RpcTransport.Udp, RpcTransport.Tcp })
            {
                foreach (ReservedPortUse use in new[] { ReservedPortUse.IfPossible, ReservedPortUse.Never })
                {
                    Console.WriteLine($"{transport} {use}: {await CallAsync(transport, use)}");
                }

                string probe = NativeToolchain.Run("setpriv", ["--bounding-set=-net_bind_service", "--inh-caps=-net_bind_service", Binding.RpcbindScenario.Dotnet, typeof(GaneshaScenario).Assembly.Location, "ganesha-scenario", directory, "probe", transport == RpcTransport.Tcp ? "tcp" : "udp"], AppContext.BaseDirectory);
                Console.WriteLine($"{transport} Required, unprivileged: {probe.Trim()}");
            }
        }
        finally
        {
            NativeServer.Terminate(ganesha, TimeSpan.FromSeconds(20));
            NativeServer.Terminate(rpcbind, TimeSpan.FromSeconds(10));
        }

        return 0;
    }

    /// <summary>MNT the export, then GETATTR its root: "mounted, directory" or what failed.</summary>
    private static async Task<string> CallAsync(RpcTransport transport, ReservedPortUse use)
    {
        var options = new RpcClientOptions
        {
            ReservedPort = use,
            Credential = RpcCredential.Sys(new AuthSysParameters { Stamp = 1, MachineName = "netrpc-test", Uid = 0, Gid = 0 }),
            Timeout = TimeSpan.FromSeconds(30),
        };
        try
        {
            await using RpcClient mount = await RpcClient.CreateAsync("127.0.0.1", Nfs3.MountProgram, 3, transport, options);
            MountResult mounted = await mount.CallAsync<NfsPath, MountResult>(Nfs3.Mnt, new NfsPath(Export));
            if (mounted.Status != 0)
            {
                return $"MNT status {mounted.Status}";
            }

            await using RpcClient nfs = await RpcClient.CreateAsync("127.0.0.1", Nfs3.NfsProgram, 3, transport, options);
            GetAttrResult attributes = await nfs.CallAsync<FileHandle, GetAttrResult>(Nfs3.GetAttr, new FileHandle(mounted.Handle));
            return attributes.Status != 0 ? $"GETATTR status {attributes.Status}" : attributes.Type == 2 ? "mounted, GETATTR: directory" : $"GETATTR type {attributes.Type}";
        }
        catch (RpcAuthenticationException e)
        {
            return $"{nameof(RpcAuthenticationException)} {e.Status}";
        }
        catch (RpcException e)
        {
            return $"{e.GetType().Name}{(e is RpcReservedPortException r ? " " + r.Error : string.Empty)}";
        }
    }

}
