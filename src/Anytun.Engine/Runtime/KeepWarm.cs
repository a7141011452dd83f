using System.Runtime.CompilerServices;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The carrier's keep-warm (idle mode <see cref="IdleMode.SingleThreadWarm"/>): while packets came within the last
/// second, the carrier's wait times out every millisecond and it goes straight back to waiting, so the CPU it runs on
/// never sleeps long enough to go cold. Measured on the 2-vCPU benchmark guest: a packet after 50 ms of sleep costs the
/// whole round trip (kernel and wake-ups included) far more than one after 1 ms; with the ticks a ping through the
/// tunnel went from 1.2-1.3× uanytun's round trip to level with it. Touching the codec in each tick as well was no
/// faster, and a 2 ms tick kept too little of the gain. The price is CPU while light traffic flows (about 4 % of a
/// core per endpoint on that guest); an idle tunnel (nothing for a second) sleeps without a timer, and under load the
/// pipeline runs without it. One carrier thread owns it.
/// </summary>
internal sealed class KeepWarm
{
    /// <summary>The carrier's wait while warm.</summary>
    public const int TickMilliseconds = 1;

    /// <summary>Ticks in a row without a packet after which the carrier sleeps until the next packet (about a second).</summary>
    public const int QuietTicksBeforeSleep = 1000;

    private int _quietTicks = QuietTicksBeforeSleep;
    private long _ticks;

    /// <summary>The carrier's poll() timeout: <see cref="TickMilliseconds"/> while warm, -1 (sleep) after a quiet second.</summary>
    public int WaitTimeout
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _quietTicks < QuietTicksBeforeSleep ? TickMilliseconds : -1;
    }

    /// <summary>Ticks so far (tests).</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>A packet came or went: stay warm for another second.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Traffic() => _quietTicks = 0;

    /// <summary>The wait timed out with nothing to do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Tick()
    {
        _quietTicks++;
        Interlocked.Increment(ref _ticks);
    }
}
