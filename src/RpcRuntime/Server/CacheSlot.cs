using Microsoft.Extensions.Logging;
using NetRpc.Runtime.Diagnostics;
using NetRpc.Runtime.DuplicateRequests;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Server;

/// <summary>
/// Where a call's outcome is kept for its retransmissions: the server's own cache (with the key it was recorded under),
/// the fleet's shared store, or nowhere (<see cref="None"/>).
/// </summary>
internal readonly struct CacheSlot
{
    private readonly DuplicateRequestCache? _cache;
    private readonly DuplicateRequestCache.Key _key;
    private readonly SharedRecord? _shared;

    public CacheSlot(DuplicateRequestCache cache, in DuplicateRequestCache.Key key)
    {
        _cache = cache;
        _key = key;
    }

    public CacheSlot(DuplicateRequestStore store, DuplicateRequestCall call, ILogger logger) => _shared = new SharedRecord(store, call, logger);

    public static CacheSlot None => default;

    /// <summary>The shared store holds a record of the call that this server must settle (it found it new, or interrupted).</summary>
    public void Recorded()
    {
        if (_shared is not null)
        {
            _shared.Recorded = true;
        }
    }

    /// <summary>Whether <see cref="Complete"/> keeps the reply anywhere.</summary>
    public bool KeepsReplies => _cache is not null || _shared is { Recorded: true };

    /// <summary>Keeps the reply, from its XID on.</summary>
    public void Complete(ReadOnlySpan<byte> reply)
    {
        _cache?.Complete(_key, reply);
        if (_shared is { Recorded: true } shared)
        {
            shared.Settle(reply, complete: true);
        }
    }

    /// <summary>Forgets the call, so that a retransmission runs it.</summary>
    public void Abandon()
    {
        _cache?.Abandon(_key);
        if (_shared is { Recorded: true } shared)
        {
            shared.Settle(default, complete: false);
        }
    }

    /// <summary>
    /// A call's record in a shared store. Settled only when this server made it (a call run without the store, because it
    /// failed and the program fails open, or refused because it failed, leaves the store alone), and at most once.
    /// </summary>
    private sealed class SharedRecord(DuplicateRequestStore store, DuplicateRequestCall call, ILogger logger)
    {
        private int _settled;

        public volatile bool Recorded;

        public void Settle(ReadOnlySpan<byte> reply, bool complete)
        {
            if (Interlocked.Exchange(ref _settled, 1) != 0)
            {
                return;
            }

            try
            {
                if (complete)
                {
                    store.Complete(call, reply);
                }
                else
                {
                    store.Abandon(call);
                }
            }
            catch (Exception e)
            {
                // The reply still goes out; the store's own log says more.
                RpcServerLog.StoreWriteFailed(logger, e, call.Xid);
            }
        }
    }
}

/// <summary>What the shared store said of a call that is not run here: drop it (it runs elsewhere), or send its stored reply.</summary>
internal sealed class SharedStoreAnswer(ReadOnlyMemory<byte>? reply) : ResultWriter
{
    public static SharedStoreAnswer Dropped { get; } = new(null);

    /// <summary>The stored reply, from its XID on; null: no reply.</summary>
    public ReadOnlyMemory<byte>? Reply { get; } = reply;

    public override void Write(ref XdrWriter writer) => throw new InvalidOperationException("A stored reply is written whole, not as results.");
}

/// <summary>Results a handler gave at once, already encoded.</summary>
internal sealed class EncodedResults(byte[] encoded) : ResultWriter
{
    public override void Write(ref XdrWriter writer) => writer.WriteFixedOpaque(encoded, encoded.Length);
}
