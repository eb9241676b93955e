using System.Diagnostics;
using System.Globalization;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// A throwaway MIT Kerberos realm, NETRPC.TEST, made by the test in a folder of its own: krb5.conf and kdc.conf, the
/// database (kdb5_util), a service principal <c>nfs/localhost</c> with its keytab, and a user <c>alice</c> with a
/// password. The KDC itself runs in the network namespace of the scenario that uses it (<see cref="Run"/>), on
/// 127.0.0.1 there, so nothing of it is seen on the host.
/// </summary>
internal sealed class KerberosRealm : IDisposable
{
    public const string Name = "NETRPC.TEST";
    public const string Service = "nfs/localhost";
    public const string User = "alice";
    public const string UserPassword = "alice-password";
    private const int KdcPort = 88;

    private static readonly string[] s_tools = ["krb5kdc", "kdb5_util", "kadmin.local", "kinit", "unshare", "ip"];

    public KerberosRealm()
    {
        Folder = Directory.CreateTempSubdirectory("netrpc-krb5-").FullName;
        File.WriteAllText(Path.Combine(Folder, "krb5.conf"), string.Create(CultureInfo.InvariantCulture, $$"""
            [libdefaults]
                default_realm = {{Name}}
                dns_lookup_kdc = false
                dns_lookup_realm = false
                rdns = false
                udp_preference_limit = 1
            [realms]
                {{Name}} = {
                    kdc = 127.0.0.1:{{KdcPort}}
                }
            [domain_realm]
                localhost = {{Name}}
            """));
        File.WriteAllText(Path.Combine(Folder, "kdc.conf"), string.Create(CultureInfo.InvariantCulture, $$"""
            [kdcdefaults]
                kdc_ports = {{KdcPort}}
                kdc_tcp_ports = {{KdcPort}}
            [realms]
                {{Name}} = {
                    database_name = {{Folder}}/principal
                    key_stash_file = {{Folder}}/stash
                    acl_file = {{Folder}}/kadm5.acl
                }
            """));
        Admin("kdb5_util", "create", "-s", "-r", Name, "-P", "master-password");
        Admin("kadmin.local", "-q", $"addprinc -randkey {Service}");
        Admin("kadmin.local", "-q", $"addprinc -pw {UserPassword} {User}");
        Admin("kadmin.local", "-q", $"ktadd -k {Keytab} {Service}");
    }

    /// <summary>Why a realm cannot be made and run here (root for the namespace, MIT Kerberos's tools), or null.</summary>
    public static string? MissingReason { get; } =
        NativeToolchain.NetworkNamespaceMissingReason
        ?? (s_tools.FirstOrDefault(t => NativeToolchain.FindOnPath(t) is null) is { } missing
            ? $"{missing} is not installed (Debian: krb5-kdc, krb5-admin-server, krb5-user)"
            : null);

    public string Folder { get; }

    /// <summary>The service principal's keys, as a server reads them (KRB5_KTNAME).</summary>
    public string Keytab => Path.Combine(Folder, "service.keytab");

    /// <summary>The user's tickets, once a scenario has run kinit (KRB5CCNAME).</summary>
    public string CredentialCache => Path.Combine(Folder, "alice.ccache");

    /// <summary>
    /// Runs this test assembly with <paramref name="arguments"/> in a network and mount namespace of its own, with the
    /// realm's KDC running there and the environment GSSAPI reads (KRB5_CONFIG, KRB5_KTNAME, KRB5CCNAME); the KDC is
    /// stopped, by its PID, when the scenario ends.
    /// </summary>
    /// <returns>What the scenario printed.</returns>
    public string Run(params string[] arguments)
    {
        string script =
            "ip link set lo up && mount -t tmpfs tmpfs /run || exit 1; " +
            $"export KRB5_CONFIG={Folder}/krb5.conf KRB5_KDC_PROFILE={Folder}/kdc.conf KRB5_KTNAME=FILE:{Keytab} KRB5CCNAME=FILE:{CredentialCache}; " +
            "krb5kdc -n & kdc=$!; \"$0\" \"$@\"; status=$?; kill $kdc; wait $kdc 2>/dev/null; exit $status";
        return NativeToolchain.Run("unshare", ["-n", "-m", "--propagation", "private", "sh", "-c", script,
            Binding.RpcbindScenario.Dotnet, typeof(KerberosRealm).Assembly.Location, .. arguments], Folder, timeoutSeconds: 180);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>kinit for the user, until the KDC (just started) answers: at most 30 s.</summary>
    public static void LogIn()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                NativeToolchain.Run("kinit", [User], Environment.CurrentDirectory, stdin: UserPassword + "\n", timeoutSeconds: 30);
                return;
            }
            catch (InvalidOperationException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(50); // the KDC is not listening yet
            }
        }
    }

    private void Admin(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KRB5_CONFIG"] = Path.Combine(Folder, "krb5.conf");
        start.Environment["KRB5_KDC_PROFILE"] = Path.Combine(Folder, "kdc.conf");
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {error.Result}{output.Result}");
        }
    }
}
