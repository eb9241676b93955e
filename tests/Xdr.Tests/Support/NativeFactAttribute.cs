namespace NetRpc.Xdr.Tests.Support;

/// <summary>
/// A test that needs gcc, rpcgen and libtirpc's headers. Where they are missing it is skipped with the
/// reason shown in the test output, never silently passed; where NETRPC_REQUIRE_NATIVE=1 (as .ci/run sets)
/// it runs anyway and fails, so CI cannot skip the cross-check unnoticed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        if (NativeToolchain.MissingReason is { } reason && !NativeToolchain.Required)
        {
            Skip = reason;
        }
    }
}
