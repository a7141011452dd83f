using System.Runtime.InteropServices;

namespace Anytun.Engine.Device;

/// <summary>
/// A device the sender loop can drain without blocking: wait until something is readable, then read everything
/// waiting. Lets the sender send a whole batch with one system call, and lets a receiver thread that just wrote to the
/// device send the answer the kernel queued (when the sender thread sleeps). Devices without it are read blocking,
/// one packet per wake-up.
/// </summary>
internal interface IPollablePacketDevice : IPacketDevice
{
    /// <summary>Reads a packet if one is waiting: its length, 0 once closed, -1 when none is waiting (never blocks).</summary>
    int ReadAvailable(Span<byte> buffer);

    /// <summary>Sleeps until a packet is waiting (true) or the device is closed (false).</summary>
    bool WaitReadable();

    /// <summary>Like <see cref="WaitReadable()"/> with a deadline: 1 readable, 0 closed, -1 timed out (the sender's
    /// idle check). Devices without a timed wait wait without one.</summary>
    int WaitReadable(int timeoutMilliseconds) => WaitReadable() ? 1 : 0;

    /// <summary>A file descriptor that polls readable (POLLIN) while a packet is waiting, so another thread can wait on
    /// the device and a socket at once (the single-thread idle mode); null when the device has none.</summary>
    SafeHandle? Readiness => null;
}
