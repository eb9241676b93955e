using NetRpc.Runtime.Auth;
using NetRpc.Runtime.Messages;

namespace NetRpc.Runtime.Tests;

/// <summary>RPCSEC_GSS's credential on the wire and the server's sequence window (RFC 2203 sections 5 and 5.3.3.1).</summary>
public sealed class RpcsecGssTests
{
    [Fact]
    public void The_credential_is_version_procedure_sequence_service_and_handle()
    {
        var credential = new GssCredential(GssProcedure.Data, 7, RpcsecGssService.Integrity, new byte[] { 1, 2, 3, 4, 5 });
        OpaqueAuth wire = credential.ToOpaqueAuth();
        Assert.Equal(AuthFlavor.RpcsecGss, wire.Flavor);
        Assert.Equal(
            [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0],
            wire.Body.ToArray());
        Assert.True(GssCredential.TryDecode(wire.Body, out GssCredential back));
        Assert.Equal((GssProcedure.Data, 7u, RpcsecGssService.Integrity), (back.Procedure, back.Sequence, back.Service));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, back.Handle.ToArray());
    }

    [Theory]
    [InlineData("00000002 00000000 00000001 00000001 00000000")]          // version 2
    [InlineData("00000001 00000004 00000001 00000001 00000000")]          // no such procedure
    [InlineData("00000001 00000000 00000001 00000004 00000000")]          // no such service
    [InlineData("00000001 00000000 00000001 00000000 00000000")]          // service 0
    [InlineData("00000001 00000000 00000001 00000001 00000004 0102")]     // handle cut short
    [InlineData("00000001 00000000 00000001 00000001 00000002 01020300")] // padding not zero
    [InlineData("00000001 00000000 00000001 00000001 00000000 00000000")] // bytes after the handle
    [InlineData("00000001 00000000 00000001 00000001 00000041")]          // a handle over 64 bytes
    [InlineData("00000001 00000000 00000001")]                            // too short
    public void A_malformed_credential_is_refused(string hex)
    {
        Assert.False(GssCredential.TryDecode(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), out _));
    }

    [Fact]
    public void The_window_takes_each_number_once_in_any_order_within_its_size()
    {
        var window = new GssSequenceWindow(128);
        Assert.True(window.TryAccept(1));
        Assert.True(window.TryAccept(3));
        Assert.True(window.TryAccept(2));      // late, within the window
        Assert.False(window.TryAccept(2));     // a replay
        Assert.False(window.TryAccept(3));
        Assert.True(window.TryAccept(200));    // forward past the window
        Assert.False(window.TryAccept(72));    // 200 - 72 = 128: below the window now
        Assert.True(window.TryAccept(73));     // the lowest number still within it
        Assert.False(window.TryAccept(73));
        Assert.False(window.TryAccept(200));
        Assert.True(window.TryAccept(199));
    }

    [Fact]
    public void Numbers_the_window_moved_past_are_forgotten_and_new_ones_in_their_slots_are_taken()
    {
        var window = new GssSequenceWindow(64);
        for (uint s = 0; s < 64; s++)
        {
            Assert.True(window.TryAccept(s));
        }

        // 64 to 127 share the slots of 0 to 63: each is new.
        for (uint s = 64; s < 128; s++)
        {
            Assert.True(window.TryAccept(s));
            Assert.False(window.TryAccept(s - 64)); // below the window
        }

        Assert.True(window.TryAccept(1000));
        Assert.All(Enumerable.Range(937, 63), s => Assert.True(window.TryAccept((uint)s)));
        Assert.False(window.TryAccept(936));
    }

    [Fact]
    public void Concurrent_callers_get_each_number_once()
    {
        var window = new GssSequenceWindow(1024);
        int accepted = 0;
        Parallel.For(0, 8, _ =>
        {
            for (uint s = 0; s < 1000; s++)
            {
                if (window.TryAccept(s))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        });
        Assert.Equal(1000, accepted);
    }
}
