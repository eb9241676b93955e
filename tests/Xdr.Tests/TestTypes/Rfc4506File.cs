namespace NetRpc.Xdr.Tests.TestTypes;

// RFC 4506 section 7, "An Example of an XDR Data Description":
//
//   const MAXUSERNAME = 32;  const MAXFILELEN = 65535;  const MAXNAMELEN = 255;
//   enum filekind { TEXT = 0, DATA = 1, EXEC = 2 };
//   union filetype switch (filekind kind) {
//   case TEXT: void;
//   case DATA: string creator<MAXNAMELEN>;
//   case EXEC: string interpretor<MAXNAMELEN>;
//   };
//   struct file {
//     string filename<MAXNAMELEN>; filetype type; string owner<MAXUSERNAME>; opaque data<MAXFILELEN>;
//   };

internal enum FileKind
{
    Text = 0,
    Data = 1,
    Exec = 2,
}

internal sealed record FileType(FileKind Kind, string Creator = "", string Interpretor = "") : IXdrCodec<FileType>
{
    public static FileType Decode(ref XdrReader reader)
    {
        int kind = reader.ReadEnum();
        return kind switch
        {
            (int)FileKind.Text => new FileType(FileKind.Text),
            (int)FileKind.Data => new FileType(FileKind.Data, Creator: reader.ReadString(XFile.MaxNameLen)),
            (int)FileKind.Exec => new FileType(FileKind.Exec, Interpretor: reader.ReadString(XFile.MaxNameLen)),
            _ => throw reader.InvalidEnumValue("filekind", kind),
        };
    }

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteEnum((int)Kind);
        switch (Kind)
        {
            case FileKind.Data:
                writer.WriteString(Creator, XFile.MaxNameLen);
                break;
            case FileKind.Exec:
                writer.WriteString(Interpretor, XFile.MaxNameLen);
                break;
        }
    }
}

internal sealed record XFile(string Filename, FileType Type, string Owner, byte[] Data) : IXdrCodec<XFile>
{
    public const uint MaxUserName = 32;
    public const uint MaxFileLen = 65535;
    public const uint MaxNameLen = 255;

    public static XFile Decode(ref XdrReader reader) => new(
        reader.ReadString(MaxNameLen),
        FileType.Decode(ref reader),
        reader.ReadString(MaxUserName),
        reader.ReadOpaque(MaxFileLen));

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteString(Filename, MaxNameLen);
        Type.Encode(ref writer);
        writer.WriteString(Owner, MaxUserName);
        writer.WriteOpaque(Data, MaxFileLen);
    }
}
