using System.Runtime.CompilerServices;

namespace NetRpc.Testing;

/// <summary>
/// A test that needs gcc, rpcgen and libtirpc's headers. Where they are missing it is skipped, never
/// silently passed, and the reason is part of its display name, because the default console output of
/// <c>dotnet test</c> lists skipped tests by name only. Where NETRPC_REQUIRE_NATIVE=1 (as .ci/run sets) it
/// runs anyway and fails, so CI cannot skip the cross-check unnoticed. With <c>namespaced: true</c> it also needs
/// a network namespace of its own (root, unshare, ip) and native rpcbind and rpcinfo.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute(bool namespaced = false, [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, namespaced ? NativeToolchain.NamespaceMissingReason : NativeToolchain.MissingReason, test, file);
    }
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="NativeFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeTheoryAttribute : TheoryAttribute
{
    public NativeTheoryAttribute(bool namespaced = false, [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skipping.Unless(this, namespaced ? NativeToolchain.NamespaceMissingReason : NativeToolchain.MissingReason, test, file);
    }
}

/// <summary>How the tests that need something of the machine skip where it is missing.</summary>
internal static class Skipping
{
    /// <summary>
    /// Skips the test when <paramref name="missingReason"/> says what is missing, with the reason in its display name
    /// (the default console output of <c>dotnet test</c> lists skipped tests by name only), unless NETRPC_REQUIRE_NATIVE=1
    /// (CI), where it runs and fails.
    /// </summary>
    public static void Unless(FactAttribute attribute, string? missingReason, string test, string file)
    {
        if (missingReason is { } reason && !NativeToolchain.Required)
        {
            attribute.Skip = reason;
            attribute.DisplayName = $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]";
        }
    }
}
