using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetRpc.Runtime.DuplicateRequests;
using StackExchange.Redis;

namespace NetRpc.DuplicateRequests.Redis;

/// <summary>
/// The duplicate request cache of a fleet of servers, kept on the Redis protocol (Redis, Valkey, Microsoft Garnet):
/// give it to every server as <see cref="Runtime.Server.RpcServerOptions.DuplicateRequestStore"/>.
/// <para>
/// Each call has one record (a string under <see cref="RedisDuplicateRequestStoreOptions.KeyPrefix"/> and the call's
/// <see cref="DuplicateRequestCall.Id"/>). A lookup is one <c>SET NX</c>: it records the call as running on this server
/// unless it is there, atomically on any server of the protocol, so of two servers that get the same call at once one runs
/// it; only when the call was there does a <c>GET</c> follow, to read its record. The reply is
/// written when the call is answered, pipelined behind the reply rather than waited for. A record names the server that
/// made it; each server keeps a lease (a key that expires after <see cref="RedisDuplicateRequestStoreOptions.LeaseTime"/>
/// unless renewed), so a call found running on a server whose lease is gone was interrupted by its death: it is refused
/// SYSTEM_ERR, not run again (it may have run). Every command touches one key, so it works on Redis Cluster too. The
/// rare paths (taking over a dead server's call for a program that runs interrupted calls again, forgetting a call that
/// gave no reply) are compare-and-set scripts: on Microsoft Garnet, run it with <c>--lua --lua-transaction-mode</c>, as
/// its scripts are not atomic otherwise.
/// </para>
/// <para>
/// What is read back is checked whole (format, lengths, and the call's full identity, not only its hash): a record that
/// is damaged, or names another call, is answered as interrupted, logged and counted; it never runs a call twice nor
/// delivers another caller's reply. Whoever can write to the store can still make calls be refused or answered falsely:
/// protect it as you protect the servers (a password, TLS, a network of its own).
/// </para>
/// </summary>
public sealed partial class RedisDuplicateRequestStore : DuplicateRequestStore, IAsyncDisposable
{
    /// <summary>The meter of the store's own instruments.</summary>
    public const string MeterName = "NetRpc.DuplicateRequests.Redis";

    // KEYS[1] the call's record; ARGV[1] the record of a dead server's running call, ARGV[2] this server's running record,
    // ARGV[3] how long that lives (ms). Replaced only when it is still the dead server's (or gone); otherwise what is there.
    private const string TakeOverScript = """
        local record = redis.call('GET', KEYS[1])
        if record and record ~= ARGV[1] then return record end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return false
        """;

    // KEYS[1] the call's record; ARGV[1] the running record this server wrote. Deleted only when it is still that one.
    private const string AbandonScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly object _startLock = new();
    private Task<IDatabase>? _ready;
    private IConnectionMultiplexer? _redis;
    private readonly RedisDuplicateRequestStoreOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _owner;
    private readonly string _ownerText;
    private readonly RedisKey _lease;
    private readonly Counter<long> _problems;
    private readonly CancellationTokenSource _stopping = new();

    // Outcomes written or being written: a reply to store, or a record to forget. One that could not be written (the store
    // was down) stays here and is written again with each renewal of the lease, and this server answers the call's
    // retransmissions from it meanwhile, so that nothing it answered is lost. Bounded by the calls a server runs at once:
    // while the store is down no new call is recorded.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<UInt128, Outcome> _unwritten = new();
    private volatile Task _renewal = Task.CompletedTask;

    /// <summary>
    /// A store that connects to <see cref="RedisDuplicateRequestStoreOptions.Configuration"/> when first asked, and again
    /// after a failed attempt (meanwhile lookups fail, and the programs' policy decides): what dependency injection makes
    /// (<see cref="RedisDuplicateRequestStoreServiceCollectionExtensions"/>). <see cref="ConnectAsync"/> connects at once.
    /// </summary>
    /// <param name="options">Where the store is, and how the fleet uses it.</param>
    /// <param name="loggerFactory">Where problems are logged.</param>
    /// <param name="meterFactory">Where the store's instruments are made.</param>
    public RedisDuplicateRequestStore(RedisDuplicateRequestStoreOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(ConnectFunction(options), ownsConnection: true, options, loggerFactory, meterFactory)
    {
    }

    private RedisDuplicateRequestStore(Func<Task<IConnectionMultiplexer>> connect, bool ownsConnection, RedisDuplicateRequestStoreOptions options, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        _connect = connect;
        _ownsConnection = ownsConnection;
        _options = options;
        _logger = loggerFactory?.CreateLogger("NetRpc.DuplicateRequests.Redis") ?? NullLogger.Instance;
        _ownerText = Guid.NewGuid().ToString("N");
        _owner = System.Text.Encoding.ASCII.GetBytes(_ownerText);
        _lease = LeaseKey(_ownerText);
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _problems = meter.CreateCounter<long>(
            "rpc.server.duplicate_request_store.problems",
            "{event}",
            "What went wrong with the shared store, by kind: damaged (a record that cannot be read), foreign (a record of another call under the call's key), write_failed (a reply or a forgetting not written), lease_failed (the server's lease not renewed)");
    }

    /// <summary>This server's id in the store (its records' owner, its lease's name): new for every store made.</summary>
    public string ServerId => _ownerText;

    /// <summary>Connects to the store that <see cref="RedisDuplicateRequestStoreOptions.Configuration"/> names, and takes this server's lease.</summary>
    /// <param name="options">Where the store is, and how the fleet uses it.</param>
    /// <param name="loggerFactory">Where problems are logged.</param>
    /// <param name="meterFactory">Where the store's instruments are made.</param>
    /// <param name="cancellationToken">Abandons the connection.</param>
    /// <returns>The store, owning its connection.</returns>
    /// <exception cref="RedisConnectionException">The store cannot be reached.</exception>
    public static async Task<RedisDuplicateRequestStore> ConnectAsync(RedisDuplicateRequestStoreOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        var store = new RedisDuplicateRequestStore(options, loggerFactory, meterFactory);
        try
        {
            await store.ReadyAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A store over a connection the application owns (and disposes after the store), taking this server's lease.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="options">How the fleet uses the store; null for the defaults.</param>
    /// <param name="loggerFactory">Where problems are logged.</param>
    /// <param name="meterFactory">Where the store's instruments are made.</param>
    /// <param name="cancellationToken">Abandons taking the lease.</param>
    /// <returns>The store.</returns>
    public static async Task<RedisDuplicateRequestStore> CreateAsync(IConnectionMultiplexer redis, RedisDuplicateRequestStoreOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisDuplicateRequestStoreOptions();
        options.Validate();
        var store = new RedisDuplicateRequestStore(() => Task.FromResult(redis), ownsConnection: false, options, loggerFactory, meterFactory);
        await store.ReadyAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <inheritdoc/>
    public override async ValueTask<DuplicateRequestLookup> BeginAsync(DuplicateRequestCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_unwritten.TryGetValue(call.Id, out Outcome? owed) && owed.Answered)
        {
            // Answered here; the store does not have it yet. (A record of another call under the same id is foreign.)
            return StoreRecord.Classify(owed.Record, call.Identity, _owner, out _, out ReadOnlyMemory<byte> stored) == RecordVerdict.Answered ? DuplicateRequestLookup.Done(stored) : DuplicateRequestLookup.Interrupted;
        }

        Task<IDatabase> ready = ReadyAsync();
        IDatabase database = ready.IsCompletedSuccessfully ? ready.Result : await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        RedisKey key = CallKey(call);
        byte[] running = StoreRecord.ForRunning(_owner, call.Identity);
        byte[]? record = null;
        for (int attempt = 0; record is null; attempt++)
        {
            // SET NX: atomic on every server of the protocol, scripts or not; of servers racing for a call, one records it.
            if (await database.StringSetAsync(key, running, _options.RunningLifetime, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                return DuplicateRequestLookup.New;
            }

            record = (byte[]?)await database.StringGetAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (record is null && attempt == 1)
            {
                // Gone again between the two commands (forgotten, expired), twice: as if running; the client will retry.
                return DuplicateRequestLookup.Running;
            }
        }

        DuplicateRequestLookup lookup = await InterpretAsync(call, record, database, cancellationToken).ConfigureAwait(false);
        if (lookup.Status != DuplicateRequestStatus.Interrupted || !call.RunAgainIfInterrupted || !RunningElsewhere(call, record))
        {
            return lookup; // a damaged or foreign record is never taken over: whose it is, and what it did, is unknown
        }

        // Its server died, and the program runs such calls again: take the record over, unless another server took it first.
        RedisResult found = await database.ScriptEvaluateAsync(TakeOverScript, [key], [record, running, RunningLifetimeMs]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return found.IsNull ? DuplicateRequestLookup.New : await InterpretAsync(call, (byte[]?)found ?? [], database, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a record read back says of a call: answered, running on a live server, or of unknown fate.</summary>
    private async ValueTask<DuplicateRequestLookup> InterpretAsync(DuplicateRequestCall call, byte[] record, IDatabase database, CancellationToken cancellationToken)
    {
        switch (StoreRecord.Classify(record, call.Identity, _owner, out ReadOnlyMemory<byte> owner, out ReadOnlyMemory<byte> reply))
        {
            case RecordVerdict.Damaged:
                _problems.Add(1, new KeyValuePair<string, object?>("kind", "damaged"));
                LogDamaged(_logger, call.Xid, record.Length);
                return DuplicateRequestLookup.Interrupted;
            case RecordVerdict.Foreign:
                _problems.Add(1, new KeyValuePair<string, object?>("kind", "foreign"));
                LogForeign(_logger, call.Xid);
                return DuplicateRequestLookup.Interrupted;
            case RecordVerdict.Answered:
                return DuplicateRequestLookup.Done(reply);
            case RecordVerdict.RunningHere:
                // Running here, or forgotten here while the store was down (then it runs again: the record is already this server's).
                return _unwritten.TryGetValue(call.Id, out Outcome? owed) && !owed.Answered && _unwritten.TryRemove(new(call.Id, owed))
                    ? DuplicateRequestLookup.New
                    : DuplicateRequestLookup.Running;
        }

        // Running on another server: alive (its reply is coming) or dead (the call may have run).
        string ownerText = System.Text.Encoding.ASCII.GetString(owner.Span);
        bool alive = await database.KeyExistsAsync(LeaseKey(ownerText)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return alive ? DuplicateRequestLookup.Running : DuplicateRequestLookup.Interrupted;
    }

    private bool RunningElsewhere(DuplicateRequestCall call, byte[] record) => StoreRecord.Classify(record, call.Identity, _owner, out _, out _) == RecordVerdict.RunningElsewhere;

    private long RunningLifetimeMs => (long)_options.RunningLifetime.TotalMilliseconds;

    /// <inheritdoc/>
    public override void Complete(DuplicateRequestCall call, ReadOnlySpan<byte> reply)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (reply.Length > _options.MaxReplyBytes)
        {
            Abandon(call);
            return;
        }

        Settle(new Outcome(call, StoreRecord.ForAnswered(_owner, call.Identity, reply), answered: true));
    }

    /// <inheritdoc/>
    public override void Abandon(DuplicateRequestCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Settle(new Outcome(call, StoreRecord.ForRunning(_owner, call.Identity), answered: false));
    }

    /// <summary>
    /// Stops renewing this server's lease and gives it up, so calls it left running are known as interrupted at once;
    /// closes the connection when the store made it. Dispose after the server has stopped.
    /// </summary>
    /// <returns>When done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task<IDatabase>? ready;
        lock (_startLock)
        {
            ready = _ready;
        }

        if (ready is { IsCompletedSuccessfully: true })
        {
            try
            {
                await WriteOwedAsync(ready.Result).ConfigureAwait(false);
                await ready.Result.KeyDeleteAsync(_lease).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogLeaseFailed(_logger, e);
            }
        }
        else if (ready is not null)
        {
            await ((Task)ready).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_ownsConnection && _redis is { } redis)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>The database once connected and this server's lease taken; a failed attempt is tried again at the next call.</summary>
    private Task<IDatabase> ReadyAsync()
    {
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = StartAsync();
            }

            return _ready;
        }
    }

    private async Task<IDatabase> StartAsync()
    {
        _redis ??= await _connect().ConfigureAwait(false);
        IDatabase database = _redis.GetDatabase(_options.Database);

        // The lease must exist before the first record names this server, or another would take its calls for interrupted.
        await RenewLeaseAsync(database).ConfigureAwait(false);
        _renewal = RenewWhileRunningAsync(database);
        return database;
    }

    private static Func<Task<IConnectionMultiplexer>> ConnectFunction(RedisDuplicateRequestStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            throw new ArgumentException("Say where the store is (Configuration).", nameof(options));
        }

        ConfigurationOptions configuration = ConfigurationOptions.Parse(options.Configuration);

        // While the store is unreachable, a lookup fails at once and the program's policy decides (SYSTEM_ERR, or a run
        // without at-most-once): queueing it would only hold the call until its client gave up.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return async () => await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    private Task RenewLeaseAsync(IDatabase database) => database.StringSetAsync(_lease, 1, _options.LeaseTime);

    private async Task RenewWhileRunningAsync(IDatabase database)
    {
        using var timer = new PeriodicTimer(_options.LeaseTime / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await RenewLeaseAsync(database).ConfigureAwait(false);
                    await WriteOwedAsync(database).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Calls this server runs meanwhile may be refused elsewhere as interrupted: never run twice.
                    _problems.Add(1, new KeyValuePair<string, object?>("kind", "lease_failed"));
                    LogLeaseFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Settle(Outcome outcome)
    {
        _unwritten[outcome.Call.Id] = outcome;
        Task<IDatabase> ready = ReadyAsync();
        if (ready.IsCompletedSuccessfully)
        {
            _ = WriteAsync(outcome, ready.Result);
        }
    }

    /// <summary>Writes an outcome; it stays owed when the write fails, and is written again at the next renewal of the lease.</summary>
    private async Task WriteAsync(Outcome outcome, IDatabase database)
    {
        if (Interlocked.Exchange(ref outcome.Writing, 1) != 0)
        {
            return;
        }

        try
        {
            RedisKey key = CallKey(outcome.Call);
            if (outcome.Answered)
            {
                await database.StringSetAsync(key, outcome.Record, _options.ReplyLifetime).ConfigureAwait(false);
            }
            else
            {
                await database.ScriptEvaluateAsync(AbandonScript, [key], [outcome.Record]).ConfigureAwait(false);
            }

            _unwritten.TryRemove(new(outcome.Call.Id, outcome));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _problems.Add(1, new KeyValuePair<string, object?>("kind", "write_failed"));
            LogWriteFailed(_logger, e, outcome.Call.Xid);
        }
        finally
        {
            Volatile.Write(ref outcome.Writing, 0);
        }
    }

    /// <summary>Writes again what could not be written.</summary>
    private async Task WriteOwedAsync(IDatabase database)
    {
        foreach (Outcome outcome in _unwritten.Values)
        {
            await WriteAsync(outcome, database).ConfigureAwait(false);
        }
    }

    private RedisKey CallKey(DuplicateRequestCall call) => _options.KeyPrefix + "call:" + call.Id.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private RedisKey LeaseKey(string owner) => _options.KeyPrefix + "server:" + owner;

    [LoggerMessage(1, LogLevel.Error, "The duplicate request store holds a damaged record ({Length} bytes) for xid {Xid}: refused SYSTEM_ERR, as a call that may have run")]
    private static partial void LogDamaged(ILogger logger, uint xid, int length);

    [LoggerMessage(2, LogLevel.Error, "The duplicate request store holds another call's record under the key of xid {Xid}: refused SYSTEM_ERR, as a call that may have run")]
    private static partial void LogForeign(ILogger logger, uint xid);

    [LoggerMessage(3, LogLevel.Warning, "The outcome of xid {Xid} could not be written to the duplicate request store; this server keeps it, answers its retransmissions, and writes it again with its lease")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, uint xid);

    [LoggerMessage(4, LogLevel.Warning, "This server's lease in the duplicate request store could not be renewed; others may refuse its running calls as interrupted")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception);

    /// <summary>What this server owes the store for a call it recorded: its answered record to write, or its running record to forget.</summary>
    private sealed class Outcome(DuplicateRequestCall call, byte[] record, bool answered)
    {
        public DuplicateRequestCall Call { get; } = call;

        public byte[] Record { get; } = record;

        /// <summary>True: <see cref="Record"/> is the answer to write; false: the running record to delete if it is still there.</summary>
        public bool Answered { get; } = answered;

        /// <summary>1 while a write of it is under way.</summary>
        public int Writing;
    }
}
