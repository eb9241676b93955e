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
