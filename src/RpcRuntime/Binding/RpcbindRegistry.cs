using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetRpc.Runtime.Server;

namespace NetRpc.Runtime.Binding;

/// <summary>One registration: a program version on a transport at a universal address, and who made it.</summary>
internal sealed record Registration(uint Program, uint Version, string NetId, string Address, string Owner);

/// <summary>
/// The embedded rpcbind's state, kept as native rpcbind 1.2.6 keeps it (observed, docs/rpcbind.md): SET of
/// an identical mapping succeeds, of the same program, version and netid at another address fails; UNSET
/// removes what its caller owns (the superuser removes anything); lookups fall back to another version of
/// the program; and the statistics of GET_STAT. Bounded, where native rpcbind is not: a registry that is full
/// refuses further SETs, and so does a quota per owner, with part of the registry only the superuser may fill.
/// </summary>
/// <remarks>
/// Any local user can register (an unprivileged caller over loopback is owner "unknown", one on the local socket
/// is its uid), so without quotas one user filled all <c>maxRegistrations</c> and root's servers could not
/// register. Now each owner but the superuser holds at most <c>maxPerOwner</c>, and all of them together at
/// most <c>maxRegistrations - reservedForSuperuser</c>: however many users and registrations, the superuser
/// always has its reserve. The superuser's own SETs count against <c>maxRegistrations</c> only.
/// </remarks>
internal sealed class RpcbindRegistry(int maxRegistrations, int maxPerOwner, int reservedForSuperuser)
{
    /// <summary>The owner native rpcbind records for root: on the local socket uid 0, over loopback a privileged port.</summary>
    public const string Superuser = "superuser";

    /// <summary>What GET_STAT counts per binder version (v2, v3, v4); RFC 1833's RPCBSTAT_HIGHPROC procedures each.</summary>
    private readonly VersionStats[] _stats = [new(), new(), new()];
    private readonly List<Registration> _entries = [];
    private readonly Dictionary<string, int> _perOwner = new(StringComparer.Ordinal);
    private int _notSuperuser;
    private readonly object _lock = new();

    public const int MaxNetIdLength = 32;
    public const int MaxAddressLength = 128;
    public const int MaxOwnerLength = 64;

    /// <summary>
    /// Records <paramref name="registration"/>; false when the same program, version and netid is registered
    /// elsewhere, the registry is full, or (for an owner other than the superuser) its owner's quota or the share
    /// of all such owners is.
    /// </summary>
    public bool Set(Registration registration)
    {
        if (registration.NetId.Length is 0 or > MaxNetIdLength || registration.Address.Length is 0 or > MaxAddressLength)
        {
            return false;
        }

        lock (_lock)
        {
            foreach (Registration entry in _entries)
            {
                if (entry.Program == registration.Program && entry.Version == registration.Version && entry.NetId == registration.NetId)
                {
                    return entry.Address == registration.Address;
                }
            }

            if (_entries.Count >= maxRegistrations)
            {
                return false;
            }

            bool superuser = registration.Owner == Superuser;
            if (!superuser && (_notSuperuser >= maxRegistrations - reservedForSuperuser || _perOwner.GetValueOrDefault(registration.Owner) >= maxPerOwner))
            {
                return false;
            }

            _entries.Add(registration);
            if (!superuser)
            {
                _notSuperuser++;
                _perOwner[registration.Owner] = _perOwner.GetValueOrDefault(registration.Owner) + 1;
            }

            return true;
        }
    }

    /// <summary>
    /// Removes the registrations of a program version on <paramref name="netIds"/> (all of them when empty) that
    /// <paramref name="owner"/> may remove. False only when some were there and none could be removed.
    /// </summary>
    public bool Unset(uint program, uint version, IReadOnlyCollection<string> netIds, string owner, bool superuser)
    {
        lock (_lock)
        {
            int matching = 0;
            int removed = _entries.RemoveAll(entry =>
            {
                if (entry.Program != program || entry.Version != version || (netIds.Count > 0 && !netIds.Contains(entry.NetId)))
                {
                    return false;
                }

                matching++;
                if (!superuser && entry.Owner != owner)
                {
                    return false;
                }

                Released(entry.Owner);
                return true;
            });
            return matching == 0 || removed > 0;
        }
    }

    /// <summary>Gives a removed registration's place back to its owner's quota.</summary>
    private void Released(string owner)
    {
        if (owner == Superuser)
        {
            return;
        }

        _notSuperuser--;
        if (--_perOwner[owner] == 0)
        {
            _perOwner.Remove(owner);
        }
    }

    /// <summary>The registration of a program version on a netid; unless <paramref name="exactVersion"/>, another version's when that one is missing.</summary>
    public Registration? Find(uint program, uint version, string netId, bool exactVersion)
    {
        lock (_lock)
        {
            Registration? other = null;
            foreach (Registration entry in _entries)
            {
                if (entry.Program != program || entry.NetId != netId)
                {
                    continue;
                }

                if (entry.Version == version)
                {
                    return entry;
                }

                other ??= entry;
            }

            return exactVersion ? null : other;
        }
    }

    /// <summary>Every registration, in the order made.</summary>
    /// <summary>The lowest and highest version of a program registered on a netid (0, 0 when none).</summary>
    public (uint Low, uint High) Versions(uint program, string netId)
    {
        lock (_lock)
        {
            uint[] versions = [.. _entries.Where(e => e.Program == program && e.NetId == netId).Select(e => e.Version)];
            return versions.Length == 0 ? (0, 0) : (versions.Min(), versions.Max());
        }
    }

    public Registration[] All()
    {
        lock (_lock)
        {
            return [.. _entries];
        }
    }

    /// <summary>Counts a call to <paramref name="procedure"/> of binder version <paramref name="binderVersion"/> (2, 3 or 4).</summary>
    public void Called(uint binderVersion, uint procedure)
    {
        VersionStats stats = _stats[binderVersion - 2];
        if (procedure < (uint)stats.Procedures.Length)
        {
            Interlocked.Increment(ref stats.Procedures[procedure]);
        }
    }

    public void Counted(uint binderVersion, bool set)
    {
        VersionStats stats = _stats[binderVersion - 2];
        if (set)
        {
            Interlocked.Increment(ref stats.Sets);
        }
        else
        {
            Interlocked.Increment(ref stats.Unsets);
        }
    }

    /// <summary>Counts a lookup (GET_PORT, GET_ADDR, ...) of a program version on a netid, and whether it found an address.</summary>
    public void LookedUp(uint binderVersion, uint program, uint version, string netId, bool found)
    {
        VersionStats stats = _stats[binderVersion - 2];
        lock (stats)
        {
            (uint, uint, string) key = (program, version, netId);
            if (!stats.Lookups.TryGetValue(key, out int[]? counts))
            {
                if (stats.Lookups.Count >= 256)
                {
                    return; // bounded, as rpcbind bounds its list
                }

                stats.Lookups[key] = counts = new int[2];
                stats.Order.Add(key);
            }

            counts[found ? 0 : 1]++;
        }
    }

    /// <summary>GET_STAT's answer: for v2, v3 and v4, the calls per procedure, the SETs and UNSETs, and the lookups.</summary>
    public RpcbStat[] Statistics() => [.. _stats.Select(stats =>
    {
        RpcbAddressStat? head = null;
        lock (stats)
        {
            for (int i = stats.Order.Count - 1; i >= 0; i--)
            {
                (uint program, uint version, string netId) = stats.Order[i];
                int[] counts = stats.Lookups[stats.Order[i]];
                head = new RpcbAddressStat { Prog = program, Vers = version, Netid = netId, Successes = counts[0], Failures = counts[1], Next = head };
            }
        }

        return new RpcbStat
        {
            Procedures = [.. stats.Procedures],
            Sets = Volatile.Read(ref stats.Sets),
            Unsets = Volatile.Read(ref stats.Unsets),
            Lookups = head,
        };
    })];

    private sealed class VersionStats
    {
        public readonly int[] Procedures = new int[RpcbindConstants.StatProcedures];
        public readonly Dictionary<(uint, uint, string), int[]> Lookups = [];
        public readonly List<(uint, uint, string)> Order = [];
        public int Sets;
        public int Unsets;
    }
}

/// <summary>What the binder knows of a caller: where it is, what transport it used, and what it may do.</summary>
internal readonly record struct Caller(IPEndPoint Remote, RpcTransport Transport, LocalPeer? Local = null)
{
    /// <summary>The caller's address with IPv4-mapped IPv6 written as IPv4.</summary>
    public IPAddress Address => Remote.Address.IsIPv4MappedToIPv6 ? Remote.Address.MapToIPv4() : Remote.Address;

    public AddressFamily Family => Address.AddressFamily;

    /// <summary>The netid of the transport the call came on: GET_ADDR answers for it, whatever the query says.</summary>
    public string NetId => UniversalAddress.NetId(Transport, Family);

    /// <summary>On this host's loopback or its local socket: native rpcbind takes SET and UNSET only from such callers.</summary>
    public bool IsLoopback => Local is not null || IPAddress.IsLoopback(Address);

    /// <summary>
    /// The owner native rpcbind records: on the local socket the caller's user ("superuser" for root, else the
    /// uid); over the network "superuser" for a loopback caller on a privileged port, else "unknown".
    /// </summary>
    public string Owner => Local is { } local
        ? local.UserId switch { 0 => RpcbindRegistry.Superuser, uint uid => uid.ToString(CultureInfo.InvariantCulture), null => "unknown" }
        : IsLoopback && Remote.Port < 1024 ? RpcbindRegistry.Superuser : "unknown";

    /// <summary>The address of this host the caller reached: what a registration made for any address (0.0.0.0) becomes in answers.</summary>
    public IPAddress LocalAddress()
    {
        if (IsLoopback)
        {
            return Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        }

        // The source address the host would use to reach the caller: a connected UDP socket sends nothing.
        try
        {
            using var probe = new Socket(Family, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(Address, 9);
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
    }
}
