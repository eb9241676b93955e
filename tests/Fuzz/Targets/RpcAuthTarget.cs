using NetRpc.Fuzz.Corpus;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The authentication decoders on any bytes: <see cref="OpaqueAuth.Decode"/> and <see cref="AuthSysParameters.Decode"/>
/// (which document <see cref="XdrException"/>), and <see cref="AuthSysParameters.TryParse"/> and RPCSEC_GSS's
/// <see cref="GssCredential.TryDecode"/> (which throw nothing).
/// </summary>
internal sealed class RpcAuthTarget : DecoderTarget
{
    public override string Name => "rpc-auth";

    public override string Contract => "OpaqueAuth.Decode, AuthSysParameters.Decode: XdrException; AuthSysParameters.TryParse, GssCredential.TryDecode: none";

    public override IReadOnlyList<byte[]> Seeds { get; } =
    [
        .. RpcMessages.Credentials(SeedFiles.Hex("calls")),
        new GssCredential(GssProcedure.Init, 0, RpcsecGssService.None, ReadOnlyMemory<byte>.Empty).ToOpaqueAuth().Body.ToArray(),
        new GssCredential(GssProcedure.Data, 17, RpcsecGssService.Privacy, new byte[] { 0, 0, 0, 1, 0xC0, 0xFF, 0xEE, 0x42 }).ToOpaqueAuth().Body.ToArray(),
    ];

    public override long Run(byte[] input)
    {
        try
        {
            var reader = new XdrReader(input);
            _ = OpaqueAuth.Decode(ref reader);
        }
        catch (XdrException)
        {
        }

        try
        {
            var reader = new XdrReader(input);
            _ = AuthSysParameters.Decode(ref reader);
        }
        catch (XdrException)
        {
        }

        _ = AuthSysParameters.TryParse(input);
        _ = GssCredential.TryDecode(input, out _);
        return 0;
    }
}
