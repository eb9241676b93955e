namespace NetRpc.Xdr.Tests.TestTypes;

// Hand-written codecs for Interop/alltypes.x, in the shape generated code will take. Each type's
// wire layout lives in its Decode/Encode pair and nowhere else.

internal enum Color
{
    Red = 0,
    Green = 1,
    Blue = 2,
    Yellow = 3,
    Negative = -7,
}

internal static class ColorCodec
{
    public static Color Read(ref XdrReader reader)
    {
        int value = reader.ReadEnum();
        return value switch
        {
            0 or 1 or 2 or 3 or -7 => (Color)value,
            _ => throw reader.InvalidEnumValue("color", value),
        };
    }

    public static void Write(ref XdrWriter writer, Color value) => writer.WriteEnum((int)value);
}

internal readonly record struct Point(int X, int Y) : IXdrCodec<Point>
{
    public static int MinEncodedSize => 8;

    public static Point Decode(ref XdrReader reader) => new(reader.ReadInt32(), reader.ReadInt32());

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(X);
        writer.WriteInt32(Y);
    }
}

/// <summary>union shape switch (color kind): RED int radius; GREEN, NEGATIVE string label&lt;16&gt;; BLUE void; default hyper other.</summary>
internal sealed record Shape(Color Kind, int Radius = 0, string Label = "", long Other = 0) : IXdrCodec<Shape>
{
    public static Shape Decode(ref XdrReader reader)
    {
        Color kind = ColorCodec.Read(ref reader);
        return kind switch
        {
            Color.Red => new Shape(kind, Radius: reader.ReadInt32()),
            Color.Green or Color.Negative => new Shape(kind, Label: reader.ReadString(AllTypes.SmallMax)),
            Color.Blue => new Shape(kind),
            _ => new Shape(kind, Other: reader.ReadInt64()),
        };
    }

    public void Encode(ref XdrWriter writer)
    {
        ColorCodec.Write(ref writer, Kind);
        switch (Kind)
        {
            case Color.Red:
                writer.WriteInt32(Radius);
                break;
            case Color.Green or Color.Negative:
                writer.WriteString(Label, AllTypes.SmallMax);
                break;
            case Color.Blue:
                break;
            default:
                writer.WriteInt64(Other);
                break;
        }
    }
}

/// <summary>struct node { int value; node *next; }: a linked list, read and written without recursion.</summary>
internal sealed class Node : IXdrListNode<Node>
{
    public int Value { get; set; }

    public Node? Next { get; set; }

    public static Node DecodeNodeFields(ref XdrReader reader) => new() { Value = reader.ReadInt32() };

    public void EncodeNodeFields(ref XdrWriter writer) => writer.WriteInt32(Value);

    public static Node Decode(ref XdrReader reader)
    {
        Node node = DecodeNodeFields(ref reader);
        node.Next = reader.ReadList<Node>();
        return node;
    }

    public void Encode(ref XdrWriter writer)
    {
        EncodeNodeFields(ref writer);
        writer.WriteList(Next);
    }

    public static Node? FromValues(IEnumerable<int> values)
    {
        Node? head = null;
        Node? tail = null;
        foreach (int value in values)
        {
            var node = new Node { Value = value };
            if (tail is null)
            {
                head = node;
            }
            else
            {
                tail.Next = node;
            }

            tail = node;
        }

        return head;
    }
}

internal sealed class AllTypes : IXdrCodec<AllTypes>
{
    public const uint SmallMax = 16;

    public int I { get; set; }
    public uint U { get; set; }
    public long H { get; set; }
    public ulong Uh { get; set; }
    public bool B { get; set; }
    public Color C { get; set; }
    public float F { get; set; }
    public double D { get; set; }
    public XdrQuadruple Q { get; set; }
    public byte[] Fo { get; set; } = new byte[5];
    public byte[] Vo { get; set; } = [];
    public string S { get; set; } = string.Empty;
    public byte[] Us { get; set; } = [];
    public int[] Fa { get; set; } = new int[3];
    public long[] Va { get; set; } = [];
    public uint[] Ua { get; set; } = [];
    public float[] Fs { get; set; } = [];
    public double[] Ds { get; set; } = [];
    public bool[] Bs { get; set; } = [];
    public Point[] FixedPts { get; set; } = new Point[2];
    public Point[] Pts { get; set; } = [];
    public Point? Opt { get; set; }
    public Shape Sh { get; set; } = new(Color.Blue);
    public Shape[] Shapes { get; set; } = [];
    public Node? List { get; set; }

    public static AllTypes Decode(ref XdrReader reader)
    {
        var value = new AllTypes
        {
            I = reader.ReadInt32(),
            U = reader.ReadUInt32(),
            H = reader.ReadInt64(),
            Uh = reader.ReadUInt64(),
            B = reader.ReadBoolean(),
            C = ColorCodec.Read(ref reader),
            F = reader.ReadSingle(),
            D = reader.ReadDouble(),
            Q = reader.ReadQuadruple(),
            Fo = reader.ReadFixedOpaque(5),
            Vo = reader.ReadOpaque(SmallMax),
            S = reader.ReadString(SmallMax),
            Us = reader.ReadStringBytes(),
            Fa = reader.ReadFixedInt32Array(3),
            Va = reader.ReadInt64Array(),
            Ua = reader.ReadUInt32Array(4),
            Fs = reader.ReadSingleArray(),
            Ds = reader.ReadDoubleArray(),
        };

        var bools = new bool[reader.ReadArrayCount(uint.MaxValue)];
        for (int i = 0; i < bools.Length; i++)
        {
            bools[i] = reader.ReadBoolean();
        }

        value.Bs = bools;
        value.FixedPts = reader.ReadFixedArray<Point>(2);
        value.Pts = reader.ReadArray<Point>();
        value.Opt = reader.ReadOptionalValue<Point>();
        value.Sh = Shape.Decode(ref reader);
        value.Shapes = reader.ReadArray<Shape>();
        value.List = reader.ReadList<Node>();
        return value;
    }

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(I);
        writer.WriteUInt32(U);
        writer.WriteInt64(H);
        writer.WriteUInt64(Uh);
        writer.WriteBoolean(B);
        ColorCodec.Write(ref writer, C);
        writer.WriteSingle(F);
        writer.WriteDouble(D);
        writer.WriteQuadruple(Q);
        writer.WriteFixedOpaque(Fo, 5);
        writer.WriteOpaque(Vo, SmallMax);
        writer.WriteString(S, SmallMax);
        writer.WriteStringBytes(Us);
        writer.WriteFixedInt32Array(Fa, 3);
        writer.WriteInt64Array(Va);
        writer.WriteUInt32Array(Ua, 4);
        writer.WriteSingleArray(Fs);
        writer.WriteDoubleArray(Ds);
        writer.WriteArrayCount(Bs.Length);
        foreach (bool b in Bs)
        {
            writer.WriteBoolean(b);
        }

        writer.WriteFixedArray<Point>(FixedPts, 2);
        writer.WriteArray<Point>(Pts);
        writer.WriteOptionalValue(Opt);
        Sh.Encode(ref writer);
        writer.WriteArray<Shape>(Shapes);
        writer.WriteList(List);
    }
}
