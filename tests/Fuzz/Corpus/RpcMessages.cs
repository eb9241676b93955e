using System.Buffers;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Corpus;

/// <summary>
/// RPC messages encoded by NetRpc's own message and rpcbind codecs: calls of every rpcbind procedure with AUTH_NONE
/// and AUTH_SYS credentials, and replies of every accept and reject status. They complement the captured traffic
/// (Seeds/*.hex) with the cases a well-behaved peer rarely sends.
/// </summary>
internal static class RpcMessages
{
    private static readonly OpaqueAuth[] s_credentials =
    [
        OpaqueAuth.None,
        new AuthSysParameters { Stamp = 0x5EED, MachineName = "fuzzhost", Uid = 1000, Gid = 1000, Gids = [4, 24, 27] }.ToCredential(),
        new AuthSysParameters { MachineName = "", Uid = 0, Gid = 0, Gids = [.. Enumerable.Range(1, 16).Select(i => (uint)i)] }.ToCredential(),
        new OpaqueAuth(AuthFlavor.Short, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }),
    ];

    public static byte[] Call(uint xid, uint program, uint version, uint procedure, OpaqueAuth credential, ReadOnlySpan<byte> arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        new CallHeader(xid, program, version, procedure, credential, OpaqueAuth.None).Encode(ref writer);
        writer.Flush();
        buffer.Write(arguments);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Reply(in ReplyHeader header, ReadOnlySpan<byte> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        header.Encode(ref writer);
        writer.Flush();
        buffer.Write(results);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One record of <paramref name="fragments"/> fragments (RFC 5531 section 11); fragments past the message's length are empty.</summary>
    public static byte[] Record(byte[] message, int fragments = 1)
    {
        var output = new List<byte>();
        int size = (message.Length + fragments - 1) / Math.Max(1, fragments);
        for (int i = 0, at = 0; i < fragments; i++)
        {
            int length = Math.Min(size, message.Length - at);
            uint header = (uint)length | (i == fragments - 1 ? 0x8000_0000u : 0);
            output.AddRange([(byte)(header >> 24), (byte)(header >> 16), (byte)(header >> 8), (byte)header]);
            output.AddRange(message.AsSpan(at, length));
            at += length;
        }

        return [.. output];
    }

    /// <summary>A call of every rpcbind procedure of versions 2, 3 and 4, with realistic arguments, under each credential.</summary>
    public static IEnumerable<byte[]> RpcbindCalls()
    {
        uint xid = 0x1000;
        foreach (OpaqueAuth credential in s_credentials)
        {
            foreach ((uint version, uint procedure, byte[] arguments) in RpcbindArguments())
            {
                yield return Call(xid++, Rpcbind.Program, version, procedure, credential, arguments);
            }
        }
    }

    /// <summary>Replies of every kind: results after SUCCESS, version ranges, auth errors, and a verifier with a body.</summary>
    public static IEnumerable<byte[]> Replies()
    {
        byte[] mappings = XdrCodec.EncodeToArray(new RpcbMappingList
        {
            Mapping = Mapping("tcp", "0.0.0.0.0.111"),
            Next = new RpcbMappingList { Mapping = Mapping("udp6", "::.0.111") },
        });
        byte[][] results = [[], [0, 0, 0, 1], Text("127.0.0.1.8.1"), mappings];
        uint xid = 0x2000;
        foreach (byte[] result in results)
        {
            yield return Reply(ReplyHeader.Accepted(xid++, AcceptStatus.Success), result);
        }

        foreach (AcceptStatus status in Enum.GetValues<AcceptStatus>())
        {
            yield return Reply(ReplyHeader.Accepted(xid++, status, 2, 4), []);
        }

        yield return Reply(ReplyHeader.RpcMismatch(xid++), []);
        foreach (AuthStatus status in Enum.GetValues<AuthStatus>())
        {
            yield return Reply(ReplyHeader.AuthError(xid++, status), []);
        }

        yield return Reply(ReplyHeader.Accepted(xid++, AcceptStatus.Success) with { Verifier = new OpaqueAuth(AuthFlavor.Short, new byte[] { 9, 8, 7, 6 }) }, [0, 0, 0, 0]);
    }

    /// <summary>The credentials and verifiers of <paramref name="calls"/> and of the calls above, as opaque_auth structures, and the bodies of the AUTH_SYS ones.</summary>
    public static IEnumerable<byte[]> Credentials(IEnumerable<byte[]> calls)
    {
        var seen = new HashSet<string>();
        foreach (byte[] call in calls.Concat(RpcbindCalls()))
        {
            var reader = new XdrReader(call);
            if (CallHeader.TryDecode(ref reader, out CallHeader header) != CallDecodeResult.Ok)
            {
                continue;
            }

            foreach (OpaqueAuth auth in new[] { header.Credential, header.Verifier })
            {
                byte[] encoded = Encode((ref XdrWriter w) => auth.Encode(ref w));
                if (seen.Add(Convert.ToHexString(encoded)))
                {
                    yield return encoded;
                    if (auth.Flavor == AuthFlavor.Sys)
                    {
                        yield return auth.Body.ToArray();
                    }
                }
            }
        }
    }

    private static IEnumerable<(uint Version, uint Procedure, byte[] Arguments)> RpcbindArguments()
    {
        byte[] portMapping = XdrCodec.EncodeToArray(new PortMapping { Prog = 100003, Vers = 3, Protocol = 6, Port = 2049 });
        byte[] remoteCall = XdrCodec.EncodeToArray(new RemoteCall { Prog = 100003, Vers = 3, Proc = 0, Arguments = [0, 0, 0, 0] });
        byte[] mapping = XdrCodec.EncodeToArray(Mapping("tcp", "127.0.0.1.8.1"));
        byte[] mapping6 = XdrCodec.EncodeToArray(Mapping("udp6", "::1.8.1"));
        byte[] netbuf = XdrCodec.EncodeToArray(new Netbuf { Maxlen = 16, Buf = [0, 2, 0, 111, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] });

        yield return (2, 0, []);
        for (uint procedure = 1; procedure <= 3; procedure++)
        {
            yield return (2, procedure, portMapping);
        }

        yield return (2, 4, []);
        yield return (2, 5, remoteCall);
        foreach (uint version in new uint[] { 3, 4 })
        {
            yield return (version, 0, []);
            for (uint procedure = 1; procedure <= 3; procedure++)
            {
                yield return (version, procedure, mapping);
                yield return (version, procedure, mapping6);
            }

            yield return (version, 4, []);
            yield return (version, 5, remoteCall);
            yield return (version, 6, []);
            yield return (version, 7, Text("127.0.0.1.0.111"));
            yield return (version, 8, netbuf);
        }

        yield return (4, 9, mapping);
        yield return (4, 10, remoteCall);
        yield return (4, 11, mapping);
        yield return (4, 12, []);
    }

    private static RpcbMapping Mapping(string netId, string address) =>
        new() { Prog = 100003, Vers = 3, Netid = netId, Address = address, Owner = "superuser" };

    private static byte[] Text(string text) => Encode((ref XdrWriter w) => w.WriteString(text));

    private delegate void Writes(ref XdrWriter writer);

    private static byte[] Encode(Writes write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
