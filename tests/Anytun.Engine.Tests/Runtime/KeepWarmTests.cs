using System.Diagnostics;
using Anytun.Engine.Runtime;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>The carrier's keep-warm: ticks only while packets came within the last second, and only in the default
/// idle mode (its allocations are measured with the other loops in <see cref="TunnelAllocationTests"/>).</summary>
public sealed class KeepWarmTests
{
    [Fact]
    public void SleepsUntilTrafficThenStaysWarmForAQuietSecond()
    {
        var keepWarm = new KeepWarm();
        Assert.Equal(-1, keepWarm.WaitTimeout);

        keepWarm.Traffic();
        for (var i = 0; i < KeepWarm.QuietTicksBeforeSleep; i++)
        {
            Assert.Equal(KeepWarm.TickMilliseconds, keepWarm.WaitTimeout);
            keepWarm.Tick();
        }

        Assert.Equal(-1, keepWarm.WaitTimeout);
        Assert.Equal(KeepWarm.QuietTicksBeforeSleep, keepWarm.Ticks);

        keepWarm.Traffic();
        Assert.Equal(KeepWarm.TickMilliseconds, keepWarm.WaitTimeout);
    }

    /// <summary>A tunnel in the default mode: the carrier ticks after a packet, stops after a quiet second, and the
    /// packets still flow both ways meanwhile.</summary>
    [Fact]
    public async Task CarrierTicksAfterTrafficAndSleepsWhenQuiet()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right", idleMode: IdleMode.SingleThreadWarm);
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left", idleMode: IdleMode.SingleThreadWarm);

        a.Device.Inject(Ipv4Packet(100, 1));
        Assert.Equal(Ipv4Packet(100, 1), TakeWritten(b.Device));
        b.Device.Inject(Ipv4Packet(100, 2));
        Assert.Equal(Ipv4Packet(100, 2), TakeWritten(a.Device));

        Assert.True(TicksReach(a, minimum: 50, TimeSpan.FromSeconds(5)), $"A's carrier did not tick 50 times within 5 s after a packet (ticks: {TotalTicks(a)})");

        // A packet in the middle of the warm period goes through as usual.
        a.Device.Inject(Ipv4Packet(100, 3));
        Assert.Equal(Ipv4Packet(100, 3), TakeWritten(b.Device));

        // After a second without packets (plus the ticks' own timer slack) the carrier sleeps: the count stands still.
        var quiet = Stopwatch.StartNew();
        long settled;
        do
        {
            settled = TotalTicks(a);
            await Task.Delay(400);
        }
        while (TotalTicks(a) != settled && quiet.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(TotalTicks(a) == settled, $"A's carrier still ticked {quiet.Elapsed.TotalSeconds:0.0} s after the last packet (ticks: {TotalTicks(a)})");
    }

    [Theory]
    [InlineData("single")]
    [InlineData("pipeline")]
    public async Task OtherModesNeverTick(string modeName)
    {
        var mode = IdleModes.Parse(modeName);
        var portA = FreeUdpPort();
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right", idleMode: mode);
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left", idleMode: mode);
        a.Device.Inject(Ipv4Packet(100, 1));
        Assert.Equal(Ipv4Packet(100, 1), TakeWritten(b.Device));
        await Task.Delay(300);
        Assert.Equal(0, TotalTicks(a) + TotalTicks(b));
    }

    [Theory]
    [InlineData(null, "SingleThreadWarm")]
    [InlineData("warm", "SingleThreadWarm")]
    [InlineData("single", "SingleThread")]
    [InlineData(" Cold ", "SingleThread")]
    [InlineData("pipeline", "Pipeline")]
    [InlineData("off", "Pipeline")]
    public void EnvironmentValuesChooseTheMode(string? value, string expected) => Assert.Equal(expected, IdleModes.Parse(value).ToString());

    private static long TotalTicks(Side side) => side.Tunnel.Receivers.Sum(r => r.KeepWarmTicks);

    private static bool TicksReach(Side side, int minimum, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < deadline)
        {
            if (side.Tunnel.Receivers.Any(r => r.KeepWarmTicks >= minimum))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }
}
