using System.Globalization;

namespace NetRpc.Xdr;

/// <summary>
/// An XDR <c>quadruple</c> (RFC 4506 section 4.8): an IEEE 754 binary128 value (1 sign bit, 15 exponent
/// bits, 112 fraction bits), held as its 16 bytes so that it round-trips bit for bit. .NET has no binary128
/// arithmetic; this type carries the value and converts exactly to and from <see cref="double"/>.
/// </summary>
/// <remarks>
/// Equality is bitwise: two NaNs with the same bits are equal, and +0 differs from -0. That is the
/// equality of the wire form, which is what this type represents.
/// </remarks>
public readonly struct XdrQuadruple : IEquatable<XdrQuadruple>
{
    private const int FractionBits = 112;
    private const int ExponentBias = 16383;
    private const int MaxExponent = 0x7FFF;
    private const int DoubleFractionBits = 52;
    private const int DoubleExponentBias = 1023;

    private static readonly UInt128 FractionMask = (UInt128.One << FractionBits) - 1;

    // A double's 52 fraction bits sit at the top of the 112: the low 60 bits are what a double cannot hold.
    private static readonly UInt128 LowFractionMask = (UInt128.One << (FractionBits - DoubleFractionBits)) - 1;

    private readonly UInt128 _bits;

    private XdrQuadruple(UInt128 bits) => _bits = bits;

    /// <summary>Positive zero.</summary>
    public static XdrQuadruple Zero => default;

    /// <summary>Positive infinity.</summary>
    public static XdrQuadruple PositiveInfinity => new((UInt128)MaxExponent << FractionBits);

    /// <summary>Negative infinity.</summary>
    public static XdrQuadruple NegativeInfinity => new(((UInt128)1 << 127) | ((UInt128)MaxExponent << FractionBits));

    /// <summary>The default quiet NaN (the one <see cref="double.NaN"/> converts to).</summary>
    public static XdrQuadruple NaN => FromDouble(double.NaN);

    /// <summary>The 128 bits of the value: bit 127 is the sign, bits 126..112 the biased exponent, bits 111..0 the fraction.</summary>
    public UInt128 Bits => _bits;

    /// <summary>True for a negative value, including -0, -infinity and NaNs with the sign bit set.</summary>
    public bool IsNegative => (_bits >> 127) != 0;

    /// <summary>True for a NaN.</summary>
    public bool IsNaN => Exponent == MaxExponent && (_bits & FractionMask) != 0;

    /// <summary>True for positive or negative infinity.</summary>
    public bool IsInfinity => Exponent == MaxExponent && (_bits & FractionMask) == 0;

    private int Exponent => (int)(_bits >> FractionBits) & MaxExponent;

    /// <summary>The value with the given bits.</summary>
    /// <param name="bits">Sign, exponent and fraction, as in <see cref="Bits"/>.</param>
    /// <returns>The value.</returns>
    public static XdrQuadruple FromBits(UInt128 bits) => new(bits);

    /// <summary>
    /// Converts a <see cref="double"/>; always exact, since binary128 holds every binary64 value. As IEEE 754
    /// requires of a conversion, a signaling NaN becomes quiet (the payload is kept).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The same value as a quadruple.</returns>
    public static XdrQuadruple FromDouble(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        UInt128 sign = (UInt128)(bits >> 63) << 127;
        int exponent = (int)(bits >> DoubleFractionBits) & 0x7FF;
        ulong fraction = bits & ((1UL << DoubleFractionBits) - 1);
        const int Widen = FractionBits - DoubleFractionBits;

        if (exponent == 0x7FF)
        {
            if (fraction != 0)
            {
                fraction |= 1UL << (DoubleFractionBits - 1);
            }

            return new(sign | ((UInt128)MaxExponent << FractionBits) | ((UInt128)fraction << Widen));
        }

        if (exponent == 0)
        {
            if (fraction == 0)
            {
                return new(sign);
            }

            // A subnormal double is fraction * 2^-1074; as a quadruple it is normal: 1.f * 2^(top - 1074).
            int top = 63 - System.Numerics.BitOperations.LeadingZeroCount(fraction);
            int quadExponent = top - 1074 + ExponentBias;
            UInt128 quadFraction = ((UInt128)fraction << (FractionBits - top)) & FractionMask;
            return new(sign | ((UInt128)(uint)quadExponent << FractionBits) | quadFraction);
        }

        int biased = exponent - DoubleExponentBias + ExponentBias;
        return new(sign | ((UInt128)(uint)biased << FractionBits) | ((UInt128)fraction << Widen));
    }

    /// <summary>
    /// Converts to a <see cref="double"/> when that loses nothing: when converting the result back gives these
    /// exact bits. Values with more precision or range than binary64 (and NaNs whose payload does not fit)
    /// are refused rather than rounded.
    /// </summary>
    /// <param name="value">The double, or 0 when the conversion is refused.</param>
    /// <returns>True when <paramref name="value"/> is exactly this quadruple.</returns>
    public bool TryConvertToDouble(out double value)
    {
        value = 0;
        ulong sign = (ulong)(_bits >> 127) << 63;
        UInt128 fraction = _bits & FractionMask;
        int exponent = Exponent;
        ulong candidate;

        if (exponent == MaxExponent)
        {
            candidate = sign | (0x7FFUL << DoubleFractionBits) | (ulong)(fraction >> (FractionBits - DoubleFractionBits));
        }
        else if (exponent == 0)
        {
            // Zero, or a quadruple subnormal (below 2^-16382): far below the smallest double.
            if (fraction != 0)
            {
                return false;
            }

            candidate = sign;
        }
        else
        {
            int unbiased = exponent - ExponentBias;
            if (unbiased > DoubleExponentBias)
            {
                return false;
            }

            if (unbiased >= 1 - DoubleExponentBias)
            {
                if ((fraction & LowFractionMask) != 0)
                {
                    return false;
                }

                candidate = sign | ((ulong)(unbiased + DoubleExponentBias) << DoubleFractionBits) | (ulong)(fraction >> (FractionBits - DoubleFractionBits));
            }
            else
            {
                // A double subnormal: m * 2^-1074 with m = significand >> (112 - (unbiased + 1074)).
                int shift = FractionBits - (unbiased + 1074);
                if (shift > FractionBits)
                {
                    return false;
                }

                UInt128 significand = fraction | (UInt128.One << FractionBits);
                if ((significand & ((UInt128.One << shift) - 1)) != 0)
                {
                    return false;
                }

                candidate = sign | (ulong)(significand >> shift);
            }
        }

        double result = BitConverter.UInt64BitsToDouble(candidate);
        if (FromDouble(result)._bits != _bits)
        {
            return false;
        }

        value = result;
        return true;
    }

    /// <summary>Converts a <see cref="double"/> exactly (see <see cref="FromDouble"/>).</summary>
    /// <param name="value">The value.</param>
    public static implicit operator XdrQuadruple(double value) => FromDouble(value);

    /// <summary>Converts to a <see cref="double"/>, which must hold the value exactly (see <see cref="TryConvertToDouble"/>).</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidCastException">The value has more precision or range than a double.</exception>
    public static explicit operator double(XdrQuadruple value) =>
        value.TryConvertToDouble(out double result)
            ? result
            : throw new InvalidCastException($"The quadruple {value} has no exact double equivalent.");

    /// <inheritdoc/>
    public bool Equals(XdrQuadruple other) => _bits == other._bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is XdrQuadruple other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bits.GetHashCode();

    /// <summary>The value as a double when exact, otherwise its bits in hexadecimal.</summary>
    /// <returns>A string for people.</returns>
    public override string ToString() =>
        TryConvertToDouble(out double value)
            ? value.ToString("R", CultureInfo.InvariantCulture)
            : "0x" + _bits.ToString("X32", CultureInfo.InvariantCulture);

    /// <summary>Bitwise equality.</summary>
    public static bool operator ==(XdrQuadruple left, XdrQuadruple right) => left._bits == right._bits;

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(XdrQuadruple left, XdrQuadruple right) => left._bits != right._bits;
}
