using System.Globalization;
using System.Text;

namespace NetRpc.Xdr;

/// <summary>
/// Value semantics for generated types: equality, hash codes and text of the arrays, opaque data and linked lists
/// they hold, deep over nested arrays and iterative over lists. Generated Equals, GetHashCode and ToString call these.
/// </summary>
public static class XdrValues
{
    /// <summary>The elements an array's text shows before it says how many more there are.</summary>
    public const int FormattedElements = 32;

    /// <summary>The nodes a list's text shows before it says it goes on.</summary>
    public const int FormattedNodes = 32;

    /// <summary>Whether two byte arrays hold the same bytes (null equals only null).</summary>
    /// <param name="a">One array.</param>
    /// <param name="b">The other.</param>
    /// <returns>True when equal.</returns>
    public static bool Equal(byte[]? a, byte[]? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    /// <summary>Whether two arrays hold equal elements in the same order, by the elements' own equality.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">One array.</param>
    /// <param name="b">The other.</param>
    /// <returns>True when equal.</returns>
    public static bool Equal<T>(T[]? a, T[]? b) => Equal(a, b, EqualityComparer<T>.Default.Equals);

    /// <summary>Whether two arrays hold equal elements in the same order, by <paramref name="elementEqual"/> (arrays of arrays).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">One array.</param>
    /// <param name="b">The other.</param>
    /// <param name="elementEqual">Element equality.</param>
    /// <returns>True when equal.</returns>
    public static bool Equal<T>(T[]? a, T[]? b, Func<T, T, bool> elementEqual)
    {
        ArgumentNullException.ThrowIfNull(elementEqual);
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!elementEqual(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash code of the bytes.</summary>
    /// <param name="value">The array, or null.</param>
    /// <returns>The hash code.</returns>
    public static int Hash(byte[]? value)
    {
        if (value is null)
        {
            return 0;
        }

        var hash = default(HashCode);
        hash.AddBytes(value);
        return hash.ToHashCode();
    }

    /// <summary>A hash code of the elements, by their own hash codes.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The array, or null.</param>
    /// <returns>The hash code.</returns>
    public static int Hash<T>(T[]? value) => Hash(value, static element => EqualityComparer<T>.Default.GetHashCode(element!));

    /// <summary>A hash code of the elements, by <paramref name="elementHash"/> (arrays of arrays).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The array, or null.</param>
    /// <param name="elementHash">Element hash code.</param>
    /// <returns>The hash code.</returns>
    public static int Hash<T>(T[]? value, Func<T, int> elementHash)
    {
        ArgumentNullException.ThrowIfNull(elementHash);
        if (value is null)
        {
            return 0;
        }

        var hash = default(HashCode);
        hash.Add(value.Length);
        foreach (T element in value)
        {
            hash.Add(elementHash(element));
        }

        return hash.ToHashCode();
    }

    /// <summary>The bytes in hexadecimal, the first 64 of them, and the length when there are more.</summary>
    /// <param name="value">The array, or null.</param>
    /// <returns>The text.</returns>
    public static string Format(byte[]? value) => value is null ? "null" : FormatBytes(value);

    /// <summary>Whether two pooled opaque values hold the same bytes (null equals only null).</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    /// <returns>True when equal.</returns>
    public static bool Equal(PooledOpaque? a, PooledOpaque? b) => a is null ? b is null : a.Equals(b);

    /// <summary>A hash code of the bytes, the same as <see cref="Hash(byte[])"/> of an array holding them.</summary>
    /// <param name="value">The value, or null.</param>
    /// <returns>The hash code.</returns>
    public static int Hash(PooledOpaque? value) => value?.GetHashCode() ?? 0;

    /// <summary>The bytes in hexadecimal, as <see cref="Format(byte[])"/> shows an array.</summary>
    /// <param name="value">The value, or null.</param>
    /// <returns>The text.</returns>
    public static string Format(PooledOpaque? value) => value?.ToString() ?? "null";

    /// <summary>The elements' text in brackets, the first <see cref="FormattedElements"/> of them.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The array, or null.</param>
    /// <returns>The text.</returns>
    public static string Format<T>(T[]? value) => Format(value, static element => Format(element));

    /// <summary>The elements' text by <paramref name="elementText"/>, in brackets, the first <see cref="FormattedElements"/> of them.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The array, or null.</param>
    /// <param name="elementText">An element's text.</param>
    /// <returns>The text.</returns>
    public static string Format<T>(T[]? value, Func<T, string> elementText)
    {
        ArgumentNullException.ThrowIfNull(elementText);
        if (value is null)
        {
            return "null";
        }

        var text = new StringBuilder("[");
        for (int i = 0; i < value.Length && i < FormattedElements; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(elementText(value[i]));
        }

        if (value.Length > FormattedElements)
        {
            text.Append(CultureInfo.InvariantCulture, $", ... ({value.Length} elements)");
        }

        return text.Append(']').ToString();
    }

    /// <summary>Bytes in hexadecimal, the first 64 of them, and the length when there are more.</summary>
    internal static string FormatBytes(ReadOnlySpan<byte> value)
    {
        const int Shown = 64;
        string hex = Convert.ToHexStringLower(value[..Math.Min(value.Length, Shown)]);
        return value.Length <= Shown ? $"0x{hex}" : $"0x{hex}... ({value.Length} bytes)";
    }

    /// <summary>A value's text: strings in quotes, null as <c>null</c>, numbers in the invariant culture.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Format<T>(T value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        byte[] bytes => Format(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// Whether two linked lists hold equal nodes in the same order: <paramref name="fieldsEqual"/> compares one node's
    /// fields (not its link), in a loop, so a list of any length takes no stack.
    /// </summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="a">One list's head.</param>
    /// <param name="b">The other's.</param>
    /// <param name="fieldsEqual">Whether two nodes' own fields are equal.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">A list is cyclic.</exception>
    public static bool ListEqual<T>(T? a, T? b, Func<T, T, bool> fieldsEqual)
        where T : class, IXdrListNode<T>
    {
        ArgumentNullException.ThrowIfNull(fieldsEqual);
        XdrListEnumerator<T> left = a.Enumerate().GetEnumerator();
        XdrListEnumerator<T> right = b.Enumerate().GetEnumerator();
        while (true)
        {
            bool more = left.MoveNext();
            if (more != right.MoveNext())
            {
                return false;
            }

            if (!more)
            {
                return true;
            }

            if (!ReferenceEquals(left.Current, right.Current) && !fieldsEqual(left.Current, right.Current))
            {
                return false;
            }
        }
    }

    /// <summary>A hash code of a linked list's nodes, by <paramref name="fieldsHash"/> of each node's own fields, in a loop.</summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="head">The list's head.</param>
    /// <param name="fieldsHash">A node's own fields' hash code.</param>
    /// <returns>The hash code.</returns>
    /// <exception cref="InvalidOperationException">The list is cyclic.</exception>
    public static int ListHash<T>(T? head, Func<T, int> fieldsHash)
        where T : class, IXdrListNode<T>
    {
        ArgumentNullException.ThrowIfNull(fieldsHash);
        var hash = default(HashCode);
        foreach (T node in head.Enumerate())
        {
            hash.Add(fieldsHash(node));
        }

        return hash.ToHashCode();
    }

    /// <summary>A linked list's nodes, by <paramref name="fieldsText"/> of each, joined by arrows; the first <see cref="FormattedNodes"/>.</summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="head">The list's head.</param>
    /// <param name="fieldsText">A node's text, without its link.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InvalidOperationException">The list is cyclic.</exception>
    public static string FormatList<T>(T? head, Func<T, string> fieldsText)
        where T : class, IXdrListNode<T>
    {
        ArgumentNullException.ThrowIfNull(fieldsText);
        var text = new StringBuilder();
        int shown = 0;
        foreach (T node in head.Enumerate())
        {
            if (shown == FormattedNodes)
            {
                return text.Append(" -> ...").ToString();
            }

            text.Append(shown++ == 0 ? string.Empty : " -> ").Append(fieldsText(node));
        }

        return shown == 0 ? "null" : text.ToString();
    }
}
