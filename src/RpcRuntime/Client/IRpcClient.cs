namespace NetRpc.Runtime.Client;

/// <summary>
/// What an rpcgen-generated client class says of itself, so that code which makes clients (NetRpc.Hosting's client
/// factory) needs no reflection: the program version it calls, its names for telemetry, and how to wrap an
/// <see cref="RpcClient"/>. Generated clients implement it explicitly.
/// </summary>
/// <typeparam name="TSelf">The generated client class.</typeparam>
public interface IRpcClient<TSelf>
    where TSelf : class, IRpcClient<TSelf>
{
    /// <summary>The program number.</summary>
    static abstract uint Program { get; }

    /// <summary>The program version.</summary>
    static abstract uint Version { get; }

    /// <summary>The options with the .x file's program and procedure names added, unless they name them already.</summary>
    /// <param name="options">Options; null means the defaults.</param>
    /// <returns>The options to make the <see cref="RpcClient"/> with.</returns>
    static abstract RpcClientOptions WithNames(RpcClientOptions? options);

    /// <summary>Wraps a client of the program version.</summary>
    /// <param name="client">The client; the wrapper's Dispose disposes it.</param>
    /// <returns>The generated client.</returns>
    static abstract TSelf Create(RpcClient client);
}
