using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetRpc.Xdr;

/// <summary>
/// Every throw of the library in one place: hot paths stay small, messages stay consistent.
/// Reader errors are <see cref="XdrException"/>; writer errors are caller mistakes
/// (<see cref="ArgumentException"/>, <see cref="InvalidOperationException"/>).
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Truncated(long offset, string what, long needed, long remaining) =>
        throw new XdrException(XdrError.Truncated, offset, $"{Bytes(needed)} for {what}", $"only {Bytes(remaining)} left");

    // "length" below is a noun phrase with its article: "an opaque length", "an array element count".
    [DoesNotReturn]
    public static void LengthExceedsMaximum(long offset, string length, uint value, uint maximum) =>
        throw new XdrException(XdrError.LengthExceedsMaximum, offset, $"{length} of at most {maximum.ToString(CultureInfo.InvariantCulture)}", value.ToString(CultureInfo.InvariantCulture));

    [DoesNotReturn]
    public static void LengthExceedsPlatform(long offset, string length, uint value) =>
        throw new XdrException(XdrError.LengthExceedsMaximum, offset, $"{length} of at most {Array.MaxLength.ToString(CultureInfo.InvariantCulture)} (the largest .NET array)", value.ToString(CultureInfo.InvariantCulture));

    [DoesNotReturn]
    public static void LengthExceedsInput(long offset, string length, uint value, ulong needed, long remaining) =>
        throw new XdrException(XdrError.LengthExceedsInput, offset,
            $"{length} that fits in the {Bytes(remaining)} left",
            $"{value.ToString(CultureInfo.InvariantCulture)}, which needs {Bytes(needed)}");

    [DoesNotReturn]
    public static void NonZeroPadding(long offset) =>
        throw new XdrException(XdrError.NonZeroPadding, offset, "zero padding bytes", "a non-zero byte");

    [DoesNotReturn]
    public static void InvalidBoolean(long offset, uint value) =>
        throw new XdrException(XdrError.InvalidBoolean, offset, "a bool (0 or 1)", value.ToString(CultureInfo.InvariantCulture));

    [DoesNotReturn]
    public static void IntegerOutOfRange(long offset, string expected, long value) =>
        throw new XdrException(XdrError.IntegerOutOfRange, offset, expected, value.ToString(CultureInfo.InvariantCulture));

    [DoesNotReturn]
    public static void InvalidUtf8(long offset) =>
        throw new XdrException(XdrError.InvalidUtf8, offset, "a string of valid UTF-8", "an invalid byte sequence");

    [DoesNotReturn]
    public static void DepthExceeded(long offset, int maxDepth) =>
        throw new XdrException(XdrError.DepthExceeded, offset, $"nesting of at most {maxDepth} levels of optional data and arrays", "deeper nesting");

    [DoesNotReturn]
    public static void TrailingData(long offset, long remaining) =>
        throw new XdrException(XdrError.TrailingData, offset, "the end of the input", $"{Bytes(remaining)} more");

    [DoesNotReturn]
    public static void ValueTooLong(string paramName, string what, long length, uint maximum) =>
        throw new ArgumentOutOfRangeException(paramName, length,
            $"The {what} is {Bytes(length)} long; its declared maximum is {maximum.ToString(CultureInfo.InvariantCulture)}.");

    [DoesNotReturn]
    public static void CountTooLarge(string paramName, string what, long count, uint maximum) =>
        throw new ArgumentOutOfRangeException(paramName, count,
            $"The {what} has {count.ToString(CultureInfo.InvariantCulture)} elements; its declared maximum is {maximum.ToString(CultureInfo.InvariantCulture)}.");

    [DoesNotReturn]
    public static void WrongFixedLength(string paramName, string what, int actual, int expected) =>
        throw new ArgumentException(
            $"The fixed-length {what} must hold exactly {expected.ToString(CultureInfo.InvariantCulture)} elements; it holds {actual.ToString(CultureInfo.InvariantCulture)}.",
            paramName);

    [DoesNotReturn]
    public static void EncodeDepthExceeded(int maxDepth) =>
        throw new ArgumentException(
            $"The value nests optional data and arrays deeper than {maxDepth.ToString(CultureInfo.InvariantCulture)} levels (XdrWriterOptions.MaxDepth); is there a cycle in the object graph?");

    [DoesNotReturn]
    public static void ValueNull(string paramName) =>
        throw new ArgumentNullException(paramName, "The value is not optional data, so it cannot be null.");

    [DoesNotReturn]
    public static void ListCycle() =>
        throw new ArgumentException("The linked list contains a cycle; XDR can only encode finite lists.");

    [DoesNotReturn]
    public static void BufferWriterTooSmall(int requested, int returned) =>
        throw new InvalidOperationException(
            $"The IBufferWriter<byte> returned a span of {returned.ToString(CultureInfo.InvariantCulture)} bytes when asked for at least {requested.ToString(CultureInfo.InvariantCulture)}.");

    [DoesNotReturn]
    public static void MessageTooLarge(long size) =>
        throw new ArgumentOutOfRangeException(nameof(size), size, "An XDR item larger than 2 GiB cannot be written into one buffer.");

    private static string Bytes(long n) => n == 1 ? "1 byte" : $"{n.ToString(CultureInfo.InvariantCulture)} bytes";

    private static string Bytes(ulong n) => n == 1 ? "1 byte" : $"{n.ToString(CultureInfo.InvariantCulture)} bytes";
}
