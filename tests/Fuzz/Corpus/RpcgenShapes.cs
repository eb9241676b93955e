using System.Text;

namespace NetRpc.Fuzz.Corpus;

/// <summary>
/// Seeds of the rpcgen target beyond the real files: the shapes an adversarial campaign (issue 13) found the
/// compiler crashing or stalling on, each valid and each a few kilobytes, so that mutations of them (a chain cut,
/// a guard dropped, a link turned into a cycle or an array) reach the code that handles chains and include
/// recursion. Each stays under half of <see cref="Targets.RpcgenTarget.MaxInputLength"/>.
/// </summary>
internal static class RpcgenShapes
{
    /// <summary>Links per chain: long enough to be a chain (the old limit was 32 typedefs), short enough for thousands of inputs a second.</summary>
    private const int Links = 250;

    /// <summary>The file <see cref="GuardedMain"/> includes, and which includes it back; served beside main.x.</summary>
    public const string GuardedInclude = "#ifndef GUARD_X\n#define GUARD_X\n#include \"main.x\"\nconst GUARD_SIZE = 4;\ntypedef opaque guard_data<GUARD_SIZE>;\n#endif\n";

    public static IEnumerable<string> All =>
    [
        TypedefChain(),
        TypedefChainBackwards(),
        ConstantChain(),
        EnumMemberChain(),
        ImplicitMembersUsedFirst(),
        PassthroughChain(),
        StructChainBackwards(),
        ArrayTypedefChain(),
        ProcedureNamesNumberedByEachOther(),
        GuardedMain(),
        GuardedSelfInclude(),
    ];

    private static string TypedefChain() =>
        Lines("typedef int t0;", i => $"typedef t{i - 1} t{i};", 1, Links) + $"struct uses_chain {{ t{Links - 1} last; t{Links / 2} middle<>; }};\n";

    private static string TypedefChainBackwards() =>
        $"struct uses_chain {{ b0 first; }};\n" + Lines(null, i => $"typedef b{i + 1} b{i};", 0, Links - 1) + $"typedef hyper b{Links - 1};\n";

    private static string ConstantChain() =>
        Lines(null, i => $"const c{i} = c{i + 1};", 0, Links - 1) + $"const c{Links - 1} = 16;\ntypedef opaque sized[c0];\n";

    private static string EnumMemberChain() =>
        "enum chained {\n" + Lines(null, i => $"  m{i} = m{i + 1},", 0, Links - 1) + $"  m{Links - 1} = 3\n}};\n";

    private static string ImplicitMembersUsedFirst() =>
        $"const LAST = n{Links - 1};\nenum numbered {{ {string.Join(", ", Enumerable.Range(0, Links).Select(i => $"n{i}"))} }};\n";

    private static string PassthroughChain() =>
        Lines(null, i => $"%#define D{i} (D{i + 1})", 0, Links - 1) + $"%#define D{Links - 1} 8\ntypedef int by_define[D0];\n";

    private static string StructChainBackwards() =>
        Lines(null, i => $"struct s{i} {{ s{i + 1} inner; int pad; }};", 0, Links / 2 - 1) + $"struct s{Links / 2 - 1} {{ int last; }};\n";

    /// <summary>Arrays nested through typedefs, past the bound of 64 (one RPCG4001); a mutation that cuts it early makes it valid.</summary>
    private static string ArrayTypedefChain() =>
        Lines("typedef int a0<>;", i => $"typedef a{i - 1} a{i}<>;", 1, 70) + "struct deep { a69 values; };\n";

    private static string ProcedureNamesNumberedByEachOther()
    {
        string procedures = Lines(null, i => $"  void P{i}(void) = P{i + 1};", 0, 30) + "  void P30(void) = 31;\n";
        return $"program CHAIN_PROG {{\n version V1 {{\n{procedures} }} = 1;\n version V2 {{\n{procedures} }} = 2;\n}} = 0x20000100;\n";
    }

    /// <summary>main.x and guard.x include each other, each inside an include guard.</summary>
    private static string GuardedMain() =>
        "#ifndef MAIN_X\n#define MAIN_X\n#include \"guard.x\"\nstruct guarded { guard_data data; int count; };\n#endif\n";

    private static string GuardedSelfInclude() =>
        "#ifndef SELF_X\n#define SELF_X\nconst SELF = 1;\n#include \"main.x\"\nstruct self_included { int value; };\n#endif\n";

    private static string Lines(string? first, Func<int, string> line, int from, int to)
    {
        var text = new StringBuilder();
        if (first is not null)
        {
            text.Append(first).Append('\n');
        }

        for (int i = from; i < to; i++)
        {
            text.Append(line(i)).Append('\n');
        }

        return text.ToString();
    }
}
