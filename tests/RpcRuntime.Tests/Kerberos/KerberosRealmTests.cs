using System.Runtime.CompilerServices;

namespace NetRpc.Runtime.Tests.Kerberos;

/// <summary>
/// The ground RPCSEC_GSS (issue 17) stands on, checked where CI runs: a throwaway MIT realm made by the test, whose
/// KDC runs in a network namespace of its own, and .NET's NegotiateAuthentication making a Kerberos v5 context with
/// its tickets and keytab, with the MIC, integrity and privacy that krb5, krb5i and krb5p use.
/// </summary>
public sealed class KerberosRealmTests
{
    [KerberosFact]
    public void A_throwaway_realm_gives_NegotiateAuthentication_a_Kerberos_context_with_integrity_and_privacy()
    {
        using var realm = new KerberosRealm();
        string[] lines = realm.Run("kerberos-scenario").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                $"context Completed client=True server=True caller={KerberosRealm.User}@{KerberosRealm.Name} package=Kerberos",
                "mic True",
                "tampered mic False",
                "wrap confidential=True encrypted=True unwrap=Completed equal=True was-encrypted=True plain-inside=False",
                "wrap confidential=False encrypted=False unwrap=Completed equal=True was-encrypted=False plain-inside=True",
            ],
            lines);
    }
}

/// <summary>A test that needs a Kerberos realm of its own (<see cref="KerberosRealm.MissingReason"/>): skipped, with the reason in its name, where it cannot be made; under NETRPC_REQUIRE_NATIVE=1 (CI) it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KerberosFactAttribute : FactAttribute
{
    public KerberosFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        Skipping.Unless(this, KerberosRealm.MissingReason, test, file);
}

/// <summary>A theory that needs a Kerberos realm of its own; see <see cref="KerberosFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KerberosTheoryAttribute : TheoryAttribute
{
    public KerberosTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "") =>
        Skipping.Unless(this, KerberosRealm.MissingReason, test, file);
}
