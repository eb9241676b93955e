namespace NetRpc.Runtime;

/// <summary>The transports ONC RPC runs on (RFC 5531 sections 10 and 11).</summary>
public enum RpcTransport
{
    /// <summary>TCP: a connection, messages in records.</summary>
    Tcp,

    /// <summary>UDP: one message per datagram.</summary>
    Udp,
}
