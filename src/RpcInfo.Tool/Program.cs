// netrpc-rpcinfo: rpcinfo's commands and output, for hosts without a native rpcinfo (README.md).
using NetRpc.RpcInfo.Tool;

try
{
    return await RpcInfo.RunAsync(args, RpcInfoSettings.ForThisHost(), Console.Out, Console.Error);
}
catch (Exception e)
{
    // A bug of this tool, not a failure of the network (those are reported in rpcinfo's words): one line, no stack trace.
    Console.Error.WriteLine($"rpcinfo: internal error: {e.GetType().Name}: {e.Message}");
    return 1;
}
