using Anytun.Engine.Interop;

namespace Anytun.Engine.Device;

/// <summary>
/// A bounded FIFO of packets in preallocated slots (no allocation per packet); blocking take with Monitor.
/// Used by the in-memory device. Optionally keeps an eventfd (semaphore mode) counting the packets waiting, so the ring
/// can be polled like a real device's file descriptor.
/// </summary>
internal sealed unsafe class PacketRing
{
    private readonly byte[][] _slots;
    private readonly int[] _lengths;
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _closed;

    public PacketRing(int capacity, int slotSize, bool pollable = false)
    {
        if (pollable)
        {
            var fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK | Libc.EFD_SEMAPHORE);
            Readiness = fd < 0 ? null : new FileDescriptorHandle(fd);
        }

        _slots = new byte[capacity][];
        for (var i = 0; i < capacity; i++)
        {
            _slots[i] = new byte[slotSize];
        }

        _lengths = new int[capacity];
    }

    /// <summary>Polls readable while a packet is waiting (or once closed); null unless made pollable.</summary>
    public FileDescriptorHandle? Readiness { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Copies <paramref name="packet"/> in; false when full, closed or too large.</summary>
    public bool TryAdd(ReadOnlySpan<byte> packet)
    {
        lock (_gate)
        {
            if (_closed || _count == _slots.Length || packet.Length > _slots[0].Length)
            {
                return false;
            }

            var index = (_head + _count) % _slots.Length;
            packet.CopyTo(_slots[index]);
            _lengths[index] = packet.Length;
            _count++;
            Signal(1);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>Waits for a packet and copies it into <paramref name="destination"/>; -1 on close or timeout.</summary>
    public int Take(Span<byte> destination, int timeoutMilliseconds)
    {
        lock (_gate)
        {
            while (_count == 0)
            {
                if (_closed || !Monitor.Wait(_gate, timeoutMilliseconds))
                {
                    return -1;
                }
            }

            var length = Math.Min(_lengths[_head], destination.Length);
            _slots[_head].AsSpan(0, length).CopyTo(destination);
            _head = (_head + 1) % _slots.Length;
            _count--;
            Unsignal();
            return length;
        }
    }

    /// <summary>Copies the next packet into <paramref name="destination"/> if one is waiting: its length, -1 when none
    /// is waiting, -2 once closed.</summary>
    public int TryTake(Span<byte> destination)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return _closed ? -2 : -1;
            }

            var length = Math.Min(_lengths[_head], destination.Length);
            _slots[_head].AsSpan(0, length).CopyTo(destination);
            _head = (_head + 1) % _slots.Length;
            _count--;
            Unsignal();
            return length;
        }
    }

    /// <summary>Waits until a packet is waiting (true) or the ring is closed (false).</summary>
    public bool WaitNotEmpty() => WaitNotEmpty(Timeout.Infinite) > 0;

    /// <summary>Waits until a packet is waiting (1), the ring is closed (0) or the timeout passed (-1).</summary>
    public int WaitNotEmpty(int timeoutMilliseconds)
    {
        lock (_gate)
        {
            while (_count == 0)
            {
                if (_closed)
                {
                    return 0;
                }

                if (!Monitor.Wait(_gate, timeoutMilliseconds))
                {
                    return -1;
                }
            }

            return 1;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                // Wakes a poller for good: a closed ring reads as closed.
                Signal(1UL << 32);
            }

            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Signal(ulong count)
    {
        if (Readiness is { } readiness && !readiness.IsClosed)
        {
            _ = Libc.Write(readiness.Fd, (byte*)&count, sizeof(ulong));
        }
    }

    private void Unsignal()
    {
        if (Readiness is { } readiness && !readiness.IsClosed)
        {
            ulong value;
            _ = Libc.Read(readiness.Fd, (byte*)&value, sizeof(ulong));
        }
    }
}
