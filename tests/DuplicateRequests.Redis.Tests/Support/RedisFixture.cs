namespace NetRpc.DuplicateRequests.Redis.Tests.Support;

/// <summary>One server of the Redis protocol for a test class (each test keeps to its own key prefix); none where it is missing.</summary>
public abstract class StoreServerFixture : IAsyncLifetime
{
    private readonly string? _missingReason;
    private readonly Func<Task<RedisServer>> _start;
    private RedisServer? _server;

    private protected StoreServerFixture(string? missingReason, Func<Task<RedisServer>> start)
    {
        _missingReason = missingReason;
        _start = start;
    }

    internal RedisServer Server => _server ?? throw new InvalidOperationException(_missingReason);

    public async Task InitializeAsync()
    {
        if (_missingReason is null)
        {
            _server = await _start();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Debian's redis-server for a test class.</summary>
public sealed class RedisFixture() : StoreServerFixture(RedisServer.MissingReason, () => RedisServer.StartAsync());

/// <summary>Microsoft Garnet for a test class.</summary>
public sealed class GarnetFixture() : StoreServerFixture(RedisServer.GarnetMissingReason, RedisServer.StartGarnetAsync);
