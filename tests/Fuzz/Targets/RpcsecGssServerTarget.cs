using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Engine;
using NetRpc.Runtime;
using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// A server's RPCSEC_GSS path (RFC 2203) on hostile calls, in this thread: the dispatcher of a server that takes
/// RPCSEC_GSS, given any message as a UDP datagram. Credentials of every shape, context creation with tokens that are
/// not Kerberos (GSSAPI's acceptor reads them), data and destruction calls naming contexts that do not exist, forged
/// verifiers. Contract: Dispatch throws nothing; its answer is nothing or one reply to the call's XID; no context is
/// kept for a token GSSAPI refused (there is no key to accept one here). With no realm in the fuzzing process, the MIC
/// and unwrap of an existing context are fuzzed by the Kerberos tests' hostile messages instead.
/// </summary>
internal sealed class RpcsecGssServerTarget : IFuzzTarget
{
    private const int MaxInputLength = 16 * 1024;
    private const uint Program = 0x2000_6055;

    private readonly CallDispatcher _dispatcher;
    private readonly PooledBufferWriter _output = new(64 * 1024);
    private readonly SocketAddress _from = new IPEndPoint(IPAddress.Loopback, 700).Serialize();
    private long _replies;
    private long _dropped;

    public RpcsecGssServerTarget()
    {
        _dispatcher = new CallDispatcher(new RpcServerOptions { RpcsecGss = new RpcsecGssServerOptions { MaxContexts = 8 } }, NullLogger.Instance, new RpcServerMetrics(null));
        _dispatcher.Add(new RpcProgramBuilder(Program, 1, "FUZZ").AddProcedure<XdrVoid, XdrVoid>(1, "ONE", (_, _) => ValueTask.FromResult(default(XdrVoid))).Build());
        Seeds = [.. SeedCalls()];
    }

    public string Name => "rpcsec-gss-server";

    public string Contract => "Dispatch of an RPCSEC_GSS call throws nothing and answers nothing or one reply to its XID; refused tokens keep no context";

    public IReadOnlyList<byte[]> Seeds { get; }

    public IMutator Mutator { get; } = new ByteMutator(MaxInputLength);

    /// <summary>1 s an input (GSSAPI's acceptor on a bad token takes microseconds); memory as a decoder's, plus a reply buffer.</summary>
    public Budget Budget { get; } = new(TimeSpan.FromSeconds(1), 64, 256 * 1024);

    public int HealthInterval => 1000;

    public string Notes => string.Create(CultureInfo.InvariantCulture, $"replies {_replies}, dropped {_dropped}");

    public long Run(byte[] input)
    {
        _output.Reset();
        var site = new CallSite { Transport = RpcTransport.Udp, Address = _from, AddressBytes = _from.Buffer.Span[.._from.Size], SourceBytes = _from.Buffer.Span[4..8] };
        DispatchOutcome outcome = _dispatcher.Dispatch(input, site, _output, out PendingReply? pending);
        if (pending is not null)
        {
            throw new InvalidOperationException("a synchronous procedure left its reply pending");
        }

        if (outcome == DispatchOutcome.Replied)
        {
            _replies++;
            ReadOnlySpan<byte> reply = _output.WrittenSpan;
            if (reply.Length < 12 || input.Length < 4 || !reply[..4].SequenceEqual(input.AsSpan(0, 4)) || BinaryPrimitives.ReadUInt32BigEndian(reply[4..]) != 1)
            {
                throw new InvalidOperationException($"the answer is not a reply to the call's XID ({reply.Length} bytes)");
            }
        }
        else
        {
            _dropped++;
        }

        return 0;
    }

    public string? CheckHealth() =>
        _dispatcher.GssContexts == 0 ? null : $"{_dispatcher.GssContexts} contexts are kept, though no token could be accepted here";

    public void Dispose() => _output.Dispose();

    /// <summary>Calls of each control procedure and service, with tokens, handles and verifiers of the right shapes.</summary>
    private static IEnumerable<byte[]> SeedCalls()
    {
        byte[] handle = [0xC0, 0xFF, 0xEE, 0x42, 1, 2, 3, 4];
        byte[] token = [0x60, 0x82, 0x02, 0x00, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00, .. new byte[48]]; // a krb5 AP-REQ's start
        byte[] mic = [0x04, 0x04, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. new byte[20]]; // an RFC 4121 MIC token's shape
        foreach (GssProcedure control in new[] { GssProcedure.Init, GssProcedure.ContinueInit })
        {
            var credential = new GssCredential(control, 0, RpcsecGssService.Integrity, control == GssProcedure.Init ? ReadOnlyMemory<byte>.Empty : handle);
            yield return Call(1, 0, credential.ToOpaqueAuth(), OpaqueAuth.None, [.. Words((uint)token.Length), .. token]);
        }

        foreach (RpcsecGssService service in new[] { RpcsecGssService.None, RpcsecGssService.Integrity, RpcsecGssService.Privacy })
        {
            var credential = new GssCredential(GssProcedure.Data, 5, service, handle);
            byte[] body = service == RpcsecGssService.None ? [] : [.. Words(4, 5), .. Words((uint)mic.Length), .. mic];
            yield return Call(2, 1, credential.ToOpaqueAuth(), new OpaqueAuth(AuthFlavor.RpcsecGss, mic), body);
        }

        yield return Call(3, 0, new GssCredential(GssProcedure.Destroy, 6, RpcsecGssService.None, handle).ToOpaqueAuth(), new OpaqueAuth(AuthFlavor.RpcsecGss, mic), []);
    }

    private static byte[] Call(uint xid, uint procedure, OpaqueAuth credential, OpaqueAuth verifier, byte[] body)
    {
        var message = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new XdrWriter(message);
        new CallHeader(xid, Program, 1, procedure, credential, verifier).Encode(ref writer);
        writer.WriteFixedOpaque(body, body.Length);
        writer.Flush();
        return message.WrittenSpan.ToArray();
    }

    private static byte[] Words(params uint[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
