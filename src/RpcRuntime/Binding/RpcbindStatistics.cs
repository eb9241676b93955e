namespace NetRpc.Runtime.Binding;

/// <summary>
/// What GETSTAT answers (and <c>rpcinfo -m</c> prints), counted as native rpcbind 1.2.6 counts it (observed,
/// docs/rpcbind.md): per binder version (v2, v3, v4) the calls to each procedure, counted when a call is dispatched,
/// before its arguments are read or its caller checked; the SETs and UNSETs
/// that returned TRUE; the lookups (GETPORT, GETADDR, GETVERSADDR, GETADDRLIST) per program, version and netid with
/// how many found an address; the calls to forward (CALLIT, BCAST, INDIRECT) per program, version, procedure and
/// netid. Lists come newest first, as native rpcbind prepends. Native rpcbind's lists grow without end; these keep
/// their first <see cref="MaxListEntries"/> keys and count nothing new after them.
/// </summary>
internal sealed class RpcbindStatistics
{
    /// <summary>The most keys each list holds, per binder version.</summary>
    public const int MaxListEntries = 256;

    private readonly VersionStats[] _versions = [new(), new(), new()];

    /// <summary>Counts a call to <paramref name="procedure"/> of binder version <paramref name="binderVersion"/> (2, 3 or 4).</summary>
    public void Called(uint binderVersion, uint procedure)
    {
        int[] procedures = _versions[binderVersion - 2].Procedures;
        if (procedure < (uint)procedures.Length)
        {
            Interlocked.Increment(ref procedures[procedure]);
        }
    }

    /// <summary>Counts a SET or UNSET; only those that returned TRUE count.</summary>
    public void Changed(uint binderVersion, bool set, bool succeeded)
    {
        if (!succeeded)
        {
            return;
        }

        VersionStats stats = _versions[binderVersion - 2];
        Interlocked.Increment(ref set ? ref stats.Sets : ref stats.Unsets);
    }

    /// <summary>Counts a lookup of a program version on a netid, and whether it found an address.</summary>
    public void LookedUp(uint binderVersion, uint program, uint version, string netId, bool found)
    {
        VersionStats stats = _versions[binderVersion - 2];
        lock (stats)
        {
            if (stats.Lookups.Entry((program, version, 0, netId)) is { } entry)
            {
                entry.Counts[found ? 0 : 1]++;
            }
        }
    }

    /// <summary>
    /// Counts a call to forward that got as far as the registry: a success when the program is registered in that
    /// version. The third count, "indirect", is native rpcbind's: 1 when the key is first seen, whatever the procedure,
    /// then one more for each INDIRECT.
    /// </summary>
    public void Forwarded(uint binderVersion, bool indirect, uint program, uint version, uint procedure, string netId, bool registered)
    {
        VersionStats stats = _versions[binderVersion - 2];
        lock (stats)
        {
            if (stats.Calls.Entry((program, version, procedure, netId)) is { } entry)
            {
                entry.Counts[registered ? 0 : 1]++;
                entry.Counts[2] += entry.IsNew || indirect ? 1 : 0;
            }
        }
    }

    /// <summary>GETSTAT's answer: for v2, v3 and v4 in turn.</summary>
    public RpcbStat[] Snapshot() => [.. _versions.Select(stats =>
    {
        RpcbAddressStat? lookups = null;
        RpcbCallStat? calls = null;
        lock (stats)
        {
            foreach (((uint program, uint version, _, string netId), int[] counts) in stats.Lookups.Oldest())
            {
                lookups = new RpcbAddressStat { Prog = program, Vers = version, Netid = netId, Successes = counts[0], Failures = counts[1], Next = lookups };
            }

            foreach (((uint program, uint version, uint procedure, string netId), int[] counts) in stats.Calls.Oldest())
            {
                calls = new RpcbCallStat { Prog = program, Vers = version, Proc = procedure, Netid = netId, Successes = counts[0], Failures = counts[1], Indirect = counts[2], Next = calls };
            }
        }

        return new RpcbStat
        {
            Procedures = [.. stats.Procedures],
            Sets = Volatile.Read(ref stats.Sets),
            Unsets = Volatile.Read(ref stats.Unsets),
            Lookups = lookups,
            Calls = calls,
        };
    })];

    /// <summary>Counts by program, version, procedure (0 for lookups) and netid, in the order the keys came.</summary>
    private sealed class CountList
    {
        private readonly Dictionary<(uint, uint, uint, string), int[]> _counts = [];
        private readonly List<(uint, uint, uint, string)> _order = [];

        /// <summary>The counts of a key (a new key's when there is room); null when the list is full.</summary>
        public (int[] Counts, bool IsNew)? Entry((uint, uint, uint, string) key)
        {
            if (_counts.TryGetValue(key, out int[]? counts))
            {
                return (counts, false);
            }

            if (_order.Count >= MaxListEntries)
            {
                return null;
            }

            _counts.Add(key, counts = new int[3]);
            _order.Add(key);
            return (counts, true);
        }

        public IEnumerable<((uint, uint, uint, string) Key, int[] Counts)> Oldest() => _order.Select(key => (key, _counts[key]));
    }

    private sealed class VersionStats
    {
        public readonly int[] Procedures = new int[RpcbindConstants.StatProcedures];
        public readonly CountList Lookups = new();
        public readonly CountList Calls = new();
        public int Sets;
        public int Unsets;
    }
}
