using NetRpc.Fuzz.Corpus;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>A reply as a client reads it: <see cref="ReplyHeader.TryReadStart"/>, then <see cref="ReplyHeader.DecodeBody"/>; both document <see cref="XdrException"/>.</summary>
internal sealed class RpcReplyTarget : DecoderTarget
{
    public override string Name => "rpc-reply";

    public override string Contract => "ReplyHeader.TryReadStart and DecodeBody: XdrException";

    public override IReadOnlyList<byte[]> Seeds { get; } = [.. SeedFiles.Hex("replies"), .. RpcMessages.Replies()];

    public override long Run(byte[] input)
    {
        try
        {
            var reader = new XdrReader(input);
            if (ReplyHeader.TryReadStart(ref reader, out uint xid))
            {
                _ = ReplyHeader.DecodeBody(ref reader, xid);
            }
        }
        catch (XdrException)
        {
        }

        return 0;
    }
}
