namespace Anytun.Engine.Protocol;

/// <summary>
/// Window state of one sender id: the highest accepted sequence number and a ring of N "seen" flags whose
/// head slot belongs to that maximum. Arithmetic is uint and wraps, exactly as anytun's.
/// </summary>
internal sealed class ReplaySenderWindow
{
    private const uint WrapShift = 0x7FFFFFFF;

    private readonly uint _size;
    private readonly ulong[] _seen;
    private uint _head;
    private uint _max;

    /// <summary>Starts the window with the first sequence number of this sender (accepted).</summary>
    public ReplaySenderWindow(uint size, uint firstSequence)
    {
        _size = size;
        _seen = new ulong[(size + 63UL) / 64];
        _max = firstSequence;
        _head = 0;
        Set(_head);
    }

    public bool TryAccept(uint sequence)
    {
        var max = _max;
        var seq = sequence;

        // Wrap guard: move both values away from 0 / 2^32 so that "older" and "newer" compare correctly.
        if (max < _size)
        {
            max += WrapShift;
            seq += WrapShift;
        }
        else if (max > uint.MaxValue - _size)
        {
            max -= WrapShift;
            seq -= WrapShift;
        }

        var min = max - _size + 1;
        if (seq < min || seq == max)
        {
            return false;
        }

        if (seq > max)
        {
            Advance(seq - max);
            Set(_head);
            _max = sequence;
            return true;
        }

        var slot = SlotBehindHead(max - seq);
        if (IsSet(slot))
        {
            return false;
        }

        Set(slot);
        return true;
    }

    // Moves the head forward by 'distance' slots, clearing each slot it enters (they now belong to newer numbers).
    private void Advance(uint distance)
    {
        if (distance >= _size)
        {
            Array.Clear(_seen);
            _head = 0;
            return;
        }

        for (uint i = 0; i < distance; i++)
        {
            _head = _head + 1 == _size ? 0 : _head + 1;
            Clear(_head);
        }
    }

    private uint SlotBehindHead(uint offset) => (uint)(((ulong)_head + _size - offset) % _size);

    private bool IsSet(uint slot) => (_seen[slot >> 6] & (1UL << (int)(slot & 63))) != 0;

    private void Set(uint slot) => _seen[slot >> 6] |= 1UL << (int)(slot & 63);

    private void Clear(uint slot) => _seen[slot >> 6] &= ~(1UL << (int)(slot & 63));
}
