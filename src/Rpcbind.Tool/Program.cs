// netrpc-rpcbind: NetRpc's embedded rpcbind as a command, for hosts without a native rpcbind.
//
//   netrpc-rpcbind [-p PORT] [-h ADDRESS] [-i] [-r]
//
//   -p PORT     the port, TCP and UDP (default 111)
//   -h ADDRESS  listen on this address only (default: every IPv6 and IPv4 address)
//   -i          take SET and UNSET from any address, not only this host's loopback (native rpcbind's -i)
//   -r          forward CALLIT, BCAST and INDIRECT over UDP (native rpcbind's -r; off: forwarding amplifies traffic)
//
// It stays in the foreground, prints "READY tcp=PORT udp=PORT" once it serves, and stops on SIGTERM or SIGINT.
// Registrations live in memory only.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetRpc.Runtime.Binding;

var options = new RpcbindServerOptions();
for (int i = 0; i < args.Length; i++)
{
    string? Value() => i + 1 < args.Length ? args[++i] : null;
    switch (args[i])
    {
        case "-p" when int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536:
            options = options with { Port = port };
            break;
        case "-h" when IPAddress.TryParse(Value(), out IPAddress? address):
            options = options with { Address = address };
            break;
        case "-i":
            options = options with { AllowRemoteRegistration = true };
            break;
        case "-r":
            options = options with { ForwardCalls = true };
            break;
        case "--help":
            Console.WriteLine("usage: netrpc-rpcbind [-p PORT] [-h ADDRESS] [-i] [-r]");
            return 0;
        default:
            Console.Error.WriteLine($"netrpc-rpcbind: bad argument '{args[i]}'");
            Console.Error.WriteLine("usage: netrpc-rpcbind [-p PORT] [-h ADDRESS] [-i] [-r]");
            return 2;
    }
}

RpcbindServer server;
try
{
    server = RpcbindServer.Start(options);
}
catch (SocketException e)
{
    Console.Error.WriteLine($"netrpc-rpcbind: cannot serve on port {options.Port}: {e.Message}");
    return 1;
}

await using (server)
{
    var stop = new TaskCompletionSource();
    using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    Console.WriteLine($"READY tcp={server.TcpEndPoint.Port} udp={server.UdpEndPoint.Port}");
    Console.Out.Flush();
    await stop.Task;
}

return 0;
