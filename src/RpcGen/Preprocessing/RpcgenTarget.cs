namespace NetRpc.RpcGen.Preprocessing;

/// <summary>
/// The outputs rpcgen preprocesses a .x file for, one cpp run each, with the named symbol defined. A file
/// can mean different things to different outputs (<c>#ifdef RPC_HDR</c>); NetRpc preprocesses once and
/// records, for every line, the set of outputs that see it.
/// </summary>
[Flags]
public enum RpcgenTarget : byte
{
    /// <summary>No output sees the line.</summary>
    None = 0,

    /// <summary>The header, <c>p.h</c> (RPC_HDR).</summary>
    Header = 1 << 0,

    /// <summary>The XDR routines, <c>p_xdr.c</c> (RPC_XDR).</summary>
    Xdr = 1 << 1,

    /// <summary>The client stubs, <c>p_clnt.c</c> (RPC_CLNT).</summary>
    Client = 1 << 2,

    /// <summary>The server skeleton, <c>p_svc.c</c> (RPC_SVC).</summary>
    Server = 1 << 3,

    /// <summary>The dispatch table, <c>p_tbl.i</c> (RPC_TBL).</summary>
    Table = 1 << 4,

    /// <summary>The sample server, <c>p_server.c</c> (RPC_SERVER).</summary>
    SampleServer = 1 << 5,

    /// <summary>The sample client, <c>p_client.c</c> (RPC_CLIENT).</summary>
    SampleClient = 1 << 6,

    /// <summary>
    /// NetRpc's C# output (RPC_CSHARP). rpcgen never defines the symbol, so <c>%</c> lines inside
    /// <c>#ifdef RPC_CSHARP</c> reach the C# output alone: that is how a .x file passes C# through.
    /// </summary>
    CSharp = 1 << 7,

    /// <summary>Every output: a line outside any target-dependent conditional.</summary>
    All = Header | Xdr | Client | Server | Table | SampleServer | SampleClient | CSharp,
}
