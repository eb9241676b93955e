using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;

namespace NetRpc.RpcInfo.Tool.Tests;

/// <summary>
/// netrpc-rpcinfo run in this process, against NetRpc's rpcbind on a port of its own, and against peers that answer
/// junk or nothing, on loopback: what the native comparisons cannot provoke. The messages expected of silent peers
/// are native rpcinfo's, as seen against a peer that accepts and never answers.
/// </summary>
public sealed class InProcessTests : IAsyncLifetime
{
    private RpcbindServer _rpcbind = null!;

    public Task InitializeAsync()
    {
        _rpcbind = RpcbindServer.Start(new RpcbindServerOptions { Port = 0, Address = IPAddress.Loopback, LocalSocketPath = null });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _rpcbind.DisposeAsync();

    private static RpcInfoSettings Settings(params int[] ports) => new()
    {
        LocalSocket = null,
        Ports = ports,
        Names = ServiceNames.BuiltIn(),
        RpcbindTimeout = TimeSpan.FromSeconds(1),
        LookupTimeout = TimeSpan.FromSeconds(1),
        PingTimeout = TimeSpan.FromSeconds(1),
    };

    private static async Task<Outcome> RunAsync(RpcInfoSettings settings, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await RpcInfo.RunAsync(args, settings, output, error);
        return new Outcome(output.ToString(), error.ToString(), exit);
    }

    [Fact]
    public async Task Lists_the_portmapper_table_of_an_rpcbind()
    {
        int port = _rpcbind.TcpEndPoint.Port;
        Outcome run = await RunAsync(Settings(port), "-p", "127.0.0.1");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("   program vers proto   port  service", lines[0]);
        Assert.Contains($"    100000    2   tcp{port,7}  portmapper", lines);
        Assert.Contains($"    100000    2   udp{port,7}  portmapper", lines);
    }

    [Fact]
    public async Task Finds_rpcbind_on_the_next_port_when_the_first_refuses()
    {
        int closed = ClosedPort();
        Outcome run = await RunAsync(Settings(closed, _rpcbind.TcpEndPoint.Port), "-s", "127.0.0.1");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Matches(@"^ +100000  2,3,4 +udp,tcp +portmapper +superuser$", run.Output.Split('\n')[1]);
    }

    [Fact]
    public async Task Pings_each_version_the_program_mismatch_reveals()
    {
        Outcome run = await RunAsync(Settings(_rpcbind.TcpEndPoint.Port), "-T", "udp", "127.0.0.1", "rpcbind");
        Assert.Equal(("", 0), (run.Error, run.ExitCode));
        Assert.Equal("program 100000 version 2 ready and waiting\nprogram 100000 version 3 ready and waiting\nprogram 100000 version 4 ready and waiting\n", run.Output);
    }

    [Theory]
    [InlineData("-T udp 127.0.0.1", "rpcinfo: can't contact rpcbind: : RPC: Timed out\n")]
    [InlineData("-m 127.0.0.1", "rpcinfo: can't contact rpcbind: : RPC: Timed out\n")]
    [InlineData("-p 127.0.0.1", "127.0.0.1: RPC: Timed out\n")]
    [InlineData("-u 127.0.0.1 100000 2", "127.0.0.1: RPC: Timed out\n")]
    [InlineData("-T udp 127.0.0.1 100000 2", "rpcinfo: RPC: Timed out\n")]
    [InlineData("-T tcp 127.0.0.1 100000 2", "rpcinfo: RPC: Timed out\n")]
    public async Task A_silent_rpcbind_is_a_timeout_in_native_words(string command, string message)
    {
        using Silent silent = new();
        Outcome run = await RunAsync(Settings(silent.Port), command.Split(' '));
        Assert.Equal((message, "", 1), (run.Error, run.Output, run.ExitCode));
    }

    [Theory]
    [InlineData("-T tcp 127.0.0.1", "truncated")]
    [InlineData("-T udp 127.0.0.1", "truncated")]
    [InlineData("-T tcp 127.0.0.1", "huge string")]
    [InlineData("-T udp 127.0.0.1", "not a reply")]
    [InlineData("-m 127.0.0.1", "truncated")]
    [InlineData("-l 127.0.0.1 100000 2", "huge string")]
    public async Task A_malformed_reply_is_a_clear_error_not_a_crash(string command, string junk)
    {
        using var hostile = new Hostile(junk);
        RpcInfoSettings settings = Settings(hostile.Port);
        Outcome run = await RunAsync(settings, command.Split(' '));
        Assert.Equal(1, run.ExitCode);
        string expected = junk == "not a reply" ? "rpcinfo: can't contact rpcbind: : RPC: Timed out\n" : "rpcinfo: can't contact rpcbind: : RPC: Can't decode result\n";
        Assert.Equal(expected, run.Error);
        Assert.Equal("", run.Output);
    }

    [Theory]
    [InlineData("-px", "rpcinfo: invalid option -- 'x'")]
    [InlineData("-p -s", "")]
    [InlineData("-a 127.0.0.1.0.111 100000", "")]
    [InlineData("-l 127.0.0.1 100000", "")]
    [InlineData("-T", "rpcinfo: option requires an argument -- 'T'")]
    [InlineData("--version", "rpcinfo: invalid option -- '-'\nrpcinfo: invalid option -- 'v'\nrpcinfo: invalid option -- 'e'\nrpcinfo: invalid option -- 'r'\nrpcinfo: invalid option -- 'i'\nrpcinfo: invalid option -- 'o'\nrpcinfo: option requires an argument -- 'n'")]
    public async Task A_bad_command_line_prints_getopts_complaint_and_the_usage(string command, string complaint)
    {
        Outcome run = await RunAsync(Settings(ClosedPort()), command.Split(' '));
        string usage = string.Join('\n', RpcInfoCommandLine.Usage) + "\n";
        Assert.Equal((complaint.Length > 0 ? complaint + "\n" + usage : usage, "", 1), (run.Error, run.Output, run.ExitCode));
    }

    [Theory]
    [InlineData(new[] { "-Ttcp", "h", "1" }, "ProgramPing", "tcp", new[] { "h", "1" })]
    [InlineData(new[] { "-T", "udp", "-T", "tcp", "h", "1", "2" }, "ProgramPing", "tcp", new[] { "h", "1", "2" })]
    [InlineData(new[] { "h", "-pT", "udp" }, "PortmapperDump", "udp", new[] { "h" })]
    [InlineData(new[] { "-s", "--", "-h" }, "RpcbindDumpShort", null, new[] { "-h" })]
    [InlineData(new[] { "@file" }, "RpcbindDump", null, new[] { "@file" })]
    public void Parses_rpcinfos_syntax(string[] args, string function, string? netId, string[] operands)
    {
        ParseOutcome parsed = RpcInfoCommandLine.Parse(args, "rpcinfo");
        Assert.Empty(parsed.Errors);
        Assert.Equal((function, netId), (parsed.Invocation!.Function.ToString(), parsed.Invocation.NetId));
        Assert.Equal(operands, parsed.Invocation.Operands);
    }

    [Fact]
    public void Names_come_from_etc_rpc_and_the_built_in_table_stands_in_for_it()
    {
        ServiceNames names = ServiceNames.Parse(["# comment", "portmapper\t100000\tportmap sunrpc rpcbind", "nfs 100003 nfsprog  # trailing", "nfs3 100003", "bad line"]);
        Assert.Equal(("portmapper", "nfs", null), (names.NameOf(100000), names.NameOf(100003), names.NameOf(100005)));
        Assert.True(names.TryGetNumber("nfsprog", out uint nfs) && nfs == 100003);
        Assert.False(names.TryGetNumber("bad", out _));

        ServiceNames missing = ServiceNames.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "rpc"));
        Assert.Equal(("portmapper", "mountd", "nlockmgr"), (missing.NameOf(100000), missing.NameOf(100005), missing.NameOf(100021)));
        Assert.True(missing.TryGetNumber("rpcbind", out uint rpcbind) && rpcbind == 100000);
    }

    /// <summary>A port on loopback that nothing listens on (bound and closed again).</summary>
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A peer on loopback, TCP and UDP on one port, that takes every call and answers none.</summary>
    private sealed class Silent : IDisposable
    {
        private readonly Socket _tcp = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        public Silent()
        {
            _tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_tcp.LocalEndPoint!).Port;
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            _tcp.Listen(); // connections queue in the backlog, never answered
        }

        public int Port { get; }

        public void Dispose()
        {
            _tcp.Dispose();
            _udp.Dispose();
        }
    }

    /// <summary>
    /// A peer on loopback, TCP and UDP on one port, that answers each call with the call's XID and junk: a successful
    /// reply cut short, one with a string that claims two gigabytes, or bytes that are no reply.
    /// </summary>
    private sealed class Hostile : IDisposable
    {
        private readonly Socket _tcp = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _junk;

        public Hostile(string junk)
        {
            _junk = junk;
            _tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_tcp.LocalEndPoint!).Port;
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            _tcp.Listen();
            _ = ServeTcpAsync();
            _ = ServeUdpAsync();
        }

        public int Port { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _tcp.Dispose();
            _udp.Dispose();
            _stop.Dispose();
        }

        private byte[] Reply(ReadOnlySpan<byte> call)
        {
            uint xid = BinaryPrimitives.ReadUInt32BigEndian(call);
            var reply = new List<uint> { xid };
            switch (_junk)
            {
                case "truncated":
                    reply.AddRange([1, 0, 0, 0, 0, 1, 100000]); // REPLY, ACCEPTED, null verifier, SUCCESS, then a list cut short
                    break;
                case "huge string":
                    reply.AddRange([1, 0, 0, 0, 0, 1, 100000, 2, 0x7FFFFFF0]); // an entry whose first string claims ~2 GiB
                    break;
                default:
                    reply.AddRange([7, 7, 7]); // neither CALL nor REPLY
                    break;
            }

            byte[] bytes = new byte[reply.Count * 4];
            for (int i = 0; i < reply.Count; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), reply[i]);
            }

            return bytes;
        }

        private async Task ServeUdpAsync()
        {
            byte[] buffer = new byte[9000];
            try
            {
                while (true)
                {
                    SocketReceiveFromResult received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    await _udp.SendToAsync(Reply(buffer.AsSpan(0, received.ReceivedBytes)), received.RemoteEndPoint, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeTcpAsync()
        {
            try
            {
                while (true)
                {
                    Socket connection = await _tcp.AcceptAsync(_stop.Token);
                    _ = Task.Run(async () =>
                    {
                        using (connection)
                        {
                            byte[] buffer = new byte[9000];
                            int read = 0;
                            while (read < 8 && await connection.ReceiveAsync(buffer.AsMemory(read), _stop.Token) is int n and > 0)
                            {
                                read += n; // the record mark and the XID are all this peer reads
                            }

                            byte[] reply = Reply(buffer.AsSpan(4));
                            byte[] record = new byte[4 + reply.Length];
                            BinaryPrimitives.WriteUInt32BigEndian(record, 0x80000000u | (uint)reply.Length);
                            reply.CopyTo(record, 4);
                            await connection.SendAsync(record, _stop.Token);
                            await connection.ReceiveAsync(buffer, _stop.Token); // keep it open until the client closes
                        }
                    });
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
