using System.Globalization;
using NetRpc.Bench.Protocol;
using NetRpc.Xdr.Tests.Support;
using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

/// <summary>
/// Byte-for-byte agreement with rpcgen + libtirpc, in both directions: the C program (Interop/xdrcheck.c)
/// encodes the same values and must produce the same bytes; it decodes NetRpc's bytes and must find the
/// same values; NetRpc decodes its bytes and must find them too.
/// </summary>
public class LibtirpcCrossCheckTests(XdrCheckProgram xdrcheck) : IClassFixture<XdrCheckProgram>
{
    [NativeFact]
    public void All_types_agree_with_libtirpc_both_ways()
    {
        var rng = new Random(1995);
        AllTypes[] values = [new AllTypes(), .. Enumerable.Range(0, 600).Select(_ => Samples.AllTypes(rng))];
        CheckBothWays(
            "all_types",
            values,
            v => ValueText.Of(v, quadAsDouble: true),
            v => ValueText.Of(v),
            v => XdrCodec.EncodeToArray(v),
            b => ValueText.Of(XdrCodec.Decode<AllTypes>(b)));
    }

    [NativeFact]
    public void Big_struct_agrees_with_libtirpc_both_ways()
    {
        var rng = new Random(2026);
        BigStruct[] values = [BigStruct.Sample(), new BigStruct(), .. Enumerable.Range(0, 200).Select(_ => Samples.BigStruct(rng))];
        CheckBothWays(
            "big_struct",
            values,
            ValueText.Of,
            ValueText.Of,
            v => XdrCodec.EncodeToArray(v),
            b => ValueText.Of(XdrCodec.Decode<BigStruct>(b)));
    }

    [NativeFact]
    public void Big_struct_sample_is_the_488_bytes_xdr_bench_encodes()
    {
        string native = xdrcheck.Run([ValueText.Of(BigStruct.Sample())], "encode", "big_struct")[0];
        Assert.Equal(488 * 2, native.Length);
        Assert.Equal(native, ToHex(XdrCodec.EncodeToArray(BigStruct.Sample())));
    }

    [NativeFact]
    public void Double_to_quadruple_agrees_with_gcc_float128()
    {
        var rng = new Random(754);
        double[] doubles = [.. Enumerable.Range(0, 8).Select(Samples.SpecialDouble), .. Enumerable.Range(0, 5000).Select(_ => Samples.Double(rng))];
        string[] native = xdrcheck.Run(doubles.Select(DoubleHex).ToArray(), "d2q");
        for (int i = 0; i < doubles.Length; i++)
        {
            Assert.Equal(native[i], "q:" + XdrQuadruple.FromDouble(doubles[i]).Bits.ToString("x32", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// TryConvertToDouble claims exactness precisely when GCC's (double)q converts back to the same q; and
    /// when it claims it, it gives GCC's double.
    /// </summary>
    [NativeFact]
    public void Quadruple_to_double_exactness_agrees_with_gcc_float128()
    {
        var rng = new Random(854);
        XdrQuadruple[] quads = [.. Enumerable.Range(0, 3000).Select(_ => Samples.Quadruple(rng)), .. Enumerable.Range(0, 1000).Select(_ => NearDouble(rng))];
        string[] toDouble = xdrcheck.Run(quads.Select(q => q.Bits.ToString("x32", CultureInfo.InvariantCulture)).ToArray(), "q2d");
        string[] backToQuad = xdrcheck.Run(toDouble, "d2q");
        int exact = 0;
        for (int i = 0; i < quads.Length; i++)
        {
            bool gccExact = backToQuad[i] == "q:" + quads[i].Bits.ToString("x32", CultureInfo.InvariantCulture);
            bool ours = quads[i].TryConvertToDouble(out double d);
            Assert.True(gccExact == ours, $"{quads[i]}: GCC exact {gccExact}, NetRpc exact {ours}");
            if (ours)
            {
                Assert.Equal(toDouble[i], DoubleHex(d));
                exact++;
            }
        }

        Assert.InRange(exact, 1000, quads.Length - 1000);
    }

    private void CheckBothWays<T>(string type, T[] values, Func<T, string> encodeInput, Func<T, string> text, Func<T, byte[]> encode, Func<byte[], string> decodeToText)
    {
        // libtirpc encodes the values: the bytes must be NetRpc's bytes, and NetRpc must read them back.
        string[] nativeHex = xdrcheck.Run(values.Select(encodeInput).ToArray(), "encode", type);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.DoesNotContain("ERROR", nativeHex[i], StringComparison.Ordinal);
            Assert.Equal(nativeHex[i], ToHex(encode(values[i])));
            Assert.Equal(text(values[i]), decodeToText(Convert.FromHexString(nativeHex[i])));
        }

        // libtirpc decodes NetRpc's bytes: it must find the same values and consume every byte.
        string[] nativeText = xdrcheck.Run(values.Select(v => ToHex(encode(v))).ToArray(), "decode", type);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(text(values[i]), nativeText[i]);
        }
    }

    /// <summary>A quadruple one fraction bit away from a double: inexact, unless the bit lands in the double's 52.</summary>
    private static XdrQuadruple NearDouble(Random rng)
    {
        UInt128 bits = XdrQuadruple.FromDouble(Samples.Double(rng)).Bits;
        return XdrQuadruple.FromBits(bits ^ (UInt128.One << rng.Next(0, 112)));
    }

    private static string DoubleHex(double d) => BitConverter.DoubleToUInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture);
}
