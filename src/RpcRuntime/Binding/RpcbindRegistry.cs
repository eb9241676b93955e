namespace NetRpc.Runtime.Binding;

/// <summary>One registration: a program version on a transport at a universal address, and who made it.</summary>
internal sealed record Registration(uint Program, uint Version, string NetId, string Address, string Owner);

/// <summary>
/// The embedded rpcbind's registrations, kept as native rpcbind 1.2.6 keeps them (observed, docs/rpcbind.md): in
/// the order made; netids compared without regard to ASCII case; SET of an identical mapping succeeds, of the same
/// program, version and netid at another address fails; UNSET removes what its caller owns (the superuser removes
/// anything) and stops, FALSE, at the first it may not remove; lookups fall back to another version of the program.
/// Bounded, where native rpcbind is not: a registry that is full refuses further SETs, and so does a quota per owner,
/// with part of the registry only the superuser may fill.
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

    private readonly List<Registration> _entries = [];
    private readonly Dictionary<string, int> _perOwner = new(StringComparer.Ordinal);
    private int _notSuperuser;
    private int _own;
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
            if (FindLocked(registration.Program, registration.Version, registration.NetId) is { } registered && registered.Version == registration.Version)
            {
                return registered.Address == registration.Address;
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
    /// Records one of rpcbind's own registrations (superuser's), after those before it but ahead of any other, as
    /// native rpcbind has its own at the head of its list: a SET that comes while the server is still registering
    /// itself stays behind them.
    /// </summary>
    public void SetOwn(Registration registration)
    {
        lock (_lock)
        {
            _entries.Insert(_own++, registration);
        }
    }

    /// <summary>
    /// Removes the registrations of a program version on <paramref name="netId"/> (on every netid when empty), in the
    /// order made, as native rpcbind does: at the first one <paramref name="owner"/> may not remove it stops and
    /// answers FALSE, keeping what it removed before; otherwise TRUE, also when there was nothing to remove.
    /// </summary>
    public bool Unset(uint program, uint version, string netId, string owner)
    {
        lock (_lock)
        {
            for (int i = 0; i < _entries.Count;)
            {
                Registration entry = _entries[i];
                if (entry.Program != program || entry.Version != version || (netId.Length > 0 && !SameNetId(entry.NetId, netId)))
                {
                    i++;
                    continue;
                }

                if (owner != Superuser && entry.Owner != owner)
                {
                    return false;
                }

                _entries.RemoveAt(i);
                _own -= i < _own ? 1 : 0;
                Released(entry.Owner);
            }

            return true;
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

    /// <summary>
    /// The registration of a program version on a netid, as native rpcbind's find_service finds it: the first of
    /// that version; failing one, the last of another version (unless <paramref name="exactVersion"/>).
    /// </summary>
    public Registration? Find(uint program, uint version, string netId, bool exactVersion)
    {
        lock (_lock)
        {
            Registration? found = FindLocked(program, version, netId);
            return exactVersion && found?.Version != version ? null : found;
        }
    }

    /// <summary>
    /// The lowest and highest version of a program registered on a netid (0, 0 when none), as native rpcbind's
    /// find_versions has them for PROG_MISMATCH: the first version seen is both, then each later one lowers the low or
    /// raises the high.
    /// </summary>
    public (uint Low, uint High) Versions(uint program, string netId)
    {
        lock (_lock)
        {
            (uint low, uint high) = (0, 0);
            foreach (Registration entry in _entries)
            {
                if (entry.Program != program || !SameNetId(entry.NetId, netId))
                {
                    continue;
                }

                if (low == 0)
                {
                    (low, high) = (entry.Version, entry.Version);
                }
                else if (entry.Version < low)
                {
                    low = entry.Version;
                }
                else if (entry.Version > high)
                {
                    high = entry.Version;
                }
            }

            return (low, high);
        }
    }

    /// <summary>Every registration, in the order made.</summary>
    public Registration[] All()
    {
        lock (_lock)
        {
            return [.. _entries];
        }
    }

    private Registration? FindLocked(uint program, uint version, string netId)
    {
        Registration? found = null;
        foreach (Registration entry in _entries)
        {
            if (entry.Program != program || !SameNetId(entry.NetId, netId))
            {
                continue;
            }

            found = entry;
            if (entry.Version == version)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>strcasecmp: equal but for the case of ASCII letters.</summary>
    private static bool SameNetId(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && (!char.IsAsciiLetter(a[i]) || !char.IsAsciiLetter(b[i]) || (a[i] | 0x20) != (b[i] | 0x20)))
            {
                return false;
            }
        }

        return true;
    }
}
