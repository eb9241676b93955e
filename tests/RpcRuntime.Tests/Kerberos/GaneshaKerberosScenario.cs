using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Tests.Nfs.Mount;
using NetRpc.Runtime.Tests.Nfs.V3;
using NetRpc.Runtime.Tests.Nfs.V4;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// Inside a <see cref="KerberosRealm"/>'s namespace (<c>ganesha-krb5-scenario DIR</c>): native rpcbind and NFS-Ganesha
/// with an export (VFS, a folder of the test's) that takes only krb5, krb5i and krb5p (the realm's keytab), then NetRpc's clients, generated
/// from libnfs's .x files: MOUNT, and for each service NFSv3 GETATTR, CREATE, WRITE and READ back, and an NFSv4.0
/// COMPOUND (PUTROOTFH, GETATTR); then AUTH_SYS, and RPCSEC_GSS without a ticket. One line per step.
/// </summary>
internal static class GaneshaKerberosScenario
{
    private const string Export = "/export";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        string directory = args[0];
        KerberosRealm.LogIn();
        Directory.CreateDirectory("/var/lib/nfs");
        NativeToolchain.Run("mount", ["-t", "tmpfs", "tmpfs", "/var/lib/nfs"], directory);
        Directory.CreateDirectory("/var/lib/nfs/ganesha");
        // A real directory behind the export (the VFS FSAL): the in-memory FSAL keeps no file data to read back.
        string exported = Directory.CreateDirectory(Path.Combine(directory, "exported")).FullName;
        string config = Path.Combine(directory, "ganesha.conf");
        await File.WriteAllTextAsync(config, $$"""
            NFS_CORE_PARAM { Protocols = 3, 4; Enable_NLM = false; Enable_RQUOTA = false; }
            NFSV4 { Graceless = true; }
            NFS_KRB5 { PrincipalName = "nfs@localhost"; KeytabPath = "{{Environment.GetEnvironmentVariable("KRB5_KTNAME")![5..]}}"; CCacheDir = "{{directory}}"; Active_krb5 = true; }
            EXPORT {
                Export_Id = 1; Path = {{exported}}; Pseudo = {{Export}}; Protocols = 3, 4; Transports = TCP;
                Access_Type = RW; SecType = krb5, krb5i, krb5p;
                Squash = All_Squash; Anonymous_Uid = 0; Anonymous_Gid = 0;
                FSAL { Name = VFS; }
            }
            LOG { Default_Log_Level = EVENT; }
            """);
        using Process rpcbind = Daemons.Start("rpcbind", "-w", "-f");
        await Daemons.WaitForAsync(() => Daemons.IsRegistered(100000));
        using Process ganesha = Daemons.Start("ganesha.nfsd", "-F", "-f", config, "-L", Path.Combine(directory, "ganesha.log"), "-p", Path.Combine(directory, "ganesha.pid"));
        try
        {
            await Daemons.WaitForAsync(() => Daemons.IsRegistered(Nfs.Nfs3.MountProgram) && Daemons.IsRegistered(Nfs.Nfs3.NfsProgram));
            var sys = new RpcClientOptions { Timeout = Patience, Credential = RpcCredential.Sys(new AuthSysParameters { MachineName = "netrpc-test", Uid = 0, Gid = 0 }) };
            await using MountV3Client mount = await MountV3Client.CreateAsync("127.0.0.1", RpcTransport.Tcp, sys);
            Mountres3 mounted = await mount.Mount3MntAsync(exported); // NFSv3 mounts the export's path, NFSv4 sees its pseudo path
            NfsFh3 root = new() { Data = mounted.Mountinfo.Fhandle };
            Console.WriteLine($"mount: {mounted.FhsStatus}, flavors {string.Join(',', mounted.Mountinfo.AuthFlavors)}");

            foreach (RpcsecGssService service in new[] { RpcsecGssService.None, RpcsecGssService.Integrity, RpcsecGssService.Privacy })
            {
                var gss = new RpcClientOptions { Timeout = Patience, Credential = new RpcsecGssCredential("nfs@localhost", service) };
                Console.WriteLine($"nfs3 {service}: {await Nfs3Async(root, gss, $"file-{service}")}");
                Console.WriteLine($"nfs4 {service}: {await Nfs4Async(gss)}");
            }

            byte[] expected = [.. Enumerable.Range(0, 20_000).Select(i => (byte)(i * 13))];
            Console.WriteLine($"on disk: {string.Join(", ", Directory.GetFiles(exported).Order().Select(f => $"{Path.GetFileName(f)} {File.ReadAllBytes(f).AsSpan().SequenceEqual(expected)}"))}");
            Console.WriteLine($"nfs3 AUTH_SYS: {await Nfs3Async(root, sys, "file-sys")}");
            NativeToolchain.Run("kdestroy", [], directory, timeoutSeconds: 30);
            Console.WriteLine($"nfs3 no ticket: {await Nfs3Async(root, new RpcClientOptions { Timeout = Patience, Credential = new RpcsecGssCredential("nfs@localhost") }, "file-none")}");
        }
        finally
        {
            NativeServer.Terminate(ganesha, TimeSpan.FromSeconds(20));
            NativeServer.Terminate(rpcbind, TimeSpan.FromSeconds(10));
        }

        return 0;
    }

    /// <summary>GETATTR of the root, CREATE a file, WRITE 20,000 bytes and READ them back: what held, or what failed.</summary>
    private static async Task<string> Nfs3Async(NfsFh3 root, RpcClientOptions options, string name)
    {
        try
        {
            await using NfsV3Client nfs = await NfsV3Client.CreateAsync("127.0.0.1", RpcTransport.Tcp, options);
            Getattr3Res attributes = await nfs.Nfs3GetattrAsync(new Getattr3Args { Object = root });
            if (attributes.Status != Nfsstat3.Nfs3Ok)
            {
                return $"GETATTR {attributes.Status}";
            }

            var mode = new Sattr3 { Mode = SetMode3.FromMode(0b110_100_100), Uid = SetUid3.Of(false), Gid = SetGid3.Of(false), Size = SetSize3.Of(false), Atime = SetAtime.Of(TimeHow.DontChange), Mtime = SetMtime.Of(TimeHow.DontChange) };
            Create3Res created = await nfs.Nfs3CreateAsync(new Create3Args { Where = new Diropargs3 { Dir = root, Name = name }, How = Createhow3.FromObjAttributes(Createmode3.Unchecked, mode) });
            if (created.Status != Nfsstat3.Nfs3Ok)
            {
                return $"root {attributes.Resok.ObjAttributes.Type}, CREATE {created.Status}";
            }

            NfsFh3 file = created.Resok.Obj.Handle;
            byte[] data = [.. Enumerable.Range(0, 20_000).Select(i => (byte)(i * 13))];
            Write3Res written = await nfs.Nfs3WriteAsync(new Write3Args { File = file, Offset = 0, Count = (uint)data.Length, Stable = StableHow.FileSync, Data = data });
            Read3Res read = await nfs.Nfs3ReadAsync(new Read3Args { File = file, Offset = 0, Count = (uint)data.Length });
            return $"root {attributes.Resok.ObjAttributes.Type}, CREATE {created.Status}, WRITE {written.Status} {(written.Status == Nfsstat3.Nfs3Ok ? written.Resok.Count : 0)}, " +
                $"READ {read.Status} equal={read.Status == Nfsstat3.Nfs3Ok && read.Resok.Data.AsSpan().SequenceEqual(data)}";
        }
        catch (RpcAuthenticationException e)
        {
            return $"{nameof(RpcAuthenticationException)} {e.Status}";
        }
    }

    /// <summary>COMPOUND PUTROOTFH, GETATTR(type): the status, and the root's type.</summary>
    private static async Task<string> Nfs4Async(RpcClientOptions options)
    {
        await using NfsV4Client nfs = await NfsV4Client.CreateAsync("127.0.0.1", RpcTransport.Tcp, options);
        Compound4Res result = await nfs.Nfsproc4CompoundAsync(new Compound4Args
        {
            Tag = "netrpc"u8.ToArray(),
            Minorversion = 0,
            Argarray = [NfsArgop4.Of(NfsOpnum4.OpPutrootfh), NfsArgop4.FromOpgetattr(new Getattr4Args { AttrRequest = [1u << 1] })], // FATTR4_TYPE
        });
        string type = result.Status == Nfsstat4.Nfs4Ok && result.Resarray[^1].Opgetattr.Resok4.ObjAttributes.AttrVals is { Length: >= 4 } values
            ? ((NfsFtype4)BinaryPrimitives.ReadInt32BigEndian(values)).ToString()
            : "?";
        return $"COMPOUND {result.Status}, root {type}";
    }
}
