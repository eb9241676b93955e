namespace NetRpc.Hosting.Tests;

/// <summary>
/// This test assembly is also a program: ClusterTests runs it inside network namespaces of its own
/// (<c>dotnet NetRpc.Hosting.Tests.dll cluster-scenario</c>, which starts <c>cluster-server</c> in three more).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["cluster-scenario"]:
                return await ClusterScenario.RunAsync();
            case ["cluster-server", string number, string address]:
                return await ClusterScenario.ServeAsync(int.Parse(number, System.Globalization.CultureInfo.InvariantCulture), address);
            default:
                await Console.Error.WriteLineAsync("usage: NetRpc.Hosting.Tests cluster-scenario | cluster-server NUMBER ADDRESS (the tests run this themselves)");
                return 2;
        }
    }
}
