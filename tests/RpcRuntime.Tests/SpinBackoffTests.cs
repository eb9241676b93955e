using NetRpc.Runtime.Transports;

namespace NetRpc.Runtime.Tests;

/// <summary>When a server's waits stop spinning, and when they spin again (<see cref="SpinBackoff"/>).</summary>
public class SpinBackoffTests
{
    [Fact]
    public void Waits_spin_until_four_spins_in_a_row_find_nothing_then_only_every_eighth_spins()
    {
        var backoff = default(SpinBackoff);
        for (int i = 0; i < SpinBackoff.MissesToPause; i++)
        {
            Assert.True(backoff.ShouldSpin());
            backoff.Spun(found: false);
        }

        // Paused: seven waits sleep at once, the eighth probes.
        for (int round = 0; round < 3; round++)
        {
            for (int i = 1; i < SpinBackoff.ProbeEvery; i++)
            {
                Assert.False(backoff.ShouldSpin());
            }

            Assert.True(backoff.ShouldSpin());
            backoff.Spun(found: false);
        }
    }

    [Fact]
    public void A_spin_that_finds_work_makes_every_wait_spin_again_and_misses_apart_do_not_pause()
    {
        var backoff = default(SpinBackoff);
        for (int i = 0; i < SpinBackoff.MissesToPause; i++)
        {
            backoff.Spun(found: false);
        }

        // Paused: within one round of waits, one probes.
        int waits = 1;
        while (!backoff.ShouldSpin())
        {
            Assert.True(++waits <= SpinBackoff.ProbeEvery, $"no probe in {SpinBackoff.ProbeEvery} waits");
        }

        backoff.Spun(found: true); // the probe found a call: calls come close together again
        for (int i = 0; i < 100; i++)
        {
            Assert.True(backoff.ShouldSpin());
            backoff.Spun(found: i % SpinBackoff.MissesToPause != 0); // a miss now and then, never four in a row
        }
    }
}
