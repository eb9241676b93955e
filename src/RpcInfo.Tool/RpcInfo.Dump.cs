using System.Globalization;
using System.Text;
using NetRpc.Runtime;
using NetRpc.Runtime.Binding;
using NetRpc.Runtime.Client;

namespace NetRpc.RpcInfo.Tool;

internal sealed partial class RpcInfo
{
    /// <summary>
    /// <c>rpcinfo [-T netid] [host]</c> and <c>rpcinfo -s [host]</c>: rpcbind's DUMP, asked in version 3 as native
    /// rpcinfo asks it, then version 4 or the portmapper's 2 when that is all the binder speaks; one line per
    /// registration, or per program with <paramref name="concise"/>.
    /// </summary>
    private async Task<int> DumpAsync(bool concise, string? netId, string[] operands)
    {
        if (operands.Length > 1)
        {
            throw new UsageException();
        }

        IReadOnlyList<RpcbMapping> mappings = await AskRpcbindAsync(operands.FirstOrDefault(), netId, CantContactRpcbind, DumpAsync).ConfigureAwait(false);
        if (mappings.Count == 0)
        {
            output.WriteLine("No remote programs registered.");
        }
        else if (concise)
        {
            PrintConcise(mappings);
        }
        else
        {
            output.WriteLine("   program version netid     address                service    owner");
            foreach (RpcbMapping m in mappings)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Prog,10}{m.Vers,5}    {Printable(m.Netid),-9} {Printable(m.Address),-22} {Name(m.Prog),-10} {Printable(m.Owner)}"));
            }
        }

        return 0;
    }

    private async Task<IReadOnlyList<RpcbMapping>> DumpAsync(BinderTarget target)
    {
        try
        {
            return List(await CallAsync(target, Rpcbind.RpcbindV3.Version, c => new RpcbindV3Client(c).DumpAsync()).ConfigureAwait(false));
        }
        catch (RpcProgramMismatchException e) when (e.Low == Rpcbind.RpcbindV4.Version)
        {
            return List(await CallAsync(target, Rpcbind.RpcbindV4.Version, c => new RpcbindV4Client(c).DumpAsync()).ConfigureAwait(false));
        }
        catch (RpcProgramMismatchException e) when (e.High == Portmapper.PortmapperV2.Version)
        {
            // A portmapper alone: its list, written as rpcbind's (netid from the protocol, the address any-host at the port).
            PortMappingList? ports = await CallAsync(target, Portmapper.PortmapperV2.Version, c => new PortmapperV2Client(c).DumpAsync()).ConfigureAwait(false);
            var mappings = new List<RpcbMapping>();
            for (; ports is not null; ports = ports.Next)
            {
                PortMapping p = ports.Mapping;
                mappings.Add(new RpcbMapping
                {
                    Prog = p.Prog,
                    Vers = p.Vers,
                    Netid = p.Protocol switch { 17 => "udp", 6 => "tcp", _ => string.Create(CultureInfo.InvariantCulture, $"{p.Protocol,6}") },
                    Address = string.Create(CultureInfo.InvariantCulture, $"0.0.0.0.{(p.Port >> 8) & 0xFF}.{p.Port & 0xFF}"),
                    Owner = "unknown",
                });
            }

            return mappings;
        }
        catch (Exception e) when (e is RpcProgramMismatchException or RpcProgramUnavailableException)
        {
            return []; // a binder of no version rpcinfo knows: native rpcinfo lists nothing, and says so
        }

        static IReadOnlyList<RpcbMapping> List(RpcbMappingList? node)
        {
            var mappings = new List<RpcbMapping>();
            for (; node is not null; node = node.Next)
            {
                mappings.Add(node.Mapping);
            }

            return mappings;
        }
    }

    /// <summary>
    /// One line per program, in the order the programs first come: its versions and netids, each list with the last
    /// seen first (native rpcinfo prepends), the owner of its first registration.
    /// </summary>
    private void PrintConcise(IReadOnlyList<RpcbMapping> mappings)
    {
        var programs = new List<(uint Program, List<uint> Versions, List<string> NetIds, string Owner)>();
        foreach (RpcbMapping m in mappings)
        {
            int index = programs.FindIndex(p => p.Program == m.Prog);
            if (index < 0)
            {
                programs.Add((m.Prog, [], [], m.Owner));
                index = programs.Count - 1;
            }

            (_, List<uint> versions, List<string> netIds, _) = programs[index];
            if (!versions.Contains(m.Vers))
            {
                versions.Insert(0, m.Vers);
            }

            if (!netIds.Contains(m.Netid, StringComparer.Ordinal))
            {
                netIds.Insert(0, m.Netid);
            }
        }

        output.WriteLine("   program version(s) netid(s)                         service     owner");
        foreach ((uint program, List<uint> versions, List<string> netIds, string owner) in programs)
        {
            // Versions print as C ints; netids fill a buffer of 255 characters at most, as native's.
            string versionList = string.Join(',', versions.Select(v => unchecked((int)v).ToString(CultureInfo.InvariantCulture)));
            string pad = versionList.Length < 10 ? new string(' ', 10 - versionList.Length) : " ";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{program,10}  {versionList}{pad}{NetIdList(netIds),-32} {Name(program),-11} {Printable(owner)}"));
        }
    }

    /// <summary>The netids joined by commas into at most 255 characters, cut where native rpcinfo's strncat cuts.</summary>
    private static string NetIdList(List<string> netIds)
    {
        var text = new StringBuilder();
        int room = 255;
        for (int i = 0; i < netIds.Count; i++)
        {
            string netId = Printable(netIds[i]);
            text.Append(netId.Length <= room ? netId : netId[..room]);
            if (netId.Length >= room)
            {
                break;
            }

            room -= netId.Length;
            if (i + 1 < netIds.Count && room > 1)
            {
                text.Append(',');
                room--;
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>rpcinfo -p [host]</c>: the portmapper's DUMP (version 2). With a host, rpcbind's own address is looked up
    /// first, over TCP, as native rpcinfo's ip_getclient does; without one, the local socket is asked.
    /// </summary>
    private async Task<int> PortmapperDumpAsync(string[] operands)
    {
        if (operands.Length > 1)
        {
            throw new UsageException();
        }

        BinderTarget target;
        if (operands is [string host])
        {
            System.Net.IPEndPoint at = await LocateForPingAsync(host, Rpcbind.Program, Portmapper.PortmapperV2.Version, RpcTransport.Tcp, port: 0, createPrefix: host).ConfigureAwait(false);
            target = new BinderTarget(null, at.Address, RpcTransport.Tcp, at.Port);
        }
        else
        {
            target = settings.LocalSocket is { } path ? new BinderTarget(path, null, RpcTransport.Tcp) : new BinderTarget(null, System.Net.IPAddress.Loopback, RpcTransport.Tcp);
        }

        PortMappingList? list;
        try
        {
            list = await CallAsync(target, Portmapper.PortmapperV2.Version, c => new PortmapperV2Client(c).DumpAsync()).ConfigureAwait(false);
        }
        catch (RpcProgramMismatchException e)
        {
            throw e.Low > Portmapper.PortmapperV2.Version ? Fail($"{operands.FirstOrDefault()} does not support portmapper.  Try rpcinfo {operands.FirstOrDefault()} instead") : new FailedException();
        }
        catch (RpcProgramUnavailableException)
        {
            throw new FailedException();
        }
        catch (Exception e) when (IsCallFailure(e))
        {
            RpcError failure = RpcError.From(e, target.Transport);
            throw Fail(failure.IsConnectFailure ? NoConnection(failure, operands.Length == 0).Create(CantContactPortmapper) : failure.Call(CantContactPortmapper));
        }

        if (list is null)
        {
            output.WriteLine("No remote programs registered.");
            return 0;
        }

        output.WriteLine("   program vers proto   port  service");
        for (; list is not null; list = list.Next)
        {
            PortMapping m = list.Mapping;
            string protocol = m.Protocol switch { 17 => "udp", 6 => "tcp", _ => m.Protocol.ToString(CultureInfo.InvariantCulture) };
            string name = settings.Names.NameOf(m.Prog) is { } n ? "  " + Printable(n) : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Prog,10}{m.Vers,5}{protocol,6}{m.Port,7}{name}"));
        }

        return 0;
    }
}
