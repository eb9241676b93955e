using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Binding;

/// <summary>
/// Malformed and oversized requests for an rpcbind: random and truncated datagrams, calls with impossible lengths,
/// a record header announcing 2 GiB, a megabyte of argument, and a half record left hanging. Fixed seed: the same
/// bytes every run. While the half record still hangs, a NULL call over UDP and over TCP must be answered.
/// </summary>
internal static class HostileTraffic
{
    public static async Task<string> SendAsync(IPEndPoint rpcbind)
    {
        var random = new Random(1833);
        var lines = new List<string>();

        using (var udp = new Socket(rpcbind.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            udp.Connect(rpcbind);
            int sent = 0;
            foreach (byte[] datagram in Datagrams(random))
            {
                udp.Send(datagram);
                sent++;
            }

            lines.Add($"udp: {sent} malformed datagrams sent");
        }

        int connections = 0;
        foreach (byte[] stream in Streams(random))
        {
            using var tcp = new Socket(rpcbind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(rpcbind);
            try
            {
                await tcp.SendAsync(stream);
                tcp.Shutdown(SocketShutdown.Send);
                // Whatever it answers (a reply, or a reset), it must not keep the connection waiting forever.
                var sink = new byte[4096];
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (await tcp.ReceiveAsync(sink, SocketFlags.None, timeout.Token) > 0)
                {
                }
            }
            catch (SocketException)
            {
                // Reset by the server: a refusal, which is fine.
            }

            connections++;
        }

        lines.Add($"tcp: {connections} malformed streams sent");

        // A record of which only the header and half the body ever arrive: it must delay nobody.
        using var stalled = new Socket(rpcbind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await stalled.ConnectAsync(rpcbind);
        byte[] half = new byte[4 + 20];
        BinaryPrimitives.WriteUInt32BigEndian(half, 0x80000000u | 40);
        await stalled.SendAsync(half);

        var options = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(5) };
        foreach (bool tcp in new[] { false, true })
        {
            using RpcClient client = tcp ? RpcClient.CreateTcp(rpcbind, Rpcbind.Program, 2, options) : RpcClient.CreateUdp(rpcbind, Rpcbind.Program, 2, options);
            string outcome;
            try
            {
                await client.CallAsync<XdrVoid, XdrVoid>(0, default);
                outcome = "answered";
            }
            catch (RpcException e)
            {
                outcome = e.GetType().Name;
            }

            lines.Add($"NULL over {(tcp ? "tcp" : "udp")} while a half record hangs: {outcome}");
        }

        return string.Join('\n', lines);
    }

    private static IEnumerable<byte[]> Datagrams(Random random)
    {
        for (int i = 0; i < 200; i++)
        {
            byte[] junk = new byte[random.Next(0, 9000)];
            random.NextBytes(junk);
            yield return junk;
        }

        byte[] call = Call(procedure: 3, body: new byte[16]);
        for (int length = 0; length < call.Length; length += 3)
        {
            yield return call[..length]; // truncated everywhere
        }

        yield return WithWord(call, 4 * 7, 0x7FFFFFF0); // credential length far past the end
        yield return WithWord(call, 4 * 2, 3); // RPC version 3
        yield return WithWord(call, 4 * 1, 1); // a REPLY, not a CALL
        yield return Call(procedure: 1, body: Netid(1 << 20)[..8000]); // SET whose netid is longer than the datagram
    }

    private static IEnumerable<byte[]> Streams(Random random)
    {
        byte[] huge = new byte[4 + 64];
        BinaryPrimitives.WriteUInt32BigEndian(huge, 0xFFFFFFFFu); // last fragment of 2 GiB - 1
        yield return huge;

        byte[] junk = new byte[64 * 1024];
        random.NextBytes(junk);
        yield return junk;

        // rpcbind v3 SET with a megabyte-long netid, well framed: refused without taking the megabyte to heart.
        byte[] set = Call(procedure: 1, body: Netid(1 << 20), version: 3);
        yield return Record(set);

        // Many empty fragments, then nothing.
        yield return [.. Enumerable.Range(0, 1000).SelectMany(_ => new byte[] { 0, 0, 0, 0 })];
    }

    private static byte[] Call(uint procedure, byte[] body, uint version = 2)
    {
        byte[] call = new byte[40 + body.Length];
        Span<byte> words = call;
        BinaryPrimitives.WriteUInt32BigEndian(words, 0x5EED);
        BinaryPrimitives.WriteUInt32BigEndian(words[4..], 0); // CALL
        BinaryPrimitives.WriteUInt32BigEndian(words[8..], 2); // RPC version
        BinaryPrimitives.WriteUInt32BigEndian(words[12..], Rpcbind.Program);
        BinaryPrimitives.WriteUInt32BigEndian(words[16..], version);
        BinaryPrimitives.WriteUInt32BigEndian(words[20..], procedure);
        // AUTH_NONE credential and verifier: flavor 0, length 0 (words 6 to 9 stay zero).
        body.CopyTo(call, 40);
        return call;
    }

    private static byte[] Netid(int length)
    {
        byte[] body = new byte[8 + 4 + length];
        BinaryPrimitives.WriteUInt32BigEndian(body, RpcbindScenario.TestProgram);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), (uint)length);
        body.AsSpan(12).Fill((byte)'t');
        return body;
    }

    private static byte[] WithWord(byte[] message, int offset, uint value)
    {
        byte[] copy = [.. message];
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static byte[] Record(byte[] message)
    {
        byte[] record = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(record, 0x80000000u | (uint)message.Length);
        message.CopyTo(record, 4);
        return record;
    }
}
