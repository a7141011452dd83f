using System.Diagnostics;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Chooses who waits on the device: under light traffic ONE receiver thread (the carrier) polls its socket and the device
/// at once and carries a request and its answer without a thread hand-off (the single-thread mode, as in a select()
/// daemon); under load the sender thread waits on the device again (the two-thread pipeline, both directions in
/// parallel). The carrier switches to the pipeline when it handles more than <see cref="PipelineAbove"/> packets in a
/// window; the sender switches back after <see cref="QuietWindows"/> windows below <see cref="SingleBelow"/>.
/// Who reads the device is always decided by the sender's gate, so a switch never lets two threads read at once; the
/// mode only decides who sleeps on it. Switches are rare; the packet path reads one volatile field.
/// </summary>
internal sealed class LoadModeSwitch
{
    /// <summary>The measuring window of both decisions.</summary>
    public const int WindowMilliseconds = 10;

    /// <summary>Packets in a window (both directions, the carrier's count) above which the pipeline takes over (50 kpps).</summary>
    public const int PipelineAbove = 500;

    /// <summary>Packets in a window (every loop's count) below which a window counts as quiet (5 kpps).</summary>
    public const int SingleBelow = 50;

    /// <summary>Quiet windows in a row before the single-thread mode returns.</summary>
    public const int QuietWindows = 3;

    public static readonly long WindowTicks = Stopwatch.Frequency * WindowMilliseconds / 1000;

    /// <summary>The sender thread parks on this (Monitor.Wait: nothing allocated per switch, unlike a lazily built event).</summary>
    private readonly object _park = new();
    private volatile ReceiverLoop? _carrier;
    private long _switches;

    /// <summary>The receiver that waits on the device while in single-thread mode; null in pipeline mode.</summary>
    public ReceiverLoop? Carrier => _carrier;

    /// <summary>Mode changes so far (both directions).</summary>
    public long Switches => Interlocked.Read(ref _switches);

    public LoadModeSwitch(bool spinAfterSend)
    {
        SpinAfterSend = spinAfterSend;
    }

    /// <summary>The carrier polls without sleeping for a round trip after each send.</summary>
    public bool SpinAfterSend { get; }

    /// <summary>Sender side: hand the device to <paramref name="carrier"/> (which is woken to add it to its wait).</summary>
    public void EnterSingle(ReceiverLoop carrier)
    {
        _carrier = carrier;
        Interlocked.Increment(ref _switches);
        carrier.WakeToCarry();
    }

    /// <summary>Carrier side: give the device back to the sender thread.</summary>
    public void EnterPipeline()
    {
        if (_carrier is null)
        {
            return;
        }

        Interlocked.Increment(ref _switches);
        WakeSender();
    }

    /// <summary>Sender side: sleeps while the carrier has the device (returns at once in pipeline mode or on stop).</summary>
    public void WaitForPipeline(EngineContext context)
    {
        lock (_park)
        {
            while (_carrier is not null && !context.Stopping)
            {
                Monitor.Wait(_park);
            }
        }
    }

    /// <summary>Shutdown: the sender thread must not sleep any longer.</summary>
    public void Release() => WakeSender();

    private void WakeSender()
    {
        lock (_park)
        {
            _carrier = null;
            Monitor.PulseAll(_park);
        }
    }
}
