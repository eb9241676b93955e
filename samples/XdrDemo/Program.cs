// XdrDemo: RFC 4506 section 7's example, encoded and decoded with NetRpc.Xdr, then hostile input.
//
//   enum filekind { TEXT = 0, DATA = 1, EXEC = 2 };
//   union filetype switch (filekind kind) {
//   case TEXT: void; case DATA: string creator<MAXNAMELEN>; case EXEC: string interpretor<MAXNAMELEN>;
//   };
//   struct file { string filename<MAXNAMELEN>; filetype type; string owner<MAXUSERNAME>; opaque data<MAXFILELEN>; };
//
// The calls below are the ones generated code makes; a later step of NetRpc generates them from the .x.
using System.Buffers;
using System.Text;
using NetRpc.Xdr;

const uint MaxUserName = 32;
const uint MaxFileLen = 65535;
const uint MaxNameLen = 255;
const int Exec = 2;

var buffer = new ArrayBufferWriter<byte>();
var writer = new XdrWriter(buffer);
writer.WriteString("sillyprog", MaxNameLen);
writer.WriteEnum(Exec);
writer.WriteString("lisp", MaxNameLen);
writer.WriteString("john", MaxUserName);
writer.WriteOpaque("(quit)"u8, MaxFileLen);
writer.Flush();

Console.WriteLine($"RFC 4506 section 7: the file \"sillyprog\" is {buffer.WrittenCount} bytes of XDR:");
Dump(buffer.WrittenSpan);

var reader = new XdrReader(buffer.WrittenSpan);
string filename = reader.ReadString(MaxNameLen);
int kind = reader.ReadEnum();
string interpretor = kind == Exec ? reader.ReadString(MaxNameLen) : throw reader.InvalidEnumValue("filekind", kind);
string owner = reader.ReadString(MaxUserName);
byte[] data = reader.ReadOpaque(MaxFileLen);
reader.EnsureEnd();
Console.WriteLine($"Decoded: filename={filename}, type=EXEC, interpretor={interpretor}, owner={owner}, data={Encoding.ASCII.GetString(data)}");

Console.WriteLine();
Console.WriteLine("Hostile input is refused before anything is allocated:");
byte[] hostile = new byte[100];
hostile[0] = 0xFF;
hostile[1] = 0xFF;
hostile[2] = 0xFF;
hostile[3] = 0xF0;
Refuse("a 100-byte message claiming 4294967280 bytes of opaque data", hostile, (ref XdrReader r) => r.ReadOpaque());
Refuse("an owner of 33 bytes where <32> is declared", [0, 0, 0, 33, .. new byte[36]], (ref XdrReader r) => r.ReadString(MaxUserName));
Refuse("a bool of 2", [0, 0, 0, 2], (ref XdrReader r) => r.ReadBoolean());
Refuse("non-zero padding", [0, 0, 0, 1, (byte)'x', 0, 0, 7], (ref XdrReader r) => r.ReadString());
return 0;

static void Refuse(string what, byte[] input, Read read)
{
    try
    {
        var reader = new XdrReader(input);
        read(ref reader);
        Console.WriteLine($"  {what}: accepted?!");
    }
    catch (XdrException e)
    {
        Console.WriteLine($"  {what}:\n    {e.Message}");
    }
}

static void Dump(ReadOnlySpan<byte> bytes)
{
    for (int offset = 0; offset < bytes.Length; offset += 4)
    {
        ReadOnlySpan<byte> word = bytes.Slice(offset, Math.Min(4, bytes.Length - offset));
        string ascii = string.Concat(word.ToArray().Select(b => b is >= 0x20 and < 0x7F ? (char)b : '.'));
        Console.WriteLine($"  {offset,3}  {Convert.ToHexString(word)}  {ascii}");
    }
}

internal delegate void Read(ref XdrReader reader);
