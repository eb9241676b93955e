using System.Runtime.CompilerServices;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>
/// A test that binds reserved ports, so needs root (and setpriv, to run a client without the privilege). Where the
/// process is not root it is skipped, with the reason in its name; where NETRPC_REQUIRE_NATIVE=1 (CI) it runs anyway
/// and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, Privilege.MissingReason, test, file);
    }
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, Privilege.MissingReason, test, file);
    }
}

internal static class Privilege
{
    /// <summary>Why reserved ports cannot be tested here, or null.</summary>
    public static string? MissingReason { get; } =
        !OperatingSystem.IsLinux() ? "reserved ports are tested on Linux"
        : !Environment.IsPrivilegedProcess ? "needs root, to bind reserved ports"
        : NativeToolchain.FindOnPath("setpriv") is null ? "setpriv not installed (apt-get install -y util-linux)"
        : null;
}
