using System.Diagnostics;
using System.Runtime.InteropServices;
using Anytun.Engine.Device;
using Anytun.Engine.Interop;

namespace Anytun.Engine.Transport;

/// <summary>
/// Lets a receiver thread be awake when the answer to a just-sent packet arrives. The sender nudges a parked receiver
/// right after it sent something; the receiver then spins on its non-blocking socket for a short window instead of
/// sleeping, so its wake-up overlaps the network round trip instead of following it (a ping reply is picked up by a
/// running thread, as in a single-threaded select() loop). Idle tunnels never spin: only a send opens a window.
/// </summary>
internal sealed unsafe class ReplyAnticipation : IDisposable
{
    /// <summary>How long a nudged receiver polls before it sleeps again: a little more than a local round trip.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000;

    private readonly FileDescriptorHandle _eventFd;
    private int _parked;
    private long _spinUntil;
    private SafeHandle? _device;
    private bool _interrupted;

    private ReplyAnticipation(FileDescriptorHandle eventFd)
    {
        _eventFd = eventFd;
    }

    /// <summary>Null when no eventfd is available (the receiver then simply sleeps in poll()).</summary>
    public static ReplyAnticipation? TryCreate()
    {
        var fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        return fd < 0 ? null : new ReplyAnticipation(new FileDescriptorHandle(fd));
    }

    /// <summary>Sender side: wake the receiver if it sleeps (one eventfd write; nothing when it is already awake).</summary>
    public void Nudge()
    {
        if (Volatile.Read(ref _parked) == 0)
        {
            return;
        }

        WakeUp();
    }

    /// <summary>Set by <see cref="Interrupt"/>: the receiver must stop waiting for good.</summary>
    public bool Interrupted => Volatile.Read(ref _interrupted);

    /// <summary>Shutdown, before the socket is closed (closing waits until no call holds the socket): wake the receiver
    /// wherever it waits, for good.</summary>
    public void Interrupt()
    {
        Volatile.Write(ref _interrupted, true);
        WakeUp();
    }

    private void WakeUp()
    {
        var added = false;
        try
        {
            _eventFd.DangerousAddRef(ref added);
            ulong one = 1;
            _ = Libc.Write(_eventFd.Fd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // The receiver has ended: nobody to wake.
        }
        finally
        {
            if (added)
            {
                _eventFd.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Single-thread mode: while set, <see cref="Wait"/> also waits on this device's readiness and says when a packet is
    /// waiting on it. Set by the sender thread (the receiver is woken to pick it up), cleared by the receiver.
    /// </summary>
    public SafeHandle? Device
    {
        get => Volatile.Read(ref _device);
        set
        {
            Volatile.Write(ref _device, value);
            if (value is not null)
            {
                WakeUp();
            }
        }
    }

    /// <summary>Carrier side, right after it sent: poll without sleeping for a round trip (the answer is near).</summary>
    public void OpenWindow() => _spinUntil = Stopwatch.GetTimestamp() + SpinTicks;

    /// <summary>
    /// Receiver side, after the socket said EAGAIN: spin while a window is open, else sleep in poll() on the socket, the
    /// eventfd and (single-thread mode) the device; a nudge opens a new window. Returns true when the device is readable,
    /// false when the socket may be readable (or the window ended).
    /// </summary>
    public bool Wait(int socketFd)
    {
        var device = Device;
        var spinning = Stopwatch.GetTimestamp() < _spinUntil;
        if (spinning && device is null)
        {
            Thread.SpinWait(20);
            return false;
        }

        var added = false;
        var deviceAdded = false;
        try
        {
            _eventFd.DangerousAddRef(ref added);
            var fds = stackalloc Libc.PollFd[3];
            fds[0] = new Libc.PollFd { Fd = socketFd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = _eventFd.Fd, Events = Libc.POLLIN };
            nuint count = 2;
            if (device is not null)
            {
                device.DangerousAddRef(ref deviceAdded);
                fds[2] = new Libc.PollFd { Fd = (int)device.DangerousGetHandle(), Events = Libc.POLLIN };
                count = 3;
            }

            if (spinning)
            {
                // A poll that does not sleep covers the socket and the device at once.
                _ = Libc.Poll(fds, count, 0);
                return fds[2].Revents != 0;
            }

            Volatile.Write(ref _parked, 1);
            _ = Libc.Poll(fds, count, -1);
            Volatile.Write(ref _parked, 0);
            if (fds[1].Revents != 0)
            {
                ulong value;
                _ = Libc.Read(_eventFd.Fd, (byte*)&value, sizeof(ulong));
                if (fds[0].Revents == 0 && device is null)
                {
                    _spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                }
            }

            // Any event on the device (also an error: the read then reports it) is for the device drain.
            return count == 3 && fds[2].Revents != 0;
        }
        catch (ObjectDisposedException) when (deviceAdded is false && device is not null)
        {
            // The device closed under the switch (shutdown): the socket wait alone ends the loop.
            Device = null;
            return false;
        }
        finally
        {
            if (deviceAdded)
            {
                device!.DangerousRelease();
            }

            if (added)
            {
                _eventFd.DangerousRelease();
            }
        }
    }

    public void Dispose() => _eventFd.Dispose();
}
