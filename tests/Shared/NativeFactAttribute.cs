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
        if ((namespaced ? NativeToolchain.NamespaceMissingReason : NativeToolchain.MissingReason) is { } reason && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]";
        }
    }
}

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="NativeFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeTheoryAttribute : TheoryAttribute
{
    public NativeTheoryAttribute(bool namespaced = false, [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        if ((namespaced ? NativeToolchain.NamespaceMissingReason : NativeToolchain.MissingReason) is { } reason && !NativeToolchain.Required)
        {
            Skip = reason;
            DisplayName = $"{Path.GetFileNameWithoutExtension(file)}.{test} [SKIPPED: {reason}]";
        }
    }
}
