using NetRpc.Xdr.Tests.TestTypes;
using static NetRpc.Xdr.Tests.Support.Xdr;

namespace NetRpc.Xdr.Tests;

public class OptionalAndListTests
{
    [Fact]
    public void Optional_is_a_bool_then_the_value()
    {
        Assert.Equal("00000000", ToHex(Write((ref XdrWriter w) => w.WriteOptionalValue<Point>(null))));
        Assert.Equal("00000001" + "0000000500000006", ToHex(Write((ref XdrWriter w) => w.WriteOptionalValue<Point>(new Point(5, 6)))));
        Assert.Null(Read(Hex("00000000"), (ref XdrReader r) => r.ReadOptionalValue<Point>()));
        Assert.Equal(new Point(5, 6), Read(Hex("00000001 00000005 00000006"), (ref XdrReader r) => r.ReadOptionalValue<Point>()));

        var tree = new Tree { Value = 7 };
        Assert.Equal("00000001" + "00000007" + "00000000" + "00000000", ToHex(Write((ref XdrWriter w) => w.WriteOptional(tree))));
        Assert.Null(Read(Hex("00000000"), (ref XdrReader r) => r.ReadOptional<Tree>()));
    }

    [Fact]
    public void Optional_rejects_a_flag_other_than_zero_or_one()
    {
        XdrException e = Assert.Throws<XdrException>(() => Read(Hex("00000002 00000005 00000006"), (ref XdrReader r) => r.ReadOptionalValue<Point>()));
        Assert.Equal(XdrError.InvalidBoolean, e.Error);
    }

    [Fact]
    public void List_is_true_node_true_node_false()
    {
        Node? list = Node.FromValues([10, 20, 30]);
        byte[] wire = Write((ref XdrWriter w) => w.WriteList(list));
        Assert.Equal("00000001 0000000a 00000001 00000014 00000001 0000001e 00000000".Replace(" ", string.Empty, StringComparison.Ordinal), ToHex(wire));

        Node? back = Read(wire, (ref XdrReader r) => r.ReadList<Node>());
        Assert.Equal([10, 20, 30], Values(back));
        Assert.Null(Read(Hex("00000000"), (ref XdrReader r) => r.ReadList<Node>()));
    }

    [Fact]
    public void A_list_of_a_million_nodes_round_trips_without_recursion()
    {
        const int Count = 1_000_000;
        byte[]? wire = null;
        Node? back = null;

        // A small stack makes any recursion fail loudly instead of depending on the default stack size.
        var thread = new Thread(
            () =>
            {
                Node? list = Node.FromValues(Enumerable.Range(0, Count));
                wire = Write((ref XdrWriter w) => w.WriteList(list));
                back = Read(wire, (ref XdrReader r) => r.ReadList<Node>());
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal((Count * 8) + 4, wire!.Length);
        int expected = 0;
        for (Node? n = back; n is not null; n = n.Next)
        {
            Assert.Equal(expected++, n.Value);
        }

        Assert.Equal(Count, expected);
    }

    [Fact]
    public void A_list_of_100000_nodes_is_enumerated_linked_and_round_tripped_on_a_small_stack()
    {
        const int Count = 100_000;
        List<int>? enumerated = null;
        int linq = 0;

        // 128 KiB of stack: enumerating, linking, encoding and decoding all loop; recursion would overflow it.
        var thread = new Thread(
            () =>
            {
                Node? list = XdrList.Link(Enumerable.Range(0, Count).Select(i => new Node { Value = i }));
                byte[] wire = Write((ref XdrWriter w) => w.WriteList(list));
                Node? back = Read(wire, (ref XdrReader r) => r.ReadList<Node>());
                enumerated = [];
                foreach (Node node in back.Enumerate())
                {
                    enumerated.Add(node.Value);
                }

                linq = back.Enumerate().Count(n => n.Value % 2 == 0);
            },
            maxStackSize: 128 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal(Enumerable.Range(0, Count), enumerated!);
        Assert.Equal(Count / 2, linq);
    }

    [Fact]
    public void An_empty_list_enumerates_nothing_and_a_cyclic_one_is_refused()
    {
        Node? none = null;
        Assert.Empty(none.Enumerate());
        Assert.Null(XdrList.Link<Node>([]));

        Node[] nodes = [.. Enumerable.Range(0, 1000).Select(i => new Node { Value = i })];
        Node head = XdrList.Link(nodes)!;
        Assert.Equal(1000, head.Enumerate().Count());
        nodes[^1].Next = nodes[500];
        Assert.Throws<InvalidOperationException>(() => head.Enumerate().Count());

        // Linking again ends the list at its last node.
        Assert.Equal(1000, XdrList.Link(nodes)!.Enumerate().Count());
    }

    [Fact]
    public void A_node_decodes_its_own_tail_iteratively()
    {
        Node head = Read(Hex("00000001 00000001 00000002 00000000"), (ref XdrReader r) => Node.Decode(ref r));
        Assert.Equal([1, 2], Values(head));
        Assert.Equal("00000001 00000001 00000002 00000000".Replace(" ", string.Empty, StringComparison.Ordinal), ToHex(Write((ref XdrWriter w) => head.Encode(ref w))));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(50, 17)]
    [InlineData(1000, 999)]
    public void Encode_refuses_a_cyclic_list(int length, int loopBackTo)
    {
        Node[] nodes = Enumerable.Range(0, length).Select(i => new Node { Value = i }).ToArray();
        for (int i = 0; i + 1 < length; i++)
        {
            nodes[i].Next = nodes[i + 1];
        }

        nodes[^1].Next = nodes[loopBackTo];
        ArgumentException e = Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => w.WriteList(nodes[0])));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursion_is_limited_by_max_depth_on_decode()
    {
        byte[] deep65 = Write((ref XdrWriter w) => Tree.LeftChain(65).Encode(ref w), new XdrWriterOptions { MaxDepth = 100 });
        byte[] deep66 = Write((ref XdrWriter w) => Tree.LeftChain(66).Encode(ref w), new XdrWriterOptions { MaxDepth = 100 });

        Assert.NotNull(Read(deep65, (ref XdrReader r) => Tree.Decode(ref r)));
        XdrException e = Assert.Throws<XdrException>(() => Read(deep66, (ref XdrReader r) => Tree.Decode(ref r)));
        Assert.Equal(XdrError.DepthExceeded, e.Error);
        Assert.NotNull(Read(deep66, (ref XdrReader r) => Tree.Decode(ref r), new XdrReaderOptions { MaxDepth = 65 }));
    }

    [Fact]
    public void Recursion_is_limited_by_max_depth_on_encode()
    {
        Tree deep = Tree.LeftChain(100);
        ArgumentException e = Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => deep.Encode(ref w)));
        Assert.Contains("MaxDepth", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(Write((ref XdrWriter w) => deep.Encode(ref w), new XdrWriterOptions { MaxDepth = 99 }));

        var cyclic = new Tree { Value = 1 };
        cyclic.Right = cyclic;
        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => cyclic.Encode(ref w)));
    }

    [Fact]
    public void Recursion_through_arrays_is_limited_too()
    {
        var forest = new Forest();
        Forest leaf = forest;
        for (int i = 0; i < 100; i++)
        {
            var child = new Forest();
            leaf.Children = [child];
            leaf = child;
        }

        Assert.Throws<ArgumentException>(() => Write((ref XdrWriter w) => forest.Encode(ref w)));
        byte[] wire = Write((ref XdrWriter w) => forest.Encode(ref w), new XdrWriterOptions { MaxDepth = 100 });
        XdrException e = Assert.Throws<XdrException>(() => Read(wire, (ref XdrReader r) => Forest.Decode(ref r)));
        Assert.Equal(XdrError.DepthExceeded, e.Error);
    }

    [Fact]
    public void Max_depth_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new XdrReaderOptions { MaxDepth = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new XdrWriterOptions { MaxDepth = -1 });
    }

    private static List<int> Values(Node? list)
    {
        var values = new List<int>();
        for (Node? n = list; n is not null; n = n.Next)
        {
            values.Add(n.Value);
        }

        return values;
    }
}
