using System.Buffers;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Transports;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// The pieces of a gathered send (issue 15 item 8): a reply buffer that takes pooled data by reference, and the
/// <c>sendmsg</c> that sends the buffer's bytes and the data from where they lie, also when the socket takes them in part.
/// </summary>
public class GatheredSendTests
{
    private static byte[] Bytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes "head", a reference, "middle", a reference, "tail" into a gathering writer; returns the same bytes as one array.</summary>
    private static byte[] Fill(PooledBufferWriter writer, byte[] first, byte[] second)
    {
        byte[] head = Bytes(10, 1), middle = Bytes(7, 2), tail = Bytes(5, 3);
        writer.Write<byte>(head);
        Assert.True(writer.TryWriteByReference(first));
        writer.Write<byte>(middle);
        Assert.True(writer.TryWriteByReference(second));
        writer.Write<byte>(tail);
        return [.. head, .. first, .. middle, .. second, .. tail];
    }

    private static byte[] Concatenate(PooledBufferWriter writer)
    {
        var pieces = new ReadOnlyMemory<byte>[writer.PieceCount];
        int count = writer.GetPieces(pieces);
        return [.. pieces.Take(count).SelectMany(piece => piece.ToArray())];
    }

    [Fact]
    public void Data_taken_by_reference_stays_where_it_lies_until_the_bytes_are_asked_for_as_one_span()
    {
        byte[] first = Bytes(5000, 4), second = Bytes(7000, 5);
        using var writer = new PooledBufferWriter(64, gathering: true);
        byte[] expected = Fill(writer, first, second);

        Assert.True(writer.HasReferences);
        Assert.Equal(expected.Length, writer.WrittenCount);
        Assert.Equal(5, writer.GetPieces(new ReadOnlyMemory<byte>[writer.PieceCount]));
        Assert.Equal(expected, Concatenate(writer));
        Assert.True(writer.Capacity < first.Length); // not copied in

        // A header before the first reference and one between them are written in place; one over data copies it in.
        writer.Written(0, 4).Fill(0xEE);
        expected.AsSpan(0, 4).Fill(0xEE);
        writer.Written(10 + 5000 + 2, 4).Fill(0xDD);
        expected.AsSpan(10 + 5000 + 2, 4).Fill(0xDD);
        Assert.True(writer.HasReferences);
        Assert.Equal(expected, Concatenate(writer));

        Assert.Equal(expected, writer.WrittenSpan.ToArray());
        Assert.False(writer.HasReferences);
        Assert.Equal(expected.Length, writer.WrittenCount);
    }

    [Theory]
    [InlineData(0)]        // before everything
    [InlineData(10)]       // just before the first reference
    [InlineData(5010)]     // just after it
    [InlineData(5012)]     // between the references
    [InlineData(5017)]     // just before the second
    [InlineData(12_017)]   // just after it
    [InlineData(12_020)]   // in the tail
    [InlineData(2_000)]    // inside the first reference
    [InlineData(9_000)]    // inside the second
    public void Truncating_keeps_exactly_the_bytes_before_the_cut(int length)
    {
        byte[] first = Bytes(5000, 6), second = Bytes(7000, 7);
        using var writer = new PooledBufferWriter(64, gathering: true);
        byte[] expected = Fill(writer, first, second);

        writer.Truncate(length);
        Assert.Equal(length, writer.WrittenCount);
        Assert.Equal(expected[..length], Concatenate(writer));
        Assert.Equal(writer.HasReferencesFrom(0), writer.HasReferences);

        writer.Write<byte>([1, 2, 3]);
        Assert.Equal([.. expected[..length], 1, 2, 3], writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Only_a_gathering_writer_takes_references_and_it_disposes_the_scopes_it_holds_when_reset()
    {
        using var plain = new PooledBufferWriter();
        Assert.False(plain.TryWriteByReference(new byte[5000]));

        using var writer = new PooledBufferWriter(gathering: true);
        var scope = new PooledOpaqueScope();
        PooledOpaque value = PooledOpaque.Rent(5000);
        scope.Add(value);
        writer.Write<byte>(new byte[8]);
        Assert.True(writer.TryWriteByReference(value.Memory));
        Assert.False(writer.HasReferencesFrom(9));
        Assert.True(writer.HasReferencesFrom(8));
        writer.Hold(scope);
        _ = value.Memory; // still usable

        writer.Reset();
        Assert.Throws<ObjectDisposedException>(() => value.Memory);
        Assert.Equal(0, writer.WrittenCount);
        Assert.False(writer.HasReferences);
    }

    [Fact]
    public void A_batch_with_many_large_values_copies_those_past_the_reference_limit()
    {
        using var writer = new PooledBufferWriter(gathering: true);
        int taken = 0;
        while (writer.TryWriteByReference(new byte[5000]))
        {
            taken++;
            Assert.True(taken < 1000, "references without limit");
        }

        Assert.InRange(writer.PieceCount, 3, 64); // what one sendmsg takes here
    }

    [Fact]
    public async Task A_gathered_send_that_the_socket_takes_in_part_goes_on_from_where_it_stopped()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await receiver.ConnectAsync(listener.LocalEndPoint!);
        using Socket sender = await listener.AcceptAsync();
        sender.SendBufferSize = 4096;
        sender.Blocking = false;

        ReadOnlyMemory<byte>[] pieces = [Bytes(10, 8), Bytes(100_001, 9), Bytes(7, 10), Bytes(60_000, 11), Bytes(3, 12)];
        byte[] whole = [.. pieces.SelectMany(piece => piece.ToArray())];

        // Nothing is read yet: the socket takes a part only.
        long first = SocketIo.TrySendGathered(sender.SafeHandle, pieces);
        Assert.InRange(first, 1, whole.Length - 1);

        byte[] received = new byte[whole.Length];
        Task reading = Task.Run(async () =>
        {
            for (int at = 0; at < received.Length;)
            {
                at += await receiver.ReceiveAsync(received.AsMemory(at), SocketFlags.None);
            }
        });

        long sent = first;
        int rounds = 1;
        while (sent < whole.Length)
        {
            // What is left: the pieces from the one sent in part on.
            var left = new List<ReadOnlyMemory<byte>>();
            long skip = sent;
            foreach (ReadOnlyMemory<byte> piece in pieces)
            {
                if (skip >= piece.Length)
                {
                    skip -= piece.Length;
                    continue;
                }

                left.Add(piece[(int)skip..]);
                skip = 0;
            }

            long now = SocketIo.TrySendGathered(sender.SafeHandle, [.. left]);
            if (now == 0)
            {
                await Task.Yield(); // full; the reader makes room
            }

            sent += now;
            rounds++;
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(whole, received);
        Assert.True(rounds > 1);
    }
}
