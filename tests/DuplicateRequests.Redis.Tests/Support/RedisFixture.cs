namespace NetRpc.DuplicateRequests.Redis.Tests.Support;

/// <summary>One redis-server for a test class (each test keeps to its own key prefix); none where it is missing.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    internal RedisServer Server => _server ?? throw new InvalidOperationException(RedisServer.MissingReason);

    public async Task InitializeAsync()
    {
        if (RedisServer.MissingReason is null)
        {
            _server = await RedisServer.StartAsync();
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

/// <summary>One Microsoft Garnet for a test class (each test keeps to its own key prefix); none where it is missing.</summary>
public sealed class GarnetFixture : IAsyncLifetime
{
    private RedisServer? _server;

    internal RedisServer Server => _server ?? throw new InvalidOperationException(RedisServer.GarnetMissingReason);

    public async Task InitializeAsync()
    {
        if (RedisServer.GarnetMissingReason is null)
        {
            _server = await RedisServer.StartGarnetAsync();
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
