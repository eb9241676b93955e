using System.Globalization;
using System.Net;
using System.Text;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;

namespace NetRpc.RpcInfo.Tool;

internal sealed partial class RpcInfo
{
    /// <summary>
    /// <c>rpcinfo -l [-T netid] host prognum versnum</c>: rpcbind version 4's GETADDRLIST, the addresses of a program
    /// version on every transport of the family rpcbind was asked in.
    /// </summary>
    private async Task<int> AddressListAsync(string? netId, string[] operands)
    {
        if (operands.Length != 3)
        {
            throw new UsageException();
        }

        // The program and version are read once rpcbind is reached, as native rpcinfo reads them.
        RpcbEntryList? entries = await AskRpcbindAsync(operands[0], netId, CantContactRpcbind, target =>
        {
            var query = new RpcbMapping
            {
                Prog = ProgramNumber(operands[1]),
                Vers = VersionNumber(operands[2]),
                Netid = target.NetId,
                // The address rpcbind was reached at, which helps it answer with addresses the caller can reach.
                Address = UniversalAddress.Format(new IPEndPoint(target.Host!, target.Port ?? settings.Ports[0])),
                Owner = string.Empty,
            };
            return CallAsync(target, Rpcbind.RpcbindV4.Version, c => new RpcbindV4Client(c).GetAddrListAsync(query));
        }).ConfigureAwait(false);

        if (entries is null)
        {
            output.WriteLine("No remote programs registered.");
            return 0;
        }

        uint program = ProgramNumber(operands[1]);
        uint version = VersionNumber(operands[2]);
        output.WriteLine("   program vers  tp_family/name/class    address\t\t  service");
        for (; entries is not null; entries = entries.Next)
        {
            RpcbEntry e = entries.Entry;
            string semantics = e.Semantics switch { 1 => "clts", 2 => "cots", _ => "cots_ord" };
            string transport = $"{Printable(e.ProtocolFamily)}/{Printable(e.Protocol)}/{semantics} ";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{program,10}{version,3}    {transport,-24}{Printable(e.Address),-24} {Name(program),-13}"));
        }

        return 0;
    }

    /// <summary><c>rpcinfo -m [host]</c>: rpcbind version 4's GETSTAT, the calls each binder version took, laid out as native rpcinfo lays them out.</summary>
    private async Task<int> StatisticsAsync(string[] operands)
    {
        RpcbStat[] stats = await AskRpcbindAsync(operands.FirstOrDefault(), null, CantContactRpcbind,
            target => CallAsync(target, Rpcbind.RpcbindV4.Version, c => new RpcbindV4Client(c).GetStatAsync())).ConfigureAwait(false);
        if (stats.Length != RpcbindConstants.StatVersions || stats.Any(s => s.Procedures.Length != RpcbindConstants.StatProcedures))
        {
            throw Fail(new RpcError(ClntStat.CantDecodeResults).Call(CantContactRpcbind + ": "));
        }

        const int GetAddr = 3, CallIt = 5, GetAddrList = 11, Indirect = 10;
        RpcbStat v2 = stats[0], v3 = stats[1], v4 = stats[2];

        output.WriteLine("PORTMAP (version 2) statistics");
        PrintCounts(v2, ["NULL", "SET", "UNSET", "GETPORT", "DUMP", "CALLIT"], 0, 5);
        output.WriteLine();
        output.WriteLine();
        if (v2.Procedures[CallIt] != 0)
        {
            output.WriteLine("PMAP_RMTCALL call statistics");
            PrintCalls(v2, indirect: false);
            output.WriteLine();
        }

        if (v2.Procedures[GetAddr] != 0)
        {
            output.WriteLine("PMAP_GETPORT call statistics");
            PrintLookups(v2);
            output.WriteLine();
        }

        output.WriteLine("RPCBIND (version 3) statistics");
        PrintCounts(v3, ["NULL", "SET", "UNSET", "GETADDR", "DUMP", "CALLIT", "TIME", "U2T", "T2U"], 0, 8);
        output.WriteLine();
        output.WriteLine();
        if (v3.Procedures[CallIt] != 0)
        {
            output.WriteLine("RPCB_RMTCALL (version 3) call statistics");
            PrintCalls(v3, indirect: false);
            output.WriteLine();
        }

        if (v3.Procedures[GetAddr] != 0)
        {
            output.WriteLine("RPCB_GETADDR (version 3) call statistics");
            PrintLookups(v3);
            output.WriteLine();
        }

        output.WriteLine("RPCBIND (version 4) statistics");
        string[] v4Names = ["NULL", "SET", "UNSET", "GETADDR", "DUMP", "CALLIT", "TIME", "U2T", "T2U", "VERADDR", "INDRECT", "GETLIST", "GETSTAT"];
        PrintCounts(v4, v4Names, 0, 8, getAddrList: GetAddrList);
        output.WriteLine();
        PrintCounts(v4, v4Names, 9, 12);
        output.WriteLine();
        if (v4.Procedures[CallIt] != 0 || v4.Procedures[Indirect] != 0)
        {
            output.WriteLine();
            output.WriteLine("RPCB_RMTCALL (version 4) call statistics");
            PrintCalls(v4, indirect: true);
        }

        if (v4.Procedures[GetAddr] != 0)
        {
            output.WriteLine();
            output.WriteLine("RPCB_GETADDR (version 4) call statistics");
            PrintLookups(v4);
        }

        return 0;
    }

    /// <summary>
    /// A row of procedure names over a row of counts, each column a multiple of 8 wide: "successes/calls" for SET,
    /// UNSET, the lookup and CALLIT, "calls" for the rest (version 4's GETADDR counts GETADDRLIST's calls too). The
    /// row of counts is left unfinished: the caller ends it.
    /// </summary>
    private void PrintCounts(RpcbStat stat, string[] names, int first, int last, int? getAddrList = null)
    {
        var counts = new StringBuilder();
        for (int i = first; i <= last; i++)
        {
            string field = i switch
            {
                1 => Decimal(stat.Sets) + "/",
                2 => Decimal(stat.Unsets) + "/",
                3 => Decimal(Sum(stat.Lookups)) + "/",
                5 => Decimal(SumCalls(stat.Calls)) + "/",
                _ => string.Empty,
            };
            field += Decimal(i == 3 && getAddrList is { } list ? (long)stat.Procedures[i] + stat.Procedures[list] : stat.Procedures[i]);
            int width = 8 * (1 + (field.Length / 8));
            output.Write(names[i] + Spaces(width - names[i].Length));
            counts.Append(field).Append(Spaces(width - field.Length));
        }

        output.WriteLine();
        output.Write(counts.ToString());

        static long Sum(RpcbAddressStat? node)
        {
            long sum = 0;
            for (; node is not null; node = node.Next)
            {
                sum += node.Successes;
            }

            return sum;
        }

        static long SumCalls(RpcbCallStat? node)
        {
            long sum = 0;
            for (; node is not null; node = node.Next)
            {
                sum += node.Successes;
            }

            return sum;
        }
    }

    /// <summary>Native rpcinfo's spaces(): nothing for a count out of 1..64.</summary>
    private static string Spaces(int count) => count is > 0 and <= 64 ? new string(' ', count) : string.Empty;

    private void PrintCalls(RpcbStat stat, bool indirect)
    {
        output.WriteLine(indirect ? "prog\t\tvers\tproc\tnetid\tindirect success failure" : "prog\t\tvers\tproc\tnetid\tsuccess\tfailure");
        for (RpcbCallStat? c = stat.Calls; c is not null; c = c.Next)
        {
            string counts = indirect ? $"{c.Indirect}\t {c.Successes}\t{c.Failures}" : $"{c.Successes}\t{c.Failures}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(c.Prog, SignedProgram(c.Prog)),-16}{unchecked((int)c.Vers)}\t{unchecked((int)c.Proc)}\t{Printable(c.Netid)}\t{counts}"));
        }
    }

    private void PrintLookups(RpcbStat stat)
    {
        output.WriteLine("prog\t\tvers\tnetid\t  success\tfailure");
        for (RpcbAddressStat? a = stat.Lookups; a is not null; a = a.Next)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(a.Prog, SignedProgram(a.Prog)),-16}{unchecked((int)a.Vers)}\t{Printable(a.Netid)}\t  {a.Successes,-12}\t{a.Failures}"));
        }
    }

    /// <summary>A program number as native rpcinfo prints one it has no name for in the statistics: a C int.</summary>
    private static string SignedProgram(uint program) => unchecked((int)program).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>rpcinfo -d [-T netid] prognum versnum</c>: rpcbind version 3's UNSET over the local socket (127.0.0.1 where
    /// there is none), for one netid or, without -T, all. rpcbind decides who may: root, or the registration's owner.
    /// </summary>
    private async Task<int> DeleteAsync(string? netId, string[] operands)
    {
        if (operands.Length != 2)
        {
            throw new UsageException();
        }

        if (netId is not null && !NetIds.IsKnown(netId))
        {
            throw Fail($"rpcinfo: netid {netId} not supported");
        }

        var mapping = new RpcbMapping
        {
            Prog = ProgramNumber(operands[0]),
            Vers = VersionNumber(operands[1]),
            Netid = netId ?? string.Empty,
            Address = string.Empty,
            Owner = Environment.UserName, // rpcbind takes the owner from the connection, not from this
        };
        BinderTarget target = settings.LocalSocket is { } path ? new BinderTarget(path, null, RpcTransport.Tcp) : new BinderTarget(null, IPAddress.Loopback, RpcTransport.Tcp);
        bool removed;
        try
        {
            removed = await CallAsync(target, Rpcbind.RpcbindV3.Version, c => new RpcbindV3Client(c).UnsetAsync(mapping)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCallFailure(e))
        {
            removed = false;
        }

        return removed ? 0 : throw Fail($"rpcinfo: Could not delete registration for prog {operands[0]} version {operands[1]}");
    }
}
