using System.Collections.Concurrent;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>
/// The rpcbinds the comparison tests ask, each in a namespace of its own, made once for all of them: native rpcbind
/// (Debian's /usr/sbin/rpcbind), netrpc-rpcbind, and none at all. With an rpcbind there is a NetRpc server of
/// <see cref="Served"/> versions 1 and 2, and <see cref="Dead"/> registered on TCP and UDP at ports nothing listens on.
/// </summary>
public sealed class Rpcbinds : IDisposable
{
    /// <summary>A program served, versions 1 and 2, TCP and UDP.</summary>
    public const string Served = "536870978";

    /// <summary>A program registered where no server is.</summary>
    public const string Dead = "536870979";

    private readonly ConcurrentDictionary<string, Lazy<Namespace>> _namespaces = new();

    /// <summary>The namespace with <paramref name="kind"/> (native, netrpc, none) running.</summary>
    internal Namespace Of(string kind) => _namespaces.GetOrAdd(kind, k => new Lazy<Namespace>(() => Create(k))).Value;

    public void Dispose()
    {
        foreach (Lazy<Namespace> space in _namespaces.Values.Where(l => l.IsValueCreated))
        {
            space.Value.Dispose();
        }
    }

    private static Namespace Create(string kind)
    {
        string start = kind switch
        {
            "native" => "rpcbind -f & daemon=$!",
            "netrpc" => Namespace.NetRpcbind + " >/dev/null & daemon=$!",
            "none" => string.Empty,
            _ => throw new ArgumentException($"no rpcbind kind '{kind}'", nameof(kind)),
        };
        var space = new Namespace(start);
        try
        {
            if (kind != "none")
            {
                Namespace.WaitFor(() => space.Run("rpcinfo", "-p", "127.0.0.1").ExitCode == 0, $"{kind} rpcbind answering");
                string self = Path.Combine(AppContext.BaseDirectory, "NetRpc.RpcInfo.Tool.Tests.dll");
                Assert.Equal("READY", space.Start(Namespace.Dotnet, self, "serve", Served));
                foreach ((string netId, string address) in new[] { ("tcp", "127.0.0.1.0.9"), ("udp", "127.0.0.1.0.9"), ("tcp6", "::1.0.9") })
                {
                    Outcome set = space.Run(Namespace.Dotnet, self, "set", Dead, "1", netId, address);
                    Assert.True(set.ExitCode == 0, set.ToString());
                }
            }

            return space;
        }
        catch
        {
            space.Dispose();
            throw;
        }
    }
}
