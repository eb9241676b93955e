using System.Runtime.InteropServices;

namespace NetRpc.Runtime.Auth;

/// <summary>The process's effective user and group ids, for AUTH_SYS.</summary>
internal static partial class UnixIds
{
    private const uint Nobody = 65534;

    public static (uint Uid, uint Gid) Current()
    {
        if (OperatingSystem.IsWindows())
        {
            return (Nobody, Nobody);
        }

        try
        {
            return (geteuid(), getegid());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (Nobody, Nobody);
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();
}
