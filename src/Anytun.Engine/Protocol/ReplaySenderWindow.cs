using System.Runtime.CompilerServices;
using Anytun.Engine.Runtime;
namespace Anytun.Engine.Protocol;

/// <summary>
/// Window state of one sender id: the highest accepted sequence number and a ring of N "seen" flags whose
/// head slot belongs to that maximum. Arithmetic is uint and wraps, exactly as anytun's. Moving the window clears the
/// skipped flags a 64-bit word at a time, so a jump costs O(N/64), not O(N).
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
        : this(size, firstSequence, everythingSeen: false)
    {
    }

    /// <param name="size">Window size N (1..<see cref="ReplayWindow.MaxSize"/>).</param>
    /// <param name="highest">The highest accepted sequence number.</param>
    /// <param name="everythingSeen">Mark every slot as seen (a resized window: nothing at or below the old maximum is
    /// accepted again).</param>
    public ReplaySenderWindow(uint size, uint highest, bool everythingSeen)
    {
        _size = size;
        _seen = new ulong[(size + 63UL) / 64];
        _max = highest;
        _head = 0;
        if (everythingSeen)
        {
            Array.Fill(_seen, ulong.MaxValue);
        }
        else
        {
            Set(_head);
        }
    }

    /// <summary>The highest accepted sequence number.</summary>
    public uint Highest => _max;

    [MethodImpl(PacketPath.Hot)]
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

    // Moves the head forward by 'distance' slots, clearing the slots it enters (they now belong to newer numbers).
    [MethodImpl(PacketPath.Hot)]
    private void Advance(uint distance)
    {
        if (distance >= _size)
        {
            Array.Clear(_seen);
            _head = 0;
            return;
        }

        // Slots head+1 .. head+distance (mod N): at most two straight runs of the ring.
        var start = _head + 1 == _size ? 0 : _head + 1;
        var firstRun = Math.Min(distance, _size - start);
        ClearRun(start, start + firstRun);
        ClearRun(0, distance - firstRun);
        _head = (uint)(((ulong)_head + distance) % _size);
    }

    /// <summary>Clears flags [from, to) a word at a time.</summary>
    [MethodImpl(PacketPath.Hot)]
    private void ClearRun(uint from, uint to)
    {
        if (from >= to)
        {
            return;
        }

        var firstWord = (int)(from >> 6);
        var lastWord = (int)((to - 1) >> 6);
        var lowMask = ulong.MaxValue << (int)(from & 63);          // bits from..63 of the first word
        var highMask = ulong.MaxValue >> (int)(63 - ((to - 1) & 63)); // bits 0..to-1 of the last word
        if (firstWord == lastWord)
        {
            _seen[firstWord] &= ~(lowMask & highMask);
            return;
        }

        _seen[firstWord] &= ~lowMask;
        _seen.AsSpan(firstWord + 1, lastWord - firstWord - 1).Clear();
        _seen[lastWord] &= ~highMask;
    }

    private uint SlotBehindHead(uint offset) => (uint)(((ulong)_head + _size - offset) % _size);

    private bool IsSet(uint slot) => (_seen[slot >> 6] & (1UL << (int)(slot & 63))) != 0;

    private void Set(uint slot) => _seen[slot >> 6] |= 1UL << (int)(slot & 63);
}
