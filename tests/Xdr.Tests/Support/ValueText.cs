using System.Globalization;
using System.Text;
using NetRpc.Bench.Protocol;
using NetRpc.Xdr.Tests.TestTypes;

namespace NetRpc.Xdr.Tests.Support;

/// <summary>
/// The text form of values that xdrcheck.c reads and writes (its header comment defines it). Because it
/// names every field and every bit, two values are equal exactly when their texts are, so the tests
/// also use it as structural equality.
/// </summary>
internal static class ValueText
{
    /// <param name="value">The value.</param>
    /// <param name="quadAsDouble">Give a quadruple that is exactly a double as that double (d:), so that C converts it with GCC.</param>
    public static string Of(AllTypes value, bool quadAsDouble = false)
    {
        var t = new Tokens();
        t.Add(value.I).Add(value.U).Add(value.H).Add(value.Uh).Add(value.B ? 1 : 0).Add((int)value.C);
        t.Add(value.F).Add(value.D).Add(value.Q, quadAsDouble);
        t.Bytes(value.Fo).Bytes(value.Vo).Bytes(Encoding.UTF8.GetBytes(value.S)).Bytes(value.Us);
        foreach (int x in value.Fa)
        {
            t.Add(x);
        }

        t.Add(value.Va.Length);
        foreach (long x in value.Va)
        {
            t.Add(x);
        }

        t.Add(value.Ua.Length);
        foreach (uint x in value.Ua)
        {
            t.Add(x);
        }

        t.Add(value.Fs.Length);
        foreach (float x in value.Fs)
        {
            t.Add(x);
        }

        t.Add(value.Ds.Length);
        foreach (double x in value.Ds)
        {
            t.Add(x);
        }

        t.Add(value.Bs.Length);
        foreach (bool x in value.Bs)
        {
            t.Add(x ? 1 : 0);
        }

        foreach (Point p in value.FixedPts)
        {
            t.Add(p.X).Add(p.Y);
        }

        t.Add(value.Pts.Length);
        foreach (Point p in value.Pts)
        {
            t.Add(p.X).Add(p.Y);
        }

        if (value.Opt is Point opt)
        {
            t.Add(1).Add(opt.X).Add(opt.Y);
        }
        else
        {
            t.Add(0);
        }

        Shape(t, value.Sh);
        t.Add(value.Shapes.Length);
        foreach (Shape s in value.Shapes)
        {
            Shape(t, s);
        }

        for (Node? n = value.List; n is not null; n = n.Next)
        {
            t.Add(1).Add(n.Value);
        }

        t.Add(0);
        return t.ToString();
    }

    public static string Of(BigStruct value)
    {
        var t = new Tokens();
        t.Add(value.I1).Add(value.I2).Add(value.I3).Add(value.I4).Add(value.H1).Add(value.H2).Add(value.H3);
        t.Bytes(Encoding.UTF8.GetBytes(value.Name));
        t.Add(value.Values.Length);
        foreach (int x in value.Values)
        {
            t.Add(x);
        }

        t.Add(value.Sum);
        return t.ToString();
    }

    private static void Shape(Tokens t, Shape s)
    {
        t.Add((int)s.Kind);
        switch (s.Kind)
        {
            case Color.Red:
                t.Add(s.Radius);
                break;
            case Color.Green or Color.Negative:
                t.Bytes(Encoding.UTF8.GetBytes(s.Label));
                break;
            case Color.Blue:
                break;
            default:
                t.Add(s.Other);
                break;
        }
    }

    private sealed class Tokens
    {
        private readonly List<string> _tokens = [];

        public Tokens Add(long value)
        {
            _tokens.Add(value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public Tokens Add(ulong value)
        {
            _tokens.Add(value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public Tokens Add(float value)
        {
            _tokens.Add(BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture));
            return this;
        }

        public Tokens Add(double value)
        {
            _tokens.Add(BitConverter.DoubleToUInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture));
            return this;
        }

        public Tokens Add(XdrQuadruple value, bool asDouble)
        {
            _tokens.Add(asDouble && value.TryConvertToDouble(out double d)
                ? "d:" + BitConverter.DoubleToUInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture)
                : "q:" + value.Bits.ToString("x32", CultureInfo.InvariantCulture));
            return this;
        }

        public Tokens Bytes(byte[] bytes)
        {
            _tokens.Add(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":" + Xdr.ToHex(bytes));
            return this;
        }

        public override string ToString() => string.Join(' ', _tokens);
    }
}
