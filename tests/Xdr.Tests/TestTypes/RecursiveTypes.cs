namespace NetRpc.Xdr.Tests.TestTypes;

/// <summary>struct tree { int value; tree *left; tree *right; }: real recursion, which only the depth limit bounds.</summary>
internal sealed class Tree : IXdrCodec<Tree>
{
    public int Value { get; set; }
    public Tree? Left { get; set; }
    public Tree? Right { get; set; }

    public static Tree Decode(ref XdrReader reader) => new()
    {
        Value = reader.ReadInt32(),
        Left = reader.ReadOptional<Tree>(),
        Right = reader.ReadOptional<Tree>(),
    };

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(Value);
        writer.WriteOptional(Left);
        writer.WriteOptional(Right);
    }

    /// <summary>A tree that is a chain of left children, <paramref name="depth"/> nodes deep.</summary>
    public static Tree LeftChain(int depth)
    {
        var root = new Tree { Value = 0 };
        Tree current = root;
        for (int i = 1; i < depth; i++)
        {
            current.Left = new Tree { Value = i };
            current = current.Left;
        }

        return root;
    }
}

/// <summary>struct forest { forest children&lt;&gt;; }: recursion through arrays rather than optional data.</summary>
internal sealed class Forest : IXdrCodec<Forest>
{
    public Forest[] Children { get; set; } = [];

    public static Forest Decode(ref XdrReader reader) => new() { Children = reader.ReadArray<Forest>() };

    public void Encode(ref XdrWriter writer) => writer.WriteArray<Forest>(Children);
}

/// <summary>union status_result switch (int status) { case 0: int value; case 1: void; }: no default arm.</summary>
internal sealed record StatusResult(int Status, int Value = 0) : IXdrCodec<StatusResult>
{
    public static StatusResult Decode(ref XdrReader reader)
    {
        int status = reader.ReadInt32();
        return status switch
        {
            0 => new StatusResult(0, reader.ReadInt32()),
            1 => new StatusResult(1),
            _ => throw reader.InvalidDiscriminant("status_result", status),
        };
    }

    public void Encode(ref XdrWriter writer)
    {
        writer.WriteInt32(Status);
        if (Status == 0)
        {
            writer.WriteInt32(Value);
        }
    }
}
