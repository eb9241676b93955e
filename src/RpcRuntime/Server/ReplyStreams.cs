using System.Diagnostics;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Server;

/// <summary>The running handler of a streamed procedure, its element type erased: the transport pulls and encodes elements.</summary>
internal abstract class ReplyStream(PooledOpaqueScope arguments) : IAsyncDisposable
{
    /// <summary>The pooled opaque data of an element being written, given back once it is written.</summary>
    public PooledOpaqueScope Written { get; } = new();

    /// <summary>The pooled opaque data of the call's arguments, given back when the stream is disposed.</summary>
    protected PooledOpaqueScope Arguments => arguments;

    /// <summary>Asks the handler for its next element; false when it has no more.</summary>
    public abstract ValueTask<bool> MoveNextAsync();

    /// <summary>Writes the current element, after its TRUE.</summary>
    public abstract void EncodeCurrent(ref XdrWriter writer);

    /// <summary>Disposes the handler's enumerator, then gives the arguments' pooled data back.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// UDP: the whole stream, TRUE and element after element, then FALSE, as the results of one datagram. Past
    /// <paramref name="limit"/> bytes the handler is asked for no more: the reply is too large anyway, and the dispatcher
    /// answers SYSTEM_ERR as for any reply over the datagram limit.
    /// </summary>
    public async Task<ResultWriter> CollectAsync(int limit)
    {
        var collected = new PooledBufferWriter();
        try
        {
            await using (this.ConfigureAwait(false))
            {
                while (collected.WrittenCount <= limit && await MoveNextAsync().ConfigureAwait(false))
                {
                    Encode(collected, more: true);
                }
            }

            Encode(collected, more: false);
            return new Collected(collected);
        }
        catch
        {
            collected.Dispose();
            throw;
        }
    }

    private void Encode(PooledBufferWriter output, bool more)
    {
        var writer = new XdrWriter(output, Written);
        writer.WriteBoolean(more);
        if (more)
        {
            EncodeCurrent(ref writer);
        }

        writer.Flush();
        Written.Dispose();
    }

    private sealed class Collected(PooledBufferWriter bytes) : ResultWriter
    {
        public override void Write(ref XdrWriter writer)
        {
            writer.WriteFixedOpaque(bytes.WrittenSpan, bytes.WrittenCount);
            bytes.Dispose();
        }
    }
}

internal sealed class ReplyStream<TElement>(IAsyncEnumerator<TElement> elements, PooledOpaqueScope arguments) : ReplyStream(arguments)
    where TElement : IXdrCodec<TElement>
{
    public override ValueTask<bool> MoveNextAsync() => elements.MoveNextAsync();

    public override void EncodeCurrent(ref XdrWriter writer) => elements.Current.Encode(ref writer);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await elements.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Arguments.Dispose();
            Written.Dispose();
        }
    }
}

/// <summary>Where a streamed reply's fragments go: a connection, with its own bounds on what may wait for the peer.</summary>
internal interface IStreamSink
{
    /// <summary>
    /// Sends (or queues) record-marked bytes; completes once the connection may take more (its queued reply bytes under
    /// their bound). False when the connection has gone.
    /// </summary>
    ValueTask<bool> SendAsync(ReadOnlyMemory<byte> fragment);
}

/// <summary>
/// A streamed reply on a stream transport: the reply header, then TRUE and an element for each element the handler yields,
/// then FALSE, as one record of fragments of about <see cref="FragmentSize"/> bytes, each sent as soon as it is full or
/// the handler makes the next element wait. Memory stays at a fragment whatever the stream's length, and the handler is
/// asked for more only as the connection takes what was sent.
/// </summary>
internal sealed class StreamedReply(CallDispatcher dispatcher, ReplyStream stream, CallHeader header, RpcProgram program, ProcedureHandler procedure, long started, Activity? activity)
{
    /// <summary>Fragments are sent once they hold this many bytes.</summary>
    public const int FragmentSize = 16 * 1024;

    /// <summary>Writes the reply to <paramref name="sink"/>; false when the connection must close (the reply broke off).</summary>
    public async Task<bool> RunAsync(IStreamSink sink)
    {
        using var chunk = new PooledBufferWriter(FragmentSize + 1024);
        int fragment = RecordMarking.BeginRecord(chunk);
        bool committed = false;
        int elements = 0;
        ValueTask<bool> next = default;
        bool nextPending = false;
        try
        {
            Write(chunk, static (ref XdrWriter w, StreamedReply self) => ReplyHeader.Accepted(self.Xid, AcceptStatus.Success).Encode(ref w));
            while (true)
            {
                next = stream.MoveNextAsync();
                nextPending = true;
                if (!next.IsCompleted && elements > 0)
                {
                    // The handler makes the next element wait: what is ready goes out meanwhile.
                    if (!await SendFragmentAsync(sink, chunk, fragment, last: false).ConfigureAwait(false))
                    {
                        return Broken("the connection closed");
                    }

                    committed = true;
                    elements = 0;
                    fragment = RecordMarking.BeginRecord(chunk);
                }

                nextPending = false;
                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                Write(chunk, static (ref XdrWriter w, StreamedReply self) =>
                {
                    w.WriteBoolean(true);
                    self.Stream.EncodeCurrent(ref w);
                });
                elements++;
                if (chunk.WrittenCount >= FragmentSize)
                {
                    if (!await SendFragmentAsync(sink, chunk, fragment, last: false).ConfigureAwait(false))
                    {
                        return Broken("the connection closed");
                    }

                    committed = true;
                    elements = 0;
                    fragment = RecordMarking.BeginRecord(chunk);
                }
            }

            Write(chunk, static (ref XdrWriter w, StreamedReply _) => w.WriteBoolean(false));
            if (!await SendFragmentAsync(sink, chunk, fragment, last: true).ConfigureAwait(false))
            {
                return Broken("the connection closed");
            }

            dispatcher.Metrics.Called(program.Name, program.Version, procedure.Name, "SUCCESS", started);
            activity?.Stop();
            return true;
        }
        catch (Exception e) when (!committed)
        {
            // Nothing has gone out: the call is answered as any whose handler failed.
            chunk.Reset();
            dispatcher.AnswerFailedStream(chunk, e, header, program, procedure, started, activity);
            return chunk.WrittenCount == 0 || await sink.SendAsync(chunk.WrittenMemory).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RpcServerLog.StreamBroken(dispatcher.Logger, e, program.Name, program.Version, procedure.Name, header.Xid);
            return Broken(e.GetType().Name);
        }
        finally
        {
            try
            {
                if (nextPending)
                {
                    // The connection went while the handler worked on its next element: an async iterator cannot be
                    // disposed in the middle of MoveNextAsync (it would throw, and its finally blocks would never run).
                    // The handler sees CallAborted; its element, if any, goes nowhere.
                    await next.ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                RpcServerLog.HandlerFailed(dispatcher.Logger, e, program.Name, program.Version, procedure.Name, header.Xid);
            }

            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RpcServerLog.HandlerFailed(dispatcher.Logger, e, program.Name, program.Version, procedure.Name, header.Xid);
            }
        }
    }

    private uint Xid => header.Xid;

    private ReplyStream Stream => stream;

    private bool Broken(string why)
    {
        dispatcher.Metrics.Called(program.Name, program.Version, procedure.Name, "STREAM_BROKEN", started);
        activity?.SetStatus(ActivityStatusCode.Error, why);
        activity?.Stop();
        return false;
    }

    private delegate void Encoder(ref XdrWriter writer, StreamedReply self);

    private void Write(PooledBufferWriter chunk, Encoder encode)
    {
        var writer = new XdrWriter(chunk, stream.Written);
        encode(ref writer, this);
        writer.Flush();
        stream.Written.Dispose();
    }

    private static async ValueTask<bool> SendFragmentAsync(IStreamSink sink, PooledBufferWriter chunk, int fragment, bool last)
    {
        RecordMarking.EndFragment(chunk, fragment, last);
        bool sent = await sink.SendAsync(chunk.WrittenMemory).ConfigureAwait(false);
        chunk.Reset();
        return sent;
    }
}
