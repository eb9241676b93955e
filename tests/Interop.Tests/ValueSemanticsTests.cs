using NetRpc.Interop.Tests.Support;
using NetRpc.Xdr;
using Rich;

namespace NetRpc.Interop.Tests;

/// <summary>
/// Generated types are values: Equals and GetHashCode deep over arrays, opaque data, unions and nested types, a
/// ToString that shows the fields, and linked lists of any length compared, hashed and shown in a loop.
/// </summary>
public class ValueSemanticsTests
{
    [Fact]
    public void Equal_values_built_apart_are_equal_with_equal_hash_codes_and_usable_as_keys()
    {
        for (int n = 0; n < RichSamples.Count; n++)
        {
            Everything a = RichSamples.Get(n);
            Everything b = XdrCodec.Decode<Everything>(XdrCodec.EncodeToArray(RichSamples.Get(n)));
            Assert.NotSame(a, b);
            Assert.Equal(a, b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            var byValue = new Dictionary<Everything, int> { [a] = n };
            Assert.Equal(n, byValue[b]);
        }

        Assert.NotEqual(RichSamples.Get(1), RichSamples.Get(2));
    }

    [Fact]
    public void A_difference_anywhere_makes_values_unequal()
    {
        Everything Changed(Action<Everything> change)
        {
            Everything value = RichSamples.Get(1);
            change(value);
            return value;
        }

        Everything original = RichSamples.Get(1);
        Assert.NotEqual(original, Changed(e => e.Hash[5] = 99));                         // fixed opaque, last byte
        Assert.NotEqual(original, Changed(e => e.Names[2] = "ccd"));                     // array of strings
        Assert.NotEqual(original, Changed(e => e.P.C = Color.Red));                      // nested struct
        Assert.NotEqual(original, Changed(e => e.Shapes = [.. e.Shapes, Shape.FromRadius(1)])); // array of unions, longer
        Assert.NotEqual(original, Changed(e => e.Extra = null));                          // optional
        Assert.Equal(original, Changed(e => e.Names = [.. e.Names]));                   // a copy of an array is equal
    }

    [Fact]
    public void Unions_compare_their_discriminant_arm_and_value()
    {
        Assert.Equal(Shape.FromSides([5, 6, 7]), Shape.FromSides([5, 6, 7]));
        Assert.NotEqual(Shape.FromSides([5, 6, 7]), Shape.FromSides([5, 6]));
        Assert.NotEqual(Shape.FromSides([1]), Shape.FromRadius(1));
        Assert.Equal(Shape.FromRadius(double.NaN), Shape.FromRadius(double.NaN)); // as records: NaN equals NaN
        Assert.Equal("Shape { Kind = Green, Sides = [5, 6, 7] }", Shape.FromSides([5, 6, 7]).ToString());
    }

    [Fact]
    public void ToString_shows_the_fields()
    {
        var primitives = new Primitives { I = -1, U = 2, H = 3, Uh = 4, F = 1.5f, D = -2.25, B = true, C = Color.Blue };
        Assert.Equal("Primitives { I = -1, U = 2, H = 3, Uh = 4, F = 1.5, D = -2.25, Q = 0, B = True, C = Blue }", primitives.ToString());
        string everything = RichSamples.Get(1).ToString();
        Assert.Contains("Hash = 0x010203040506", everything, StringComparison.Ordinal);
        Assert.Contains("Names = [\"a\", \"bb\", \"ccc\"]", everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Linked_lists_of_any_length_compare_hash_and_print_in_a_loop()
    {
        const int Length = 200_000; // recursion over this many nodes would overflow the stack
        Node a = XdrList.Link(Enumerable.Range(0, Length).Select(i => new Node { Label = "n", Weight = i }))!;
        Node b = XdrList.Link(Enumerable.Range(0, Length).Select(i => new Node { Label = "n", Weight = i }))!;
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());

        b.Enumerate().Last().Weight = -1;
        Assert.NotEqual(a, b);
        b.Enumerate().Last().Next = new Node { Label = "extra" };
        Assert.NotEqual(a, b);

        string text = a.ToString();
        Assert.StartsWith("Node { Label = \"n\", Weight = 0 } -> Node { Label = \"n\", Weight = 1 } -> ", text, StringComparison.Ordinal);
        Assert.EndsWith(" -> ...", text, StringComparison.Ordinal);

        // A cycle cannot be compared for ever: it is an error, as encoding one is.
        Node ring = new() { Label = "r" };
        ring.Next = new Node { Label = "s", Next = ring };
        Node other = new() { Label = "r", Next = new Node { Label = "s", Next = new Node { Label = "r" } } };
        Assert.Throws<InvalidOperationException>(() => ring.Equals(new Node { Label = "r", Next = new Node { Label = "s", Next = other } }));
    }
}
