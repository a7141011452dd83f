using System.Diagnostics;
using Anytun.Engine.Device;
using Anytun.Engine.Interop;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Chooses who waits on the device: under light traffic ONE receiver thread (the carrier) polls its socket and the device
/// at once and carries a request and its answer without a thread hand-off (the single-thread mode, as in a select()
/// daemon); under load the sender thread waits on the device again (the two-thread pipeline, both directions in
/// parallel). The carrier switches to the pipeline when it handles more than <see cref="PipelineAbove"/> datagrams
/// within two windows; the sender switches back after <see cref="QuietWindows"/> windows below <see cref="SingleBelow"/>.
/// Both count datagrams on the wire, so a TSO super-packet weighs as the segments it becomes.
/// Who reads the device is always decided by the sender's gate, so a switch never lets two threads read at once; the
/// mode only decides who sleeps on it. Switches are rare; the packet path reads one volatile field. The sender parks
/// on an eventfd (no lock, nothing allocated per switch).
/// </summary>
internal sealed unsafe class LoadModeSwitch : IDisposable
{
    /// <summary>The measuring window of both decisions.</summary>
    public const int WindowMilliseconds = 10;

    /// <summary>Datagrams (both directions, the carrier's count) which, coming within two windows, make the pipeline
    /// take over (25 kpps and more).</summary>
    public const int PipelineAbove = 500;

    /// <summary>Datagrams in a window (both directions, every loop's count) below which a window counts as quiet (5 kpps).</summary>
    public const int SingleBelow = 50;

    /// <summary>Quiet windows in a row before the single-thread mode returns.</summary>
    public const int QuietWindows = 3;

    public static readonly long WindowTicks = Stopwatch.Frequency * WindowMilliseconds / 1000;

    private readonly FileDescriptorHandle _park;
    private volatile ReceiverLoop? _carrier;
    private long _switches;

    private LoadModeSwitch(FileDescriptorHandle park)
    {
        _park = park;
    }

    /// <summary>The receiver that waits on the device while in single-thread mode; null in pipeline mode.</summary>
    public ReceiverLoop? Carrier => _carrier;

    /// <summary>Mode changes so far (both directions).</summary>
    public long Switches => Interlocked.Read(ref _switches);

    /// <summary>Null when no eventfd is available (the tunnel then stays in pipeline mode).</summary>
    public static LoadModeSwitch? TryCreate()
    {
        var fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        return fd < 0 ? null : new LoadModeSwitch(new FileDescriptorHandle(fd));
    }

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

        _carrier = null;
        Interlocked.Increment(ref _switches);
        WakeSender();
    }

    /// <summary>Sender side: sleeps while the carrier has the device (returns at once in pipeline mode or on stop).</summary>
    public void WaitForPipeline(EngineContext context)
    {
        var added = false;
        try
        {
            _park.DangerousAddRef(ref added);
            var poll = new Libc.PollFd { Fd = _park.Fd, Events = Libc.POLLIN };
            while (_carrier is not null && !context.Stopping)
            {
                poll.Revents = 0;
                _ = Libc.Poll(&poll, 1, -1);
                ulong value;
                _ = Libc.Read(_park.Fd, (byte*)&value, sizeof(ulong));
            }
        }
        finally
        {
            if (added)
            {
                _park.DangerousRelease();
            }
        }
    }

    /// <summary>Shutdown: the sender thread must not sleep any longer.</summary>
    public void Release()
    {
        _carrier = null;
        WakeSender();
    }

    public void Dispose() => _park.Dispose();

    private void WakeSender()
    {
        var added = false;
        try
        {
            _park.DangerousAddRef(ref added);
            ulong one = 1;
            _ = Libc.Write(_park.Fd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // The tunnel has stopped: nobody parks any more.
        }
        finally
        {
            if (added)
            {
                _park.DangerousRelease();
            }
        }
    }
}
