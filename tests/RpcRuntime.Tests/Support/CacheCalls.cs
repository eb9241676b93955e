using System.Text;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Tests.Support;

/// <summary>Calls as the dispatcher gives them to a <see cref="DuplicateRequestCache"/>: header, caller and arguments.</summary>
internal static class CacheCalls
{
    public const uint Program = 0x20000777;

    private static readonly byte[] Loopback = [127, 0, 0, 1];

    /// <summary>Looks a call up as the dispatcher does; the caller is its address (127.0.0.1 by default) and credential (AUTH_NONE by default).</summary>
    public static DuplicateRequestCache.Lookup Begin(DuplicateRequestCache cache, uint xid, string arguments, out DuplicateRequestCache.Key key, out byte[]? reply, byte[]? address = null, OpaqueAuth credential = default)
    {
        address ??= Loopback;
        Span<byte> identity = stackalloc byte[DuplicateRequestCache.MaxCallerSize];
        address.CopyTo(identity);
        int length = address.Length + DuplicateRequestCache.WriteCredential(credential, identity[address.Length..]);
        var call = new DuplicateRequestCache.CallKey(new CallHeader(xid, Program, 1, 1, credential, OpaqueAuth.None), identity[..length], address.Length, address, Encoding.ASCII.GetBytes(arguments));
        return cache.Begin(call, out key, out reply);
    }

    public static DuplicateRequestCache.Lookup Begin(DuplicateRequestCache cache, uint xid, string arguments, byte[]? address = null, OpaqueAuth credential = default) =>
        Begin(cache, xid, arguments, out _, out _, address, credential);

    /// <summary>Begins a call and stores its reply.</summary>
    public static void Answer(DuplicateRequestCache cache, uint xid, string arguments, byte[] reply, byte[]? address = null, OpaqueAuth credential = default)
    {
        Assert.Equal(DuplicateRequestCache.Lookup.New, Begin(cache, xid, arguments, out DuplicateRequestCache.Key key, out _, address, credential));
        cache.Complete(key, reply);
    }

    /// <summary>An AUTH_SYS credential (RFC 5531 appendix A).</summary>
    public static OpaqueAuth AuthSys(uint uid, uint gid = 100, string machine = "client", uint stamp = 1, params uint[] gids)
    {
        var body = new List<byte>();
        void Word(uint value) => body.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        Word(stamp);
        Word((uint)machine.Length);
        body.AddRange(Encoding.ASCII.GetBytes(machine));
        body.AddRange(new byte[(4 - (machine.Length % 4)) % 4]);
        Word(uid);
        Word(gid);
        Word((uint)gids.Length);
        foreach (uint g in gids)
        {
            Word(g);
        }

        return new OpaqueAuth(AuthFlavor.Sys, body.ToArray());
    }
}
