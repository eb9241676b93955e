using NetRpc.Fuzz.Corpus;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The authentication decoders on any bytes: <see cref="OpaqueAuth.Decode"/> and <see cref="AuthSysParameters.Decode"/>
/// (which document <see cref="XdrException"/>), and <see cref="AuthSysParameters.TryParse"/> (which throws nothing).
/// </summary>
internal sealed class RpcAuthTarget : DecoderTarget
{
    public override string Name => "rpc-auth";

    public override string Contract => "OpaqueAuth.Decode, AuthSysParameters.Decode: XdrException; AuthSysParameters.TryParse: none";

    public override IReadOnlyList<byte[]> Seeds { get; } = [.. RpcMessages.Credentials(SeedFiles.Hex("calls"))];

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
        return 0;
    }
}
