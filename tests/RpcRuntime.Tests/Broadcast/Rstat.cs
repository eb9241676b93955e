using NetRpc.Runtime.Server;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Tests.Broadcast;

/// <summary>
/// rstat.x's version 3 (RSTATVERS_TIME), as much as rup asks of it: RSTATPROC_STATS answers a statstime (RFC-less, from
/// Debian's /usr/include/rpcsvc/rstat.x). NetRpc's "rstatd" answers a load of 1, 2 and 3 and two days of uptime, so
/// that rup's line for it is told from the native daemon's.
/// </summary>
internal static class Rstat
{
    public const uint Program = 100001;
    public const uint Version = 3;
    public const uint Stats = 1;

    public static RpcProgram Service() => new RpcProgramBuilder(Program, Version, "RSTATPROG")
        .AddProcedure<XdrVoid, StatsTime>(Stats, "RSTATPROC_STATS", (_, _) =>
        {
            int now = (int)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return ValueTask.FromResult(new StatsTime([1 * 256, 2 * 256, 3 * 256], now - (2 * 86400), now));
        })
        .Build();
}

/// <summary>statstime: 26 words, of which the load averages (scaled by FSCALE, 256) and the boot and current times are kept.</summary>
internal sealed record StatsTime(int[] LoadAverage, int BootTime, int CurrentTime) : IXdrCodec<StatsTime>
{
    public static StatsTime Decode(ref XdrReader reader)
    {
        for (int i = 0; i < 4 + 4 + 5 + 4 + 1; i++)
        {
            reader.ReadInt32(); // cp_time, dk_xfer, v_pgpgin..v_intr, if_ipackets..if_collisions, v_swtch
        }

        int[] load = [reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()];
        int boot = reader.ReadInt32();
        reader.ReadInt32();
        int current = reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadInt32(); // if_opackets
        return new StatsTime(load, boot, current);
    }

    public void Encode(ref XdrWriter writer)
    {
        for (int i = 0; i < 4 + 4 + 5 + 4 + 1; i++)
        {
            writer.WriteInt32(0);
        }

        foreach (int load in LoadAverage)
        {
            writer.WriteInt32(load);
        }

        writer.WriteInt32(BootTime);
        writer.WriteInt32(0);
        writer.WriteInt32(CurrentTime);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
    }
}
