using System.Buffers;
using System.Buffers.Binary;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class PooledOpaqueTests
{
    /// <summary>A message in a shared buffer: a few bytes before it, then opaque data of <paramref name="length"/> bytes.</summary>
    private static (XdrSharedBuffer Buffer, ReadOnlyMemory<byte> Message) Message(int length, int before = 12)
    {
        var buffer = new XdrSharedBuffer(before + 8 + length);
        int padded = (length + 3) & ~3;
        BinaryPrimitives.WriteInt32BigEndian(buffer.Array.AsSpan(before), length);
        for (int i = 0; i < padded; i++)
        {
            buffer.Array[before + 4 + i] = i < length ? (byte)(i * 7) : (byte)0;
        }

        return (buffer, buffer.Array.AsMemory(before, 4 + padded));
    }

    [Fact]
    public void Data_in_a_shared_buffer_is_lent_not_copied_and_holds_the_buffer_until_disposed()
    {
        (XdrSharedBuffer buffer, ReadOnlyMemory<byte> message) = Message(5000);
        var reader = new XdrReader(message, buffer, null);
        PooledOpaque value = reader.ReadPooledOpaque();
        reader.EnsureEnd();

        Assert.Equal(5000, value.Length);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(value.Memory, out ArraySegment<byte> segment));
        Assert.Same(buffer.Array, segment.Array);
        Assert.Equal(12 + 4, segment.Offset);
        Assert.True(buffer.IsLent);

        value.Dispose();
        Assert.False(buffer.IsLent);
        Assert.Throws<ObjectDisposedException>(() => value.Memory);
        Assert.Throws<ObjectDisposedException>(() => value.Equals(PooledOpaque.Wrap(new byte[5000]))); // its bytes may be another message's now
        Assert.Equal("(disposed)", value.ToString());
        value.Dispose(); // twice is harmless: the buffer is not released again
        Assert.False(buffer.IsLent);
        buffer.Release();
    }

    [Theory]
    [InlineData(1, true)] // short: copied, so that a small value kept does not hold a receive buffer
    [InlineData(XdrReader.MinLentLength - 1, true)]
    [InlineData(4096, false)] // no shared buffer given: copied
    public void Data_is_copied_into_a_rented_array_when_it_is_short_or_not_in_a_shared_buffer(int length, bool shared)
    {
        (XdrSharedBuffer buffer, ReadOnlyMemory<byte> message) = Message(length);
        var reader = new XdrReader(message, shared ? buffer : null, null);
        using PooledOpaque value = reader.ReadPooledOpaque();
        Assert.False(buffer.IsLent);
        Assert.Equal(message.Span.Slice(4, length).ToArray(), value.ToArray());
        buffer.Release();
    }

    [Fact]
    public void Values_read_and_written_are_recorded_in_the_scope_and_disposed_with_it()
    {
        (XdrSharedBuffer buffer, ReadOnlyMemory<byte> message) = Message(2000);
        var scope = new PooledOpaqueScope();
        var reader = new XdrReader(message, buffer, scope);
        PooledOpaque read = reader.ReadPooledOpaque();
        PooledOpaque made = PooledOpaque.CopyOf([1, 2, 3]);
        var output = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(output, scope);
        writer.WriteOpaque(read);
        writer.WriteOpaque(made);
        writer.Flush();
        Assert.False(scope.IsEmpty);

        scope.Dispose();
        Assert.True(scope.IsEmpty);
        Assert.False(buffer.IsLent);
        Assert.Throws<ObjectDisposedException>(() => read.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => made.Span.Length);
        Assert.Equal(message.ToArray(), output.WrittenSpan[..message.Length].ToArray());
        Assert.Equal(ToHex(Hex("00000003 01020300")), ToHex(output.WrittenSpan[message.Length..].ToArray()));
        buffer.Release();
    }

    [Fact]
    public void Bad_padding_after_lent_data_gives_the_buffer_back()
    {
        (XdrSharedBuffer buffer, ReadOnlyMemory<byte> message) = Message(1025);
        buffer.Array[12 + 4 + 1025] = 0xff;
        Assert.Throws<XdrException>(() =>
        {
            var reader = new XdrReader(message, buffer, null);
            reader.ReadPooledOpaque();
        });
        Assert.False(buffer.IsLent);
        buffer.Release();
    }

    [Fact]
    public void A_length_over_the_maximum_is_refused_before_anything_is_rented()
    {
        (XdrSharedBuffer buffer, ReadOnlyMemory<byte> message) = Message(4000);
        XdrException e = Assert.Throws<XdrException>(() =>
        {
            var reader = new XdrReader(message, buffer, null);
            reader.ReadPooledOpaque(100);
        });
        Assert.Equal(XdrError.LengthExceedsMaximum, e.Error);
        Assert.False(buffer.IsLent);
        buffer.Release();
    }

    [Fact]
    public void Wrapped_and_empty_values_own_nothing_and_stay_usable_after_dispose()
    {
        byte[] mine = [9, 8, 7];
        PooledOpaque wrapped = PooledOpaque.Wrap(mine);
        wrapped.Dispose();
        Assert.Equal(mine, wrapped.ToArray());
        PooledOpaque.Empty.Dispose();
        Assert.Equal(0, PooledOpaque.Empty.Span.Length);
        Assert.Same(PooledOpaque.Empty, Read(Hex("00000000"), (ref XdrReader r) => r.ReadPooledOpaque()));
    }

    [Fact]
    public void Equality_hash_and_text_are_those_of_the_bytes()
    {
        using PooledOpaque a = PooledOpaque.CopyOf([1, 2, 3]);
        PooledOpaque b = PooledOpaque.Wrap(new byte[] { 1, 2, 3 });
        Assert.Equal(a, b);
        Assert.True(XdrValues.Equal(a, b));
        Assert.False(XdrValues.Equal(a, null));
        Assert.Equal(XdrValues.Hash(new byte[] { 1, 2, 3 }), XdrValues.Hash(a));
        Assert.Equal(XdrValues.Format(new byte[] { 1, 2, 3 }), a.ToString());
        Assert.NotEqual(a, PooledOpaque.Wrap(new byte[] { 1, 2 }));
    }

    [Fact]
    public void A_shared_buffer_released_too_often_says_so()
    {
        var buffer = new XdrSharedBuffer(16);
        buffer.Release();
        Assert.Throws<InvalidOperationException>(buffer.Release);
    }
}
