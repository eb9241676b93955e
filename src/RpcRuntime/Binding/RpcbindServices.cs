using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Binding;

/// <summary>
/// What the three binder versions share: the registry, the statistics, the transports served, the caller checks,
/// and the address merge.
/// </summary>
internal sealed class RpcbindCore(RpcbindRegistry registry, RpcbindServerOptions options, Func<IReadOnlyList<HostInterface>>? interfaces = null)
{
    /// <summary>How many forwarded calls may be pending at once (native rpcbind's limit).</summary>
    public const int MaxForwards = 64;

    private readonly SemaphoreSlim _forwards = new(MaxForwards, MaxForwards);
    private readonly Func<IReadOnlyList<HostInterface>> _interfaces = interfaces ?? HostInterfaces.Current;
    private volatile FrozenSet<string> _netIds = FrozenSet<string>.Empty;

    public RpcbindRegistry Registry { get; } = registry;

    public RpcbindStatistics Statistics { get; } = new();

    /// <summary>
    /// Whether this binder serves a netid (native rpcbind's rpcbind_get_conf: tcp and udp, tcp6 and udp6, local, as
    /// it listens). Lookups are counted only on netids served, and GETADDRLIST does not answer at all when the program
    /// version is registered on any other (say <c>unix</c>).
    /// </summary>
    public bool Serves(string netId) => _netIds.Contains(netId);

    /// <summary>Says which netids are served now (the server's sockets are opened one after the other).</summary>
    public void Serve(IEnumerable<string> netIds) => _netIds = netIds.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>SET and UNSET: only from this host, as native rpcbind; others are refused with AUTH_ERROR (AUTH_TOOWEAK), not FALSE.</summary>
    public void CheckMayRegister(Caller caller)
    {
        if (!caller.IsLoopback && !options.AllowRemoteRegistration)
        {
            throw RpcReplyException.Denied(AuthStatus.TooWeak);
        }
    }

    /// <summary>
    /// The address a registration is answered with, or null where native rpcbind's mergeaddr finds none (then
    /// GETADDR answers the registration's own address and GETADDRLIST leaves it out). As rpcbind 1.2.6 does it
    /// (addrmerge, observed, docs/rpcbind.md): the host's interface whose network holds the hint (the query's
    /// r_addr when it is not empty, else the caller's own address), else the first of the caller's family that is
    /// up, a loopback or point-to-point one only when there is no other; its address, with the port of the
    /// registration. So on loopback any IPv4 registration (0.0.0.0.p1.p2, 10.1.2.3.p1.p2) is answered
    /// 127.0.0.1.p1.p2. Null for a caller on the local socket, which has no address to merge with, for a hint or a
    /// registration that is not an address of the netid's family, and for a netid not served.
    /// </summary>
    public string? Merge(Caller caller, string netId, string registered, string? hint)
    {
        AddressFamily? family = Netconfig.FamilyOf(netId);
        if (!Serves(netId) || caller.IsLocal || family != caller.Family)
        {
            return null;
        }

        IPAddress near = caller.Address;
        if (hint is not null)
        {
            if (!TransportAddress.TryParse(caller.Family, hint, out IPAddress? hinted, out _))
            {
                return null;
            }

            near = hinted;
        }

        if (caller.Address.Equals(IPAddress.Any) || caller.Address.Equals(IPAddress.IPv6Any))
        {
            return registered; // a "local caller" to addrmerge: its address says nothing of where it is
        }

        if (Nearest(near, caller.Address) is not { } chosen || !TransportAddress.TryParse(caller.Family, registered, out _, out ushort port))
        {
            return null;
        }

        return TransportAddress.Format(chosen.Address, port);
    }

    /// <summary>addrmerge's walk over the interfaces: the first on <paramref name="near"/>'s network, else the best one of its family that is up.</summary>
    private HostInterface? Nearest(IPAddress near, IPAddress caller)
    {
        HostInterface? best = null;
        foreach (HostInterface candidate in _interfaces())
        {
            if (candidate.Address.AddressFamily != near.AddressFamily || !candidate.IsUp)
            {
                continue;
            }

            if (candidate.Address.IsIPv6LinkLocal && caller.IsIPv6LinkLocal && near.IsIPv6LinkLocal)
            {
                if (candidate.Address.ScopeId == caller.ScopeId)
                {
                    return candidate;
                }
            }
            else if (candidate.Mask is { } mask && SameNetwork(candidate.Address, near, mask))
            {
                return candidate;
            }

            if (best is null || (!candidate.IsLoopbackOrPointToPoint && best.IsLoopbackOrPointToPoint))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static bool SameNetwork(IPAddress a, IPAddress b, byte[] mask)
    {
        byte[] x = a.GetAddressBytes();
        byte[] y = b.GetAddressBytes();
        for (int i = 0; i < x.Length && i < mask.Length; i++)
        {
            if (((x[i] ^ y[i]) & mask[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// CALLIT, BCAST and INDIRECT that came over UDP (<see cref="CountedProgram"/> drops the others), as native
    /// rpcbind takes them: never to the programs it refuses to forward to (AUTH_TOOWEAK, even for CALLIT); counted
    /// in the statistics once the registry is asked; for a program not registered INDIRECT replies PROG_UNAVAIL, for
    /// another version PROG_MISMATCH, while CALLIT and BCAST stay silent. Only then, and only with
    /// <see cref="RpcbindServerOptions.ForwardCalls"/> (native rpcbind's -r), is the call forwarded, to the program's
    /// UDP address, at most <see cref="MaxForwards"/> at once; without it INDIRECT gets SYSTEM_ERR and the others no
    /// reply. The forwarded call carries AUTH_NONE: a caller's AUTH_SYS credential is not passed on.
    /// </summary>
    public async ValueTask<(IPEndPoint Target, string Registered, byte[] Results)> ForwardAsync(uint binderVersion, RemoteCall call, Caller caller, bool indirect, CancellationToken cancellationToken)
    {
        if (call.Proc != 0 && IsNeverForwarded(call.Prog, call.Proc, options.AllowRemoteRegistration))
        {
            throw RpcReplyException.Denied(AuthStatus.TooWeak);
        }

        Registration? found = Registry.Find(call.Prog, call.Vers, caller.NetId, exactVersion: false);
        Statistics.Forwarded(binderVersion, indirect, call.Prog, call.Vers, call.Proc, caller.NetId, found?.Version == call.Vers);
        if (found is null || (indirect && Merge(caller, caller.NetId, found.Address, null) is null))
        {
            throw indirect ? RpcReplyException.WithStatus(AcceptStatus.ProgramUnavailable) : RpcReplyException.WithoutReply();
        }

        if (found.Version != call.Vers)
        {
            (uint low, uint high) = Registry.Versions(call.Prog, caller.NetId);
            throw indirect ? RpcReplyException.WithProgramMismatch(low, high) : RpcReplyException.WithoutReply();
        }

        if (!options.ForwardCalls)
        {
            throw indirect ? RpcReplyException.WithStatus(AcceptStatus.SystemError) : RpcReplyException.WithoutReply();
        }

        if (!UniversalAddress.TryParse(found.Address, out IPEndPoint? target))
        {
            throw indirect ? RpcReplyException.WithStatus(AcceptStatus.ProgramUnavailable) : RpcReplyException.WithoutReply();
        }

        if (target.Address.Equals(IPAddress.Any) || target.Address.Equals(IPAddress.IPv6Any))
        {
            target = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, target.Port);
        }

        if (!_forwards.Wait(0))
        {
            throw RpcReplyException.WithoutReply(); // too many forwards pending: as native rpcbind, drop it
        }

        try
        {
            using RpcClient client = RpcClient.CreateUdp(target, call.Prog, call.Vers, new RpcClientOptions { Timeout = options.ForwardTimeout });
            RawMessage results = await client.CallAsync<RawMessage, RawMessage>(call.Proc, new RawMessage(call.Arguments), cancellationToken).ConfigureAwait(false);
            return (target, found.Address, results.Bytes);
        }
        catch (RpcException e)
        {
            throw !indirect ? RpcReplyException.WithoutReply() : e switch
            {
                RpcProgramUnavailableException => RpcReplyException.WithStatus(AcceptStatus.ProgramUnavailable),
                RpcProgramMismatchException mismatch => RpcReplyException.WithProgramMismatch(mismatch.Low, mismatch.High),
                RpcProcedureUnavailableException => RpcReplyException.WithStatus(AcceptStatus.ProcedureUnavailable),
                RpcGarbageArgumentsException => RpcReplyException.WithStatus(AcceptStatus.GarbageArguments),
                RpcTimeoutException => RpcReplyException.WithoutReply(),
                _ => RpcReplyException.WithStatus(AcceptStatus.SystemError),
            };
        }
        finally
        {
            _forwards.Release();
        }
    }

    /// <summary>Native rpcbind's list of what it never forwards: itself (unless -i), NFS, MOUNT's MNT and UMNT, YPBIND's SETDOM, YPPASSWD, RQUOTA, and NIS's ALL, MATCH, FIRST and NEXT.</summary>
    private static bool IsNeverForwarded(uint program, uint procedure, bool insecure) => program switch
    {
        Rpcbind.Program => !insecure,
        100003 or 100009 or 100011 => true,
        100005 => procedure is 1 or 3,
        100007 => procedure == 2,
        100004 => procedure is 3 or 4 or 5 or 8,
        _ => false,
    };

    public static RpcbMappingList? ToList(IEnumerable<Registration> registrations)
    {
        RpcbMappingList? head = null;
        foreach (Registration entry in registrations.Reverse())
        {
            head = new RpcbMappingList
            {
                Mapping = new RpcbMapping { Prog = entry.Program, Vers = entry.Version, Netid = entry.NetId, Address = entry.Address, Owner = entry.Owner },
                Next = head,
            };
        }

        return head;
    }
}

/// <summary>The portmapper, version 2 (RFC 1833 section 3). Its calls are counted by <see cref="CountedProgram"/>.</summary>
internal sealed class PortmapperService(RpcbindCore core) : PortmapperV2ServiceBase
{
    private RpcbindRegistry Registry => core.Registry;

    public override ValueTask<bool> SetAsync(PortMapping portMapping, RpcCallContext context)
    {
        Caller caller = Caller.Of(context);
        core.CheckMayRegister(caller);
        if (UniversalAddress.PortmapperNetId(portMapping.Protocol) is not { } netId)
        {
            return ValueTask.FromResult(false);
        }

        // A version 2 registration is for any address of this host, as native rpcbind stores it.
        bool set = Registry.Set(new Registration(portMapping.Prog, portMapping.Vers, netId, UniversalAddress.Format(new IPEndPoint(IPAddress.Any, (int)(portMapping.Port & 0xFFFF))), caller.Owner));
        core.Statistics.Changed(2, set: true, set);
        return ValueTask.FromResult(set);
    }

    /// <summary>UNSET removes the program version on tcp, then on udp, each as a version 3 UNSET would; TRUE when either said TRUE.</summary>
    public override ValueTask<bool> UnsetAsync(PortMapping portMapping, RpcCallContext context)
    {
        Caller caller = Caller.Of(context);
        core.CheckMayRegister(caller);
        bool tcp = Registry.Unset(portMapping.Prog, portMapping.Vers, "tcp", caller.Owner);
        bool udp = Registry.Unset(portMapping.Prog, portMapping.Vers, "udp", caller.Owner);
        core.Statistics.Changed(2, set: false, tcp || udp);
        return ValueTask.FromResult(tcp || udp);
    }

    /// <summary>GETPORT looks among the portmapper's entries as native rpcbind's find_service_pmap does: the first of that version, else the last of another.</summary>
    public override ValueTask<uint> GetPortAsync(PortMapping portMapping, RpcCallContext context)
    {
        uint port = 0;
        if (UniversalAddress.PortmapperNetId(portMapping.Protocol) is { } netId && core.Serves(netId))
        {
            PortMapping? found = null;
            foreach (PortMapping entry in Entries())
            {
                if (entry.Prog == portMapping.Prog && entry.Protocol == portMapping.Protocol)
                {
                    found = entry;
                    if (entry.Vers == portMapping.Vers)
                    {
                        break;
                    }
                }
            }

            port = found?.Port ?? 0;
            core.Statistics.LookedUp(2, portMapping.Prog, portMapping.Vers, netId, port != 0);
        }

        return ValueTask.FromResult(port);
    }

    public override ValueTask<PortMappingList?> DumpAsync(RpcCallContext context)
    {
        List<PortMapping> entries = Entries();
        PortMappingList? head = null;
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            head = new PortMappingList { Mapping = entries[i], Next = head };
        }

        return ValueTask.FromResult(head);
    }

    public override async ValueTask<PortCallResult> CallitAsync(RemoteCall remoteCall, RpcCallContext context)
    {
        (IPEndPoint target, _, byte[] results) = await core.ForwardAsync(2, remoteCall, Caller.Of(context), indirect: false, context.CallAborted).ConfigureAwait(false);
        return new PortCallResult { Port = (uint)target.Port, Results = results };
    }

    /// <summary>
    /// The portmapper's view of the registry, as native rpcbind's list_pml holds it: the registrations on netids
    /// exactly <c>tcp</c> and <c>udp</c> (when served), each with the port uaddr2port reads from its address.
    /// </summary>
    private List<PortMapping> Entries()
    {
        var entries = new List<PortMapping>();
        foreach (Registration entry in Registry.All())
        {
            if (entry.NetId is "tcp" or "udp" && core.Serves(entry.NetId) && TransportAddress.PortmapperPort(entry.Address) is { } port)
            {
                entries.Add(new PortMapping { Prog = entry.Program, Vers = entry.Version, Protocol = UniversalAddress.PortmapperProtocol(entry.NetId == "tcp" ? RpcTransport.Tcp : RpcTransport.Udp), Port = port });
            }
        }

        return entries;
    }
}

/// <summary>rpcbind, versions 3 and 4 (RFC 1833 section 2): the procedures both have, for either version.</summary>
internal sealed class RpcbindVersion(RpcbindCore core, uint version)
{
    private RpcbindRegistry Registry => core.Registry;

    public bool Set(RpcbMapping mapping, RpcCallContext context)
    {
        Caller caller = Caller.Of(context);
        core.CheckMayRegister(caller);
        // The caller's r_owner is ignored: the owner is who the caller is.
        bool set = mapping.Owner.Length <= RpcbindRegistry.MaxOwnerLength &&
            Registry.Set(new Registration(mapping.Prog, mapping.Vers, mapping.Netid, mapping.Address, caller.Owner));
        core.Statistics.Changed(version, set: true, set);
        return set;
    }

    public bool Unset(RpcbMapping mapping, RpcCallContext context)
    {
        Caller caller = Caller.Of(context);
        core.CheckMayRegister(caller);
        bool unset = Registry.Unset(mapping.Prog, mapping.Vers, mapping.Netid, caller.Owner);
        core.Statistics.Changed(version, set: false, unset);
        return unset;
    }

    /// <summary>
    /// GETADDR (and GETVERSADDR, <paramref name="exactVersion"/>) answer for the netid of the transport the query came
    /// on (<c>local</c> on the local socket), whatever r_netid says; GETADDR falls back to another version. The address
    /// is merged with the caller's (or the hint in r_addr) as native rpcbind merges it; where that finds none, the
    /// registration's own (always so for a caller on the local socket).
    /// </summary>
    public string GetAddress(RpcbMapping mapping, RpcCallContext context, bool exactVersion)
    {
        Caller caller = Caller.Of(context);
        Registration? found = Registry.Find(mapping.Prog, mapping.Vers, caller.NetId, exactVersion);
        string address = found is null ? string.Empty : core.Merge(caller, caller.NetId, found.Address, mapping.Address.Length == 0 ? null : mapping.Address) ?? found.Address;
        core.Statistics.LookedUp(version, mapping.Prog, mapping.Vers, caller.NetId, address.Length > 0);
        return address;
    }

    /// <summary>CALLIT, BCAST, INDIRECT: the forwarded call's results, and the universal address it went to.</summary>
    public async ValueTask<RpcbCallResult> ForwardAsync(RemoteCall call, RpcCallContext context, bool indirect)
    {
        var caller = Caller.Of(context);
        (IPEndPoint target, string registered, byte[] results) = await core.ForwardAsync(version, call, caller, indirect, context.CallAborted).ConfigureAwait(false);

        // The program's address as the caller can reach it, as native rpcbind merges it (not the loopback address the call went to).
        return new RpcbCallResult { Address = core.Merge(caller, caller.NetId, registered, null) ?? UniversalAddress.Format(target), Results = results };
    }

    public RpcbMappingList? Dump() => RpcbindCore.ToList(Registry.All());

    public static uint Time() => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>UADDR2TADDR: the sockaddr of a universal address in the caller's transport's family (a path on the local socket); empty when it is none.</summary>
    public static Netbuf ToTransportAddress(string universal, RpcCallContext context) => TransportAddress.FromUniversal(Caller.Of(context).Family, universal);

    /// <summary>TADDR2UADDR: the universal address of a sockaddr read in the caller's transport's family; empty when it is too short.</summary>
    public static string ToUniversalAddress(Netbuf transport, RpcCallContext context) => TransportAddress.ToUniversal(Caller.Of(context).Family, transport.Buf);
}

internal sealed class RpcbindV3Service(RpcbindCore core) : RpcbindV3ServiceBase
{
    private readonly RpcbindVersion _binder = new(core, 3);

    public override ValueTask<bool> SetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Set(rpcbMapping, context));

    public override ValueTask<bool> UnsetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Unset(rpcbMapping, context));

    public override ValueTask<string> GetAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: false));

    public override ValueTask<RpcbMappingList?> DumpAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Dump());

    public override ValueTask<RpcbCallResult> CallitAsync(RemoteCall remoteCall, RpcCallContext context) => _binder.ForwardAsync(remoteCall, context, indirect: false);

    public override ValueTask<uint> GetTimeAsync(RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.Time());

    public override ValueTask<Netbuf> UaddrToTaddrAsync(string arg1, RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.ToTransportAddress(arg1, context));

    public override ValueTask<string> TaddrToUaddrAsync(Netbuf netbuf, RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.ToUniversalAddress(netbuf, context));
}

internal sealed class RpcbindV4Service(RpcbindCore core) : RpcbindV4ServiceBase
{
    private readonly RpcbindVersion _binder = new(core, 4);

    public override ValueTask<bool> SetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Set(rpcbMapping, context));

    public override ValueTask<bool> UnsetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Unset(rpcbMapping, context));

    public override ValueTask<string> GetAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: false));

    public override ValueTask<RpcbMappingList?> DumpAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Dump());

    public override ValueTask<RpcbCallResult> BcastAsync(RemoteCall remoteCall, RpcCallContext context) => _binder.ForwardAsync(remoteCall, context, indirect: false);

    public override ValueTask<uint> GetTimeAsync(RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.Time());

    public override ValueTask<Netbuf> UaddrToTaddrAsync(string arg1, RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.ToTransportAddress(arg1, context));

    public override ValueTask<string> TaddrToUaddrAsync(Netbuf netbuf, RpcCallContext context) => ValueTask.FromResult(RpcbindVersion.ToUniversalAddress(netbuf, context));

    public override ValueTask<string> GetVersAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: true));

    public override ValueTask<RpcbCallResult> IndirectAsync(RemoteCall remoteCall, RpcCallContext context) => _binder.ForwardAsync(remoteCall, context, indirect: true);

    /// <summary>
    /// GETADDRLIST, as native rpcbind answers it: the program version's registrations on netids of the caller's
    /// transport's family (inet, inet6, loopback), in the order made, each merged as GETADDR merges and left out where
    /// that finds no address (so a caller on the local socket gets none). When the version is registered on a netid
    /// this binder does not serve (say <c>unix</c>), no reply at all. Counted as a lookup on the caller's netid that
    /// succeeded when the last registration merged had an address.
    /// </summary>
    public override ValueTask<RpcbEntryList?> GetAddrListAsync(RpcbMapping rpcbMapping, RpcCallContext context)
    {
        Caller caller = Caller.Of(context);
        string? hint = rpcbMapping.Address.Length == 0 ? null : rpcbMapping.Address;
        var entries = new List<RpcbEntry>();
        string? merged = null;
        foreach (Registration entry in core.Registry.All())
        {
            if (entry.Program != rpcbMapping.Prog || entry.Version != rpcbMapping.Vers)
            {
                continue;
            }

            if (!core.Serves(entry.NetId))
            {
                throw RpcReplyException.WithoutReply();
            }

            if (Netconfig.FamilyOf(entry.NetId) != caller.Family)
            {
                continue;
            }

            merged = core.Merge(caller, entry.NetId, entry.Address, hint);
            if (merged is not null)
            {
                entries.Add(Netconfig.Describe(entry.NetId, merged));
            }
        }

        core.Statistics.LookedUp(4, rpcbMapping.Prog, rpcbMapping.Vers, caller.NetId, !string.IsNullOrEmpty(merged));
        RpcbEntryList? head = null;
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            head = new RpcbEntryList { Entry = entries[i], Next = head };
        }

        return ValueTask.FromResult(head);
    }

    public override ValueTask<RpcbStat[]> GetStatAsync(RpcCallContext context) => ValueTask.FromResult(core.Statistics.Snapshot());
}

/// <summary>A message body passed through as it is: a forwarded call's arguments, or its results.</summary>
internal readonly record struct RawMessage(byte[] Bytes) : IXdrCodec<RawMessage>
{
    public static int MinEncodedSize => 0;

    public static RawMessage Decode(ref XdrReader reader) => new(reader.ReadFixedOpaque(checked((int)reader.Remaining)));

    public void Encode(ref XdrWriter writer) => writer.WriteFixedOpaque(Bytes, Bytes.Length);
}
