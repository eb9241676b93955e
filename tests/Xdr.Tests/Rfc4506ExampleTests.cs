using System.Text;
using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

/// <summary>RFC 4506 section 7: the "file" structure and its 48-byte encoding, byte for byte.</summary>
public class Rfc4506ExampleTests
{
    private const string Encoded =
        "00000009" + // length of filename = 9
        "73696c6c" + // "sill"
        "7970726f" + // "ypro"
        "67000000" + // "g" and three bytes of fill
        "00000002" + // filekind is EXEC = 2
        "00000004" + // length of interpretor = 4
        "6c697370" + // "lisp"
        "00000004" + // length of owner = 4
        "6a6f686e" + // "john"
        "00000006" + // length of file data = 6
        "28717569" + // "(qui"
        "74290000";  // "t)" and two bytes of fill

    private static readonly XFile SillyProg = new("sillyprog", new FileType(FileKind.Exec, Interpretor: "lisp"), "john", Encoding.ASCII.GetBytes("(quit)"));

    [Fact]
    public void Encodes_to_the_rfc_bytes()
    {
        byte[] wire = XdrCodec.EncodeToArray(SillyProg);
        Assert.Equal(48, wire.Length);
        Assert.Equal(Encoded, ToHex(wire));
    }

    [Fact]
    public void Decodes_from_the_rfc_bytes()
    {
        XFile file = XdrCodec.Decode<XFile>(Hex(Encoded));
        Assert.Equal("sillyprog", file.Filename);
        Assert.Equal(FileKind.Exec, file.Type.Kind);
        Assert.Equal("lisp", file.Type.Interpretor);
        Assert.Equal("john", file.Owner);
        Assert.Equal("(quit)", Encoding.ASCII.GetString(file.Data));
    }

    [Fact]
    public void Owner_over_its_maximum_is_refused_both_ways()
    {
        XFile longOwner = SillyProg with { Owner = new string('x', 33) };
        Assert.Throws<ArgumentOutOfRangeException>(() => XdrCodec.EncodeToArray(longOwner));

        byte[] wire = XdrCodec.EncodeToArray(SillyProg with { Owner = new string('x', 32) });
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(wire.AsSpan(28), 33);
        XdrException e = Assert.Throws<XdrException>(() => XdrCodec.Decode<XFile>(wire));
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
        Assert.Equal(28, e.Offset);
    }
}
