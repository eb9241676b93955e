using NetRpc.Fuzz.Corpus;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// A call as a server reads it: <see cref="CallHeader.TryDecode"/> reports malformed headers through its result and
/// throws nothing; an AUTH_SYS credential then goes through <see cref="AuthSysParameters.TryParse"/>, which answers
/// null for a bad one and throws nothing either.
/// </summary>
internal sealed class RpcCallTarget : DecoderTarget
{
    public override string Name => "rpc-call";

    public override string Contract => "CallHeader.TryDecode and AuthSysParameters.TryParse: no exception";

    public override IReadOnlyList<byte[]> Seeds { get; } = [.. SeedFiles.Hex("calls"), .. RpcMessages.RpcbindCalls()];

    public override long Run(byte[] input)
    {
        var reader = new XdrReader(input);
        if (CallHeader.TryDecode(ref reader, out CallHeader header) == CallDecodeResult.Ok && header.Credential.Flavor == AuthFlavor.Sys)
        {
            _ = AuthSysParameters.TryParse(header.Credential.Body.Span);
        }

        return 0;
    }
}
