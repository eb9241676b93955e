using System.Text;

namespace NetRpc.Fuzz.Engine;

/// <summary>What an input broke.</summary>
internal enum FindingKind
{
    /// <summary>An exception the target's contract does not allow escaped.</summary>
    Escape,

    /// <summary>The input took longer than the time cap, twice in a row.</summary>
    Hang,

    /// <summary>The input cost more memory than the budget allows, twice in a row.</summary>
    Allocation,

    /// <summary>A server stopped answering a well-behaved client.</summary>
    Unhealthy,
}

/// <summary>One broken invariant, with the smallest input found that still breaks it.</summary>
internal sealed record Finding(FindingKind Kind, long InputNumber, string Detail, byte[] Input)
{
    /// <summary>Lines of the detail printed: the message and the top of the stack, which is where the bug is.</summary>
    private const int MaxDetailLines = 16;

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(Kind).Append(" at input ").Append(InputNumber).Append(": ").AppendLine(string.Join('\n', Detail.Split('\n').Take(MaxDetailLines)));
        text.Append("  input (").Append(Input.Length).Append(" bytes, minimized): ").AppendLine(Hex(Input, 2048));
        return text.ToString();
    }

    public static string Hex(byte[] bytes, int limit)
    {
        string hex = Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, limit))).ToLowerInvariant();
        return bytes.Length > limit ? hex + $"... ({bytes.Length - limit} more bytes)" : hex;
    }
}
