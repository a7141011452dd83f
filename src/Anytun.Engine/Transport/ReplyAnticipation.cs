using System.Diagnostics;
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
    /// Receiver side, after the socket said EAGAIN: spin while a window is open, else sleep in poll() on the socket and
    /// the eventfd; a nudge opens a new window. Returns when the socket may be readable (or the window ended).
    /// </summary>
    public void Wait(int socketFd)
    {
        if (Stopwatch.GetTimestamp() < _spinUntil)
        {
            Thread.SpinWait(20);
            return;
        }

        var added = false;
        try
        {
            _eventFd.DangerousAddRef(ref added);
            var fds = stackalloc Libc.PollFd[2];
            fds[0] = new Libc.PollFd { Fd = socketFd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = _eventFd.Fd, Events = Libc.POLLIN };
            Volatile.Write(ref _parked, 1);
            _ = Libc.Poll(fds, 2, -1);
            Volatile.Write(ref _parked, 0);
            if (fds[1].Revents != 0)
            {
                ulong count;
                _ = Libc.Read(_eventFd.Fd, (byte*)&count, sizeof(ulong));
                if (fds[0].Revents == 0)
                {
                    _spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                }
            }
        }
        finally
        {
            if (added)
            {
                _eventFd.DangerousRelease();
            }
        }
    }

    public void Dispose() => _eventFd.Dispose();
}
