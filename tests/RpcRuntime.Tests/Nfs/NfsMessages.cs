using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Nfs;

/// <summary>
/// The few NFSv3 and MOUNTv3 messages (RFC 1813) the privileged-port tests send, coded by hand: MNT's path and
/// answer, GETATTR's file handle and the start of its attributes.
/// </summary>
internal static class Nfs3
{
    public const uint MountProgram = 100005;
    public const uint NfsProgram = 100003;
    public const uint Mnt = 1;
    public const uint GetAttr = 1;
}

/// <summary>dirpath (MNT's argument), or any string.</summary>
internal readonly record struct NfsPath(string Value) : IXdrCodec<NfsPath>
{
    public static NfsPath Decode(ref XdrReader reader) => new(reader.ReadString(1024));

    public void Encode(ref XdrWriter writer) => writer.WriteString(Value, 1024);
}

/// <summary>mountres3: a status, and for MNT3_OK the file handle (the flavors are read and dropped).</summary>
internal sealed record MountResult(uint Status, byte[] Handle) : IXdrCodec<MountResult>
{
    public static MountResult Decode(ref XdrReader reader)
    {
        uint status = reader.ReadUInt32();
        if (status != 0)
        {
            return new MountResult(status, []);
        }

        byte[] handle = reader.ReadOpaque(64);
        uint flavors = reader.ReadUInt32();
        for (uint i = 0; i < flavors && i < 64; i++)
        {
            reader.ReadUInt32();
        }

        return new MountResult(0, handle);
    }

    public void Encode(ref XdrWriter writer) => throw new NotSupportedException();
}

/// <summary>nfs_fh3.</summary>
internal sealed record FileHandle(byte[] Data) : IXdrCodec<FileHandle>
{
    public static FileHandle Decode(ref XdrReader reader) => new(reader.ReadOpaque(64));

    public void Encode(ref XdrWriter writer) => writer.WriteOpaque(Data, 64);
}

/// <summary>GETATTR3res: a status, and for NFS3_OK the fattr3 (type and mode kept; the rest read and dropped).</summary>
internal readonly record struct GetAttrResult(uint Status, uint Type, uint Mode) : IXdrCodec<GetAttrResult>
{
    public static GetAttrResult Decode(ref XdrReader reader)
    {
        uint status = reader.ReadUInt32();
        if (status != 0)
        {
            return new GetAttrResult(status, 0, 0);
        }

        uint type = reader.ReadUInt32();
        uint mode = reader.ReadUInt32();
        for (int i = 0; i < 19; i++)
        {
            reader.ReadUInt32(); // nlink, uid, gid, size, used, rdev, fsid, fileid, atime, mtime, ctime (76 bytes)
        }

        return new GetAttrResult(0, type, mode);
    }

    public void Encode(ref XdrWriter writer) => throw new NotSupportedException();
}
