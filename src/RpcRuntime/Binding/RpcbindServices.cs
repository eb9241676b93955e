using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Messages;
using NetRpc.Xdr;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.Binding;

/// <summary>What the three binder versions share: the registry, the caller checks, and address rewriting.</summary>
internal sealed class RpcbindCore(RpcbindRegistry registry, RpcbindServerOptions options)
{
    /// <summary>How many forwarded calls may be pending at once (native rpcbind's limit).</summary>
    public const int MaxForwards = 64;

    private readonly SemaphoreSlim _forwards = new(MaxForwards, MaxForwards);

    public RpcbindRegistry Registry { get; } = registry;

    public static Caller CallerOf(RpcCallContext context) =>
        new(context.RemoteEndPoint ?? new IPEndPoint(IPAddress.Loopback, 0), context.Transport, context.Local);

    /// <summary>SET and UNSET: only from this host, as native rpcbind; others are refused with AUTH_ERROR (AUTH_TOOWEAK), not FALSE.</summary>
    public void CheckMayRegister(Caller caller)
    {
        if (!caller.IsLoopback && !options.AllowRemoteRegistration)
        {
            throw RpcReplyException.Denied(AuthStatus.TooWeak);
        }
    }

    /// <summary>An address registered for any host (0.0.0.0, ::) as the caller reached this one: native rpcbind's rewrite.</summary>
    public static string Answer(Registration registration, Caller caller)
    {
        if (UniversalAddress.TryParse(registration.Address, out IPEndPoint? endPoint) &&
            (endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)))
        {
            return UniversalAddress.Format(new IPEndPoint(caller.LocalAddress(), endPoint.Port));
        }

        return registration.Address;
    }

    /// <summary>Calls not forwarded: CALLIT and BCAST get no reply, as from native rpcbind without -r; INDIRECT, whose errors are replied, gets SYSTEM_ERR over UDP.</summary>
    public static RpcReplyException NoForwarding(Caller caller, bool indirect) =>
        indirect && caller.Transport == RpcTransport.Udp ? RpcReplyException.WithStatus(AcceptStatus.SystemError) : RpcReplyException.WithoutReply();

    /// <summary>
    /// CALLIT, BCAST and INDIRECT with <see cref="RpcbindServerOptions.ForwardCalls"/> (native rpcbind's -r):
    /// over UDP only, to the program's UDP address, at most <see cref="MaxForwards"/> at once, never to the
    /// programs native rpcbind refuses to forward to (AUTH_TOOWEAK). CALLIT and BCAST are silent on every error;
    /// INDIRECT replies PROG_UNAVAIL, PROG_MISMATCH or the forwarded call's failure. The forwarded call carries
    /// AUTH_NONE: a caller's AUTH_SYS credential is not passed on.
    /// </summary>
    public async ValueTask<(IPEndPoint Target, byte[] Results)> ForwardAsync(RemoteCall call, Caller caller, bool indirect, CancellationToken cancellationToken)
    {
        if (!options.ForwardCalls || caller.Transport != RpcTransport.Udp)
        {
            throw NoForwarding(caller, indirect);
        }

        if (call.Proc != 0 && IsNeverForwarded(call.Prog, call.Proc, options.AllowRemoteRegistration))
        {
            throw RpcReplyException.Denied(AuthStatus.TooWeak);
        }

        Registration? found = Registry.Find(call.Prog, call.Vers, caller.NetId, exactVersion: false);
        if (found is null || !UniversalAddress.TryParse(found.Address, out IPEndPoint? target))
        {
            throw indirect ? RpcReplyException.WithStatus(AcceptStatus.ProgramUnavailable) : RpcReplyException.WithoutReply();
        }

        if (found.Version != call.Vers)
        {
            (uint low, uint high) = Registry.Versions(call.Prog, caller.NetId);
            throw indirect ? RpcReplyException.WithProgramMismatch(low, high) : RpcReplyException.WithoutReply();
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
            return (target, results.Bytes);
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

    /// <summary>UADDR_TO_TADDR: the sockaddr of the host (Linux's layout) for a universal address of the caller's family; empty when it is not one.</summary>
    public static Netbuf ToTransportAddress(string universal, Caller caller)
    {
        if (!UniversalAddress.TryParse(universal, out IPEndPoint? endPoint) || endPoint.AddressFamily != caller.Family)
        {
            return new Netbuf();
        }

        byte[] sockaddr = new byte[endPoint.AddressFamily == AddressFamily.InterNetwork ? 16 : 28];
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, endPoint.AddressFamily == AddressFamily.InterNetwork ? (ushort)2 : (ushort)10);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr.AsSpan(2), (ushort)endPoint.Port);
        endPoint.Address.GetAddressBytes().CopyTo(sockaddr.AsSpan(endPoint.AddressFamily == AddressFamily.InterNetwork ? 4 : 8));
        return new Netbuf { Maxlen = (uint)sockaddr.Length, Buf = sockaddr };
    }

    /// <summary>TADDR_TO_UADDR: the universal address of a sockaddr in Linux's layout; empty when it is not one of IPv4 or IPv6.</summary>
    public static string ToUniversalAddress(Netbuf transport)
    {
        byte[] buf = transport.Buf;
        if (buf.Length >= 16 && BinaryPrimitives.ReadUInt16LittleEndian(buf) == 2)
        {
            return UniversalAddress.Format(new IPEndPoint(new IPAddress(buf.AsSpan(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(2))));
        }

        if (buf.Length >= 28 && BinaryPrimitives.ReadUInt16LittleEndian(buf) == 10)
        {
            return UniversalAddress.Format(new IPEndPoint(new IPAddress(buf.AsSpan(8, 16)), BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(2))));
        }

        return string.Empty;
    }
}

/// <summary>The portmapper, version 2 (RFC 1833 section 3).</summary>
internal sealed class PortmapperService(RpcbindCore core) : PortmapperV2ServiceBase
{

    private RpcbindRegistry Registry => core.Registry;

    public override ValueTask NullAsync(RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.Null);
        return default;
    }

    public override ValueTask<bool> SetAsync(PortMapping portMapping, RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.Set);
        Caller caller = RpcbindCore.CallerOf(context);
        core.CheckMayRegister(caller);
        if (UniversalAddress.PortmapperNetId(portMapping.Protocol) is not { } netId)
        {
            return ValueTask.FromResult(false);
        }

        // A version 2 registration is for any address of this host, as native rpcbind stores it.
        bool set = Registry.Set(new Registration(portMapping.Prog, portMapping.Vers, netId, UniversalAddress.Format(new IPEndPoint(IPAddress.Any, (int)(portMapping.Port & 0xFFFF))), caller.Owner));
        if (set)
        {
            Registry.Counted(2, set: true);
        }

        return ValueTask.FromResult(set);
    }

    public override ValueTask<bool> UnsetAsync(PortMapping portMapping, RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.Unset);
        Caller caller = RpcbindCore.CallerOf(context);
        core.CheckMayRegister(caller);
        bool unset = Registry.Unset(portMapping.Prog, portMapping.Vers, ["tcp", "udp"], caller.Owner, caller.Owner == RpcbindRegistry.Superuser);
        if (unset)
        {
            Registry.Counted(2, set: false);
        }

        return ValueTask.FromResult(unset);
    }

    public override ValueTask<uint> GetPortAsync(PortMapping portMapping, RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.GetPort);
        uint port = 0;
        if (UniversalAddress.PortmapperNetId(portMapping.Protocol) is { } netId)
        {
            Registration? found = Registry.Find(portMapping.Prog, portMapping.Vers, netId, exactVersion: false);
            if (found is not null && UniversalAddress.TryParse(found.Address, out IPEndPoint? endPoint))
            {
                port = (uint)endPoint.Port;
            }

            Registry.LookedUp(2, portMapping.Prog, portMapping.Vers, netId, port != 0);
        }

        return ValueTask.FromResult(port);
    }

    public override ValueTask<PortMappingList?> DumpAsync(RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.Dump);
        PortMappingList? head = null;
        foreach (Registration entry in Registry.All().Reverse())
        {
            if (entry.NetId is "tcp" or "udp" && UniversalAddress.TryParse(entry.Address, out IPEndPoint? endPoint))
            {
                head = new PortMappingList
                {
                    Mapping = new PortMapping { Prog = entry.Program, Vers = entry.Version, Protocol = UniversalAddress.PortmapperProtocol(entry.NetId == "tcp" ? RpcTransport.Tcp : RpcTransport.Udp), Port = (uint)endPoint.Port },
                    Next = head,
                };
            }
        }

        return ValueTask.FromResult(head);
    }

    public override async ValueTask<PortCallResult> CallitAsync(RemoteCall remoteCall, RpcCallContext context)
    {
        Registry.Called(2, Portmapper.PortmapperV2.Callit);
        (IPEndPoint target, byte[] results) = await core.ForwardAsync(remoteCall, RpcbindCore.CallerOf(context), indirect: false, context.CallAborted).ConfigureAwait(false);
        return new PortCallResult { Port = (uint)target.Port, Results = results };
    }
}

/// <summary>rpcbind, versions 3 and 4 (RFC 1833 section 2): the procedures both have, for either version.</summary>
internal sealed class RpcbindVersion(RpcbindCore core, uint version)
{
    private RpcbindRegistry Registry => core.Registry;

    public void Called(uint procedure) => Registry.Called(version, procedure);

    public bool Set(RpcbMapping mapping, RpcCallContext context)
    {
        Called(Rpcbind.RpcbindV4.Set);
        Caller caller = RpcbindCore.CallerOf(context);
        core.CheckMayRegister(caller);
        // The caller's r_owner is ignored: the owner is who the caller is.
        bool set = mapping.Owner.Length <= RpcbindRegistry.MaxOwnerLength &&
            Registry.Set(new Registration(mapping.Prog, mapping.Vers, mapping.Netid, mapping.Address, caller.Owner));
        if (set)
        {
            Registry.Counted(version, set: true);
        }

        return set;
    }

    public bool Unset(RpcbMapping mapping, RpcCallContext context)
    {
        Called(Rpcbind.RpcbindV4.Unset);
        Caller caller = RpcbindCore.CallerOf(context);
        core.CheckMayRegister(caller);
        bool unset = Registry.Unset(mapping.Prog, mapping.Vers, mapping.Netid.Length == 0 ? [] : [mapping.Netid], caller.Owner, caller.Owner == RpcbindRegistry.Superuser);
        if (unset)
        {
            Registry.Counted(version, set: false);
        }

        return unset;
    }

    /// <summary>GET_ADDR answers for the transport the query came on, falls back to another version, and rewrites any-address registrations.</summary>
    public string GetAddress(RpcbMapping mapping, RpcCallContext context, bool exactVersion)
    {
        Caller caller = RpcbindCore.CallerOf(context);
        Registration? found = Registry.Find(mapping.Prog, mapping.Vers, caller.NetId, exactVersion);
        Registry.LookedUp(version, mapping.Prog, mapping.Vers, caller.NetId, found is not null);
        return found is null ? string.Empty : RpcbindCore.Answer(found, caller);
    }

    /// <summary>CALLIT, BCAST, INDIRECT: the forwarded call's results, and the universal address it went to.</summary>
    public async ValueTask<RpcbCallResult> ForwardAsync(RemoteCall call, RpcCallContext context, bool indirect)
    {
        Caller caller = RpcbindCore.CallerOf(context);
        (IPEndPoint target, byte[] results) = await core.ForwardAsync(call, caller, indirect, context.CallAborted).ConfigureAwait(false);
        return new RpcbCallResult { Address = UniversalAddress.Format(target), Results = results };
    }

    public RpcbMappingList? Dump()
    {
        Called(Rpcbind.RpcbindV4.Dump);
        return RpcbindCore.ToList(Registry.All());
    }

    public uint Time()
    {
        Called(Rpcbind.RpcbindV4.GetTime);
        return (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public Netbuf ToTransportAddress(string universal, RpcCallContext context)
    {
        Called(Rpcbind.RpcbindV4.UaddrToTaddr);
        return RpcbindCore.ToTransportAddress(universal, RpcbindCore.CallerOf(context));
    }

    public string ToUniversalAddress(Netbuf transport)
    {
        Called(Rpcbind.RpcbindV4.TaddrToUaddr);
        return RpcbindCore.ToUniversalAddress(transport);
    }
}

internal sealed class RpcbindV3Service(RpcbindCore core) : RpcbindV3ServiceBase
{
    private readonly RpcbindVersion _binder = new(core, 3);

    public override ValueTask NullAsync(RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV3.Null);
        return default;
    }

    public override ValueTask<bool> SetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Set(rpcbMapping, context));

    public override ValueTask<bool> UnsetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Unset(rpcbMapping, context));

    public override ValueTask<string> GetAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV3.GetAddr);
        return ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: false));
    }

    public override ValueTask<RpcbMappingList?> DumpAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Dump());

    public override ValueTask<RpcbCallResult> CallitAsync(RemoteCall remoteCall, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV3.Callit);
        return _binder.ForwardAsync(remoteCall, context, indirect: false);
    }

    public override ValueTask<uint> GetTimeAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Time());

    public override ValueTask<Netbuf> UaddrToTaddrAsync(string arg1, RpcCallContext context) => ValueTask.FromResult(_binder.ToTransportAddress(arg1, context));

    public override ValueTask<string> TaddrToUaddrAsync(Netbuf netbuf, RpcCallContext context) => ValueTask.FromResult(_binder.ToUniversalAddress(netbuf));
}

internal sealed class RpcbindV4Service(RpcbindCore core) : RpcbindV4ServiceBase
{
    private readonly RpcbindVersion _binder = new(core, 4);

    public override ValueTask NullAsync(RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.Null);
        return default;
    }

    public override ValueTask<bool> SetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Set(rpcbMapping, context));

    public override ValueTask<bool> UnsetAsync(RpcbMapping rpcbMapping, RpcCallContext context) => ValueTask.FromResult(_binder.Unset(rpcbMapping, context));

    public override ValueTask<string> GetAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.GetAddr);
        return ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: false));
    }

    public override ValueTask<RpcbMappingList?> DumpAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Dump());

    public override ValueTask<RpcbCallResult> BcastAsync(RemoteCall remoteCall, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.Bcast);
        return _binder.ForwardAsync(remoteCall, context, indirect: false);
    }

    public override ValueTask<uint> GetTimeAsync(RpcCallContext context) => ValueTask.FromResult(_binder.Time());

    public override ValueTask<Netbuf> UaddrToTaddrAsync(string arg1, RpcCallContext context) => ValueTask.FromResult(_binder.ToTransportAddress(arg1, context));

    public override ValueTask<string> TaddrToUaddrAsync(Netbuf netbuf, RpcCallContext context) => ValueTask.FromResult(_binder.ToUniversalAddress(netbuf));

    public override ValueTask<string> GetVersAddrAsync(RpcbMapping rpcbMapping, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.GetVersAddr);
        return ValueTask.FromResult(_binder.GetAddress(rpcbMapping, context, exactVersion: true));
    }

    public override ValueTask<RpcbCallResult> IndirectAsync(RemoteCall remoteCall, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.Indirect);
        return _binder.ForwardAsync(remoteCall, context, indirect: true);
    }

    /// <summary>GET_ADDR_LIST: the program version's addresses on the caller's address family, with each transport's description.</summary>
    public override ValueTask<RpcbEntryList?> GetAddrListAsync(RpcbMapping rpcbMapping, RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.GetAddrList);
        Caller caller = RpcbindCore.CallerOf(context);
        RpcbEntryList? head = null;
        foreach (Registration entry in core.Registry.All().Reverse())
        {
            if (entry.Program == rpcbMapping.Prog && entry.Version == rpcbMapping.Vers &&
                UniversalAddress.TryParseNetId(entry.NetId, out RpcTransport transport, out AddressFamily family) && family == caller.Family)
            {
                head = new RpcbEntryList
                {
                    Entry = new RpcbEntry
                    {
                        Address = RpcbindCore.Answer(entry, caller),
                        Netid = entry.NetId,
                        Semantics = transport == RpcTransport.Tcp ? 3u : 1u, // NC_TPI_COTS_ORD, NC_TPI_CLTS
                        ProtocolFamily = family == AddressFamily.InterNetwork ? "inet" : "inet6",
                        Protocol = transport == RpcTransport.Tcp ? "tcp" : "udp",
                    },
                    Next = head,
                };
            }
        }

        return ValueTask.FromResult(head);
    }

    public override ValueTask<RpcbStat[]> GetStatAsync(RpcCallContext context)
    {
        _binder.Called(Rpcbind.RpcbindV4.GetStat);
        return ValueTask.FromResult(core.Registry.Statistics());
    }
}

/// <summary>A message body passed through as it is: a forwarded call's arguments, or its results.</summary>
internal readonly record struct RawMessage(byte[] Bytes) : IXdrCodec<RawMessage>
{
    public static int MinEncodedSize => 0;

    public static RawMessage Decode(ref XdrReader reader) => new(reader.ReadFixedOpaque(checked((int)reader.Remaining)));

    public void Encode(ref XdrWriter writer) => writer.WriteFixedOpaque(Bytes, Bytes.Length);
}
