using System.Buffers;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Auth;

/// <summary>
/// The AUTH_SYS credential (RFC 5531 appendix A): <c>stamp, machinename&lt;255&gt;, uid, gid, gids&lt;16&gt;</c>.
/// It is what Unix RPC clients send; it proves nothing, the server takes it on trust.
/// </summary>
public sealed record AuthSysParameters : IXdrCodec<AuthSysParameters>
{
    /// <summary>The longest machine name, in bytes.</summary>
    public const int MaxMachineNameLength = 255;

    /// <summary>The most supplementary group ids.</summary>
    public const int MaxGids = 16;

    // Machine names are bytes on the wire; an undecodable one is kept readable rather than refused.
    private static readonly XdrReaderOptions s_lenient = new() { ReplaceInvalidUtf8 = true };

    /// <summary>An arbitrary id the caller generates (libtirpc uses the time in seconds).</summary>
    public uint Stamp { get; init; }

    /// <summary>The caller's host name, at most 255 bytes of UTF-8.</summary>
    public string MachineName { get; init; } = string.Empty;

    /// <summary>The caller's effective user id.</summary>
    public uint Uid { get; init; }

    /// <summary>The caller's effective group id.</summary>
    public uint Gid { get; init; }

    /// <summary>Supplementary group ids, at most 16.</summary>
    public IReadOnlyList<uint> Gids { get; init; } = [];

    /// <inheritdoc/>
    public static int MinEncodedSize => 20;

    /// <summary>A credential for this process: its user and group ids, the host name, and the time as the stamp.</summary>
    /// <returns>The parameters; on a system without Unix ids, uid and gid are 65534 (nobody).</returns>
    public static AuthSysParameters ForCurrentProcess()
    {
        (uint uid, uint gid) = UnixIds.Current();
        string host = Environment.MachineName;
        if (System.Text.Encoding.UTF8.GetByteCount(host) > MaxMachineNameLength)
        {
            host = host[..MaxMachineNameLength];
        }

        return new AuthSysParameters { Stamp = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), MachineName = host, Uid = uid, Gid = gid };
    }

    /// <inheritdoc/>
    public static AuthSysParameters Decode(ref XdrReader reader)
    {
        uint stamp = reader.ReadUInt32();
        string name = reader.ReadString(MaxMachineNameLength);
        uint uid = reader.ReadUInt32();
        uint gid = reader.ReadUInt32();
        uint[] gids = reader.ReadUInt32Array(MaxGids);
        return new AuthSysParameters { Stamp = stamp, MachineName = name, Uid = uid, Gid = gid, Gids = gids };
    }

    /// <summary>Reads AUTH_SYS parameters from a credential body, which they must fill exactly.</summary>
    /// <param name="body">The credential body.</param>
    /// <returns>The parameters, or null when the body is not a valid AUTH_SYS credential (the server answers AUTH_BADCRED).</returns>
    public static AuthSysParameters? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new XdrReader(body, s_lenient);
            AuthSysParameters parameters = Decode(ref reader);
            reader.EnsureEnd();
            return parameters;
        }
        catch (XdrException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>More than 16 gids are cut to the first 16, as libtirpc's client does.</remarks>
    public void Encode(ref XdrWriter writer)
    {
        writer.WriteUInt32(Stamp);
        writer.WriteString(MachineName, MaxMachineNameLength);
        writer.WriteUInt32(Uid);
        writer.WriteUInt32(Gid);
        int count = Math.Min(Gids.Count, MaxGids);
        writer.WriteArrayCount(count, MaxGids);
        for (int i = 0; i < count; i++)
        {
            writer.WriteUInt32(Gids[i]);
        }
    }

    /// <summary>The credential these parameters make: flavor AUTH_SYS, body their encoding.</summary>
    /// <returns>The opaque_auth.</returns>
    /// <exception cref="ArgumentException">The machine name is longer than 255 bytes.</exception>
    public OpaqueAuth ToCredential()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        XdrCodec.Encode(this, buffer);
        return new OpaqueAuth(AuthFlavor.Sys, buffer.WrittenMemory.ToArray());
    }
}
