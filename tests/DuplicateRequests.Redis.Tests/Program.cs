namespace NetRpc.DuplicateRequests.Redis.Tests;

/// <summary>
/// The test assembly doubles as the server the fleet tests start and kill (<c>fleet-server ...</c>); under
/// <c>dotnet test</c> this is never called.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["fleet-server", .. string[] serverArgs])
        {
            return await FleetServer.RunAsync(serverArgs);
        }

        await Console.Error.WriteLineAsync("usage: NetRpc.DuplicateRequests.Redis.Tests fleet-server ...");
        return 2;
    }
}
