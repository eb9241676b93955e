using System.Buffers;
using BenchmarkDotNet.Attributes;
using NetRpc.Bench.Protocol;

namespace NetRpc.Xdr.Benchmarks;

/// <summary>
/// The operations xdr_bench.c measures on the native side, done the NetRpc way: big_struct (488 bytes with
/// 100 ints) encoded into a reused buffer and decoded into a new object, and a 64 KiB opaque&lt;&gt;.
/// Method names match xdr_bench's op names, so the comparison script can pair them.
/// </summary>
[MemoryDiagnoser]
public class XdrBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(128 * 1024);
    private BigStruct _bigStruct = null!;
    private byte[] _bigStructWire = null!;
    private byte[] _blob = null!;

    /// <summary>Builds the inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bigStruct = BigStruct.Sample(100);
        _bigStructWire = XdrCodec.EncodeToArray(_bigStruct);
        if (_bigStructWire.Length != 488)
        {
            throw new InvalidOperationException($"big_struct encodes to {_bigStructWire.Length} bytes, not xdr_bench's 488");
        }

        _blob = new byte[64 * 1024];
        _blob.AsSpan().Fill(0x5a);
    }

    /// <summary>xdr_bench encode_big_struct: encode into a buffer that already exists.</summary>
    [Benchmark]
    public long encode_big_struct()
    {
        _buffer.ResetWrittenCount();
        var writer = new XdrWriter(_buffer);
        _bigStruct.Encode(ref writer);
        writer.Flush();
        return writer.BytesCommitted;
    }

    /// <summary>xdr_bench decode_big_struct: decode into a new value (its string and array allocated), as a stub does.</summary>
    [Benchmark]
    public long decode_big_struct()
    {
        var reader = new XdrReader(_bigStructWire);
        return BigStruct.Decode(ref reader).Sum;
    }

    /// <summary>xdr_bench roundtrip_big_struct: encode, then decode what was written. The "encode+decode" figure.</summary>
    [Benchmark]
    public long roundtrip_big_struct()
    {
        _buffer.ResetWrittenCount();
        var writer = new XdrWriter(_buffer);
        _bigStruct.Encode(ref writer);
        writer.Flush();
        var reader = new XdrReader(_buffer.WrittenSpan);
        return BigStruct.Decode(ref reader).Sum;
    }

    /// <summary>
    /// xdr_bench roundtrip_opaque_blob: a 64 KiB opaque&lt;&gt; encoded, then decoded into a pooled buffer and
    /// released, the .NET counterpart of xdr_bench's malloc and xdr_free of the same size each time.
    /// </summary>
    [Benchmark]
    public int roundtrip_opaque_blob()
    {
        _buffer.ResetWrittenCount();
        var writer = new XdrWriter(_buffer);
        writer.WriteOpaque(_blob);
        writer.Flush();
        var reader = new XdrReader(_buffer.WrittenSpan);
        int length = reader.ReadOpaqueLength();
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        reader.ReadFixedOpaque(rented.AsSpan(0, length));
        int last = rented[length - 1];
        ArrayPool<byte>.Shared.Return(rented);
        return last;
    }

    /// <summary>The same, decoded into a new array each time (no native counterpart: malloc reuses its chunk).</summary>
    [Benchmark]
    public int roundtrip_opaque_blob_new_array()
    {
        _buffer.ResetWrittenCount();
        var writer = new XdrWriter(_buffer);
        writer.WriteOpaque(_blob);
        writer.Flush();
        var reader = new XdrReader(_buffer.WrittenSpan);
        return reader.ReadOpaque()[^1];
    }
}
