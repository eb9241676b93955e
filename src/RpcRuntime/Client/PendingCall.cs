using System.Threading.Tasks.Sources;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Client;

/// <summary>A call sent and not yet answered. Whoever removes it from its client's table completes it, exactly once.</summary>
internal abstract class PendingCall
{
    public uint Xid { get; set; }

    public RpcClient? Client { get; init; }

    /// <summary>TCP: the connection the call went out on; when it breaks, its calls fail, or are sent again on the next (<see cref="RpcClientOptions.RetryOnConnectionLoss"/>).</summary>
    public object? Channel { get; set; }

    /// <summary>TCP with <see cref="RpcClientOptions.RetryOnConnectionLoss"/>: the call's record, kept to be sent again on a new connection.</summary>
    public byte[]? Record { get; set; }

    public uint Procedure { get; init; }

    /// <summary>The credential the call was sent with: it judges the reply's verifier.</summary>
    public required NetRpc.Runtime.Auth.RpcCredential Credential { get; init; }

    /// <summary>When the call times out (<see cref="Environment.TickCount64"/>).</summary>
    public long Deadline { get; init; }

    public TimeSpan Timeout { get; init; }

    public long Started { get; init; }

    /// <summary>The call's span, when someone listens to the <c>NetRpc</c> activity source.</summary>
    public System.Diagnostics.Activity? Activity { get; init; }

    public CancellationTokenRegistration Cancellation { get; set; }

    /// <summary>An RPCSEC_GSS call: the context it was sealed with and its sequence numbers; null for other flavors.</summary>
    public NetRpc.Runtime.Auth.GssCallState? Gss { get; set; }

    /// <summary>UDP: the datagram, kept for retransmission (not pooled: the timer may be sending it while the reply arrives).</summary>
    public byte[]? Datagram { get; set; }

    /// <summary>
    /// Sent again on a timer until answered: every UDP call, and a TCP call once it has been resent after a reconnect
    /// (the server may have dropped it as a duplicate of itself still running, whose reply went to the broken connection).
    /// </summary>
    public bool RetransmitOnTimer { get; set; }

    /// <summary>Calls that <see cref="RetransmitOnTimer"/>: when to send again, and the wait after that.</summary>
    public long NextRetransmit { get; set; }

    public long RetransmitInterval { get; set; }

    /// <summary>Reads the reply body (after the XID and message type) and completes the call; <paramref name="message"/> is the whole reply, which <paramref name="reader"/> reads.</summary>
    public abstract void Complete(ref XdrReader reader, ReadOnlyMemory<byte> message, RpcClient client);

    public abstract void Fail(Exception exception);
}

internal sealed class PendingCall<TResult> : PendingCall, IValueTaskSource<TResult>
    where TResult : IXdrCodec<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;

    public PendingCall(bool runContinuationsAsynchronously) => _core.RunContinuationsAsynchronously = runContinuationsAsynchronously;

    public short Version => _core.Version;

    public override void Complete(ref XdrReader reader, ReadOnlyMemory<byte> message, RpcClient client)
    {
        TResult result;
        try
        {
            ReplyHeader header = ReplyHeader.DecodeBody(ref reader, Xid);
            uint? sequence = null;
            Exception? failure = client.FailureOf(header, Procedure, Credential);
            if (Gss is { } gss)
            {
                failure = gss.Check(header, client, out sequence) ?? failure;
            }

            if (failure is not null)
            {
                client.Finished(this, RpcClient.Outcome(failure));
                Fail(failure);
                return;
            }

            if (Gss is { Session.Service: not NetRpc.Runtime.Auth.RpcsecGssService.None } sealedCall)
            {
                // krb5i and krb5p: the results are checksummed or encrypted, with the call's sequence number inside.
                if (sealedCall.Session.OpenResults(message[(int)reader.Position..], sequence!.Value) is not { } plain)
                {
                    failure = new RpcAuthenticationException(AuthStatus.InvalidResponse, "the results' checksum or encryption does not hold");
                    client.Finished(this, RpcClient.Outcome(failure));
                    Fail(failure);
                    return;
                }

                var opened = new XdrReader(plain.Span);
                result = TResult.Decode(ref opened);
            }
            else
            {
                result = TResult.Decode(ref reader);
            }
        }
        catch (XdrException e)
        {
            client.Finished(this, "PROTOCOL_ERROR");
            Fail(new RpcProtocolException($"RPC: Can't decode result: {e.Message}", e));
            return;
        }

        client.Finished(this, "SUCCESS");
        _core.SetResult(result);
    }

    public override void Fail(Exception exception) => _core.SetException(exception);

    public TResult GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
