using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Runtime.Tests.Support;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The wire seen from a raw socket: what the server answers to calls no NetRpc client would send, and what the
/// client makes of replies no NetRpc server would send (played by scripted servers).
/// </summary>
public class WireProtocolTests
{
    private static readonly RpcClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_call_of_another_rpc_version_gets_rpc_mismatch_over_tcp()
    {
        await using var server = new TestServer();
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Wire.Record(Wire.Call(0x1234, TestServer.Program, 1, 0, rpcVersion: 3)));
        byte[] reply = (await Wire.ReadRecordAsync(stream))!;
        // xid, REPLY, MSG_DENIED, RPC_MISMATCH, low 2, high 2 (libtirpc drops such a call without a word)
        Assert.Equal(Wire.Words(0x1234, 1, 1, 0, 2, 2), reply);
    }

    [Fact]
    public async Task A_call_of_another_rpc_version_gets_rpc_mismatch_over_udp()
    {
        await using var server = new TestServer();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server.Udp!);
        socket.Send(Wire.Call(0x99, TestServer.Program, 1, 0, rpcVersion: 1));
        byte[] buffer = new byte[1024];
        int n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Wire.Words(0x99, 1, 1, 0, 2, 2), buffer[..n]);
    }

    [Theory]
    [InlineData(401u)]
    [InlineData(0x7FFF_FFF0u)]
    public async Task An_oversized_credential_gets_auth_error_badcred_and_the_connection_goes_on(uint declaredLength)
    {
        await using var server = new TestServer();
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket);
        byte[] body = new byte[Math.Min(declaredLength, 404u)];
        await stream.WriteAsync(Wire.Record(Wire.Call(7, TestServer.Program, 1, 0, credentialFlavor: 1, credentialBody: body, declaredCredentialLength: declaredLength)));
        // xid, REPLY, MSG_DENIED, AUTH_ERROR, AUTH_BADCRED
        Assert.Equal(Wire.Words(7, 1, 1, 1, 1), await Wire.ReadRecordAsync(stream));

        await stream.WriteAsync(Wire.Record(Wire.Call(8, TestServer.Program, 1, 0)));
        Assert.Equal(Wire.Words(8, 1, 0, 0, 0, 0), await Wire.ReadRecordAsync(stream));
    }

    [Fact]
    public async Task Messages_that_are_not_calls_are_ignored_and_the_connection_goes_on()
    {
        await using var server = new TestServer();
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Wire.Record(Wire.Accepted(5, 0)));      // a reply
        await stream.WriteAsync(Wire.Record([1, 2, 3]));                 // too short for a header
        await stream.WriteAsync(Wire.Record(Wire.Words(6, 9)));          // an unknown message type
        await stream.WriteAsync(Wire.Record(Wire.Call(7, TestServer.Program, 1, 0)));
        Assert.Equal(Wire.Words(7, 1, 0, 0, 0, 0), await Wire.ReadRecordAsync(stream));
    }

    [Fact]
    public async Task A_call_in_several_fragments_including_empty_ones_is_one_call()
    {
        await using var server = new TestServer();
        using Socket socket = await Wire.ConnectAsync(server.Tcp!);
        await using var stream = new NetworkStream(socket);
        byte[] call = Wire.Call(11, TestServer.Program, 1, 1, arguments: Wire.Words(41));
        byte[] fragmented = [.. Wire.Words(0), .. Wire.Words(10), .. call[..10], .. Wire.Words(0), .. Wire.Words(Wire.LastFragment | (uint)(call.Length - 10)), .. call[10..]];
        await stream.WriteAsync(fragmented);
        Assert.Equal(Wire.Accepted(11, 0, 42), await Wire.ReadRecordAsync(stream));
    }

    [Fact]
    public async Task A_reply_of_rpc_mismatch_is_rpc_version_mismatch_exception()
    {
        await using var server = new ScriptedTcpServer(async (_, stream) =>
        {
            byte[] call = (await Wire.ReadRecordAsync(stream))!;
            await stream.WriteAsync(Wire.Record(Wire.Reply(Wire.WordAt(call, 0), 1, 0, 3, 4)));
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Quick);
        var e = await Assert.ThrowsAsync<RpcVersionMismatchException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal((3u, 4u), (e.Low, e.High));
    }

    [Theory]
    [InlineData(AuthStatus.TooWeak)]
    [InlineData(AuthStatus.RejectedVerifier)]
    public async Task A_reply_of_auth_error_carries_its_auth_stat(AuthStatus status)
    {
        await using var server = new ScriptedTcpServer(async (_, stream) =>
        {
            byte[] call = (await Wire.ReadRecordAsync(stream))!;
            await stream.WriteAsync(Wire.Record(Wire.Reply(Wire.WordAt(call, 0), 1, 1, (uint)status)));
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Quick);
        var e = await Assert.ThrowsAsync<RpcAuthenticationException>(async () => await client.CallAsync<XdrVoid, XdrVoid>(0, default));
        Assert.Equal(status, e.Status);
    }

    public static TheoryData<string, uint[]> UndecodableReplies => new()
    {
        { "an unknown reply_stat", [7] },
        { "an unknown accept_stat", [0, 0, 0, 9] },
        { "an unknown reject_stat", [1, 5] },
        { "a verifier longer than 400 bytes", [0, 0, 404] },
        { "SUCCESS without the int result", [0, 0, 0, 0] },
        { "the reply cut after the verifier", [0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(UndecodableReplies))]
    public async Task An_undecodable_reply_is_rpc_protocol_exception(string what, uint[] afterReply)
    {
        Assert.NotEmpty(what);
        await using var server = new ScriptedTcpServer(async (_, stream) =>
        {
            while (await Wire.ReadRecordAsync(stream) is { } call)
            {
                await stream.WriteAsync(Wire.Record(Wire.Reply(Wire.WordAt(call, 0), afterReply)));
            }
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Quick);
        await Assert.ThrowsAsync<RpcProtocolException>(async () => await client.CallAsync<XdrVoid, IntValue>(1, default));
    }

    [Fact]
    public async Task Replies_to_no_call_in_flight_are_ignored()
    {
        await using var server = new ScriptedTcpServer(async (_, stream) =>
        {
            byte[] call = (await Wire.ReadRecordAsync(stream))!;
            uint xid = Wire.WordAt(call, 0);
            await stream.WriteAsync(Wire.Record(Wire.Accepted(xid + 1, 0, 666)));   // a stale XID
            await stream.WriteAsync(Wire.Record(Wire.Call(xid, 1, 1, 1)));           // a call, not a reply
            await stream.WriteAsync(Wire.Record(Wire.Accepted(xid, 0, 42)));
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Quick);
        Assert.Equal(42, (await client.CallAsync<XdrVoid, IntValue>(1, default)).Value);
    }

    [Fact]
    public async Task A_reply_record_over_the_limit_fails_the_calls_and_the_next_call_reconnects()
    {
        await using var server = new ScriptedTcpServer(async (connection, stream) =>
        {
            byte[] call = (await Wire.ReadRecordAsync(stream))!;
            uint xid = Wire.WordAt(call, 0);
            if (connection == 0)
            {
                // Announces 16 MiB: the client must not wait for it, nor allocate it.
                await stream.WriteAsync(Wire.Words(Wire.LastFragment | (16u << 20)));
                await stream.WriteAsync(new byte[4096]);
                await Task.Delay(2000);
            }
            else
            {
                await stream.WriteAsync(Wire.Record(Wire.Accepted(xid, 0, 42)));
                await Wire.ReadRecordAsync(stream);
            }
        });
        await using RpcClient client = RpcClient.CreateTcp(server.EndPoint, 1, 1, Quick with { MaxRecordSize = 64 * 1024 });
        await Assert.ThrowsAsync<RpcProtocolException>(async () => await client.CallAsync<XdrVoid, IntValue>(1, default));
        Assert.Equal(42, (await client.CallAsync<XdrVoid, IntValue>(1, default)).Value);
    }
}
