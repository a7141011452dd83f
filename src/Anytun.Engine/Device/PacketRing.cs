namespace Anytun.Engine.Device;

/// <summary>
/// A bounded FIFO of packets in preallocated slots (no allocation per packet); blocking take with Monitor.
/// Used by the in-memory device.
/// </summary>
internal sealed class PacketRing
{
    private readonly byte[][] _slots;
    private readonly int[] _lengths;
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _closed;

    public PacketRing(int capacity, int slotSize)
    {
        _slots = new byte[capacity][];
        for (var i = 0; i < capacity; i++)
        {
            _slots[i] = new byte[slotSize];
        }

        _lengths = new int[capacity];
    }

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
            return length;
        }
    }

    /// <summary>Waits until a packet is waiting (true) or the ring is closed (false).</summary>
    public bool WaitNotEmpty()
    {
        lock (_gate)
        {
            while (_count == 0)
            {
                if (_closed)
                {
                    return false;
                }

                Monitor.Wait(_gate);
            }

            return true;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
