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
}
