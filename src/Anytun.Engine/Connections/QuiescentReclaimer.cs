using System.Runtime.CompilerServices;
using Anytun.Engine.Runtime;
namespace Anytun.Engine.Connections;

/// <summary>
/// Quiescent-state reclamation: disposes objects the packet threads may still hold (a connection's old keys) only
/// once every engine thread has passed a quiescent point since the object was retired.
/// <para>
/// Each engine thread owns a <see cref="ThreadSlot"/>. Before it touches connections or keys for a batch of packets it
/// calls <see cref="ThreadSlot.Enter"/> (counter becomes odd; the interlocked increment is a full fence, so the loads
/// that follow see every reference published before it), and before it blocks it calls <see cref="ThreadSlot.Leave"/>
/// (counter even again). A writer first publishes the new reference, then calls <see cref="Retire"/>, which records every
/// slot's counter. The retired object is disposed by <see cref="Poll"/> once each slot was even at retirement or has
/// changed since: a thread that was outside, or has left the section it was in, can no longer hold the old reference.
/// </para>
/// Cost on the packet path: one interlocked increment and one plain store per batch. Writers and <see cref="Poll"/>
/// (a control-plane timer, and the tunnel's stop) take a lock; the packet threads never do.
/// </summary>
internal sealed class QuiescentReclaimer
{
    private readonly object _lock = new();
    private ThreadSlot[] _slots = Array.Empty<ThreadSlot>();
    private readonly List<Retired> _pending = new();

    /// <summary>Objects retired but not yet disposed.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>A slot for one engine thread (register before the thread starts reading connections).</summary>
    public ThreadSlot Register(string name)
    {
        var slot = new ThreadSlot(name);
        lock (_lock)
        {
            var slots = new ThreadSlot[_slots.Length + 1];
            _slots.CopyTo(slots, 0);
            slots[^1] = slot;
            _slots = slots;
        }

        return slot;
    }

    /// <summary>
    /// Schedules <paramref name="item"/> for disposal once no engine thread can still use it. Call it after the
    /// replacement is published. Disposes at once when no thread is inside a critical section.
    /// </summary>
    public void Retire(IDisposable item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item is ConnectionKeys keys)
        {
            keys.MarkRetired();
        }

        // Order the publication before the counter reads below (the threads' Enter is the matching fence).
        Interlocked.MemoryBarrier();
        lock (_lock)
        {
            var slots = _slots;
            var seen = new long[slots.Length];
            for (var i = 0; i < slots.Length; i++)
            {
                seen[i] = slots[i].Counter;
            }

            _pending.Add(new Retired(item, slots, seen));
        }

        Poll();
    }

    /// <summary>Disposes every retired object no thread can still hold; returns how many.</summary>
    public int Poll()
    {
        List<IDisposable>? ready = null;
        lock (_lock)
        {
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                if (_pending[i].IsQuiescent())
                {
                    (ready ??= new List<IDisposable>()).Add(_pending[i].Item);
                    _pending.RemoveAt(i);
                }
            }
        }

        if (ready is null)
        {
            return 0;
        }

        foreach (var item in ready)
        {
            item.Dispose();
        }

        return ready.Count;
    }

    /// <summary>Disposes everything pending, whatever the threads do (only after the engine threads were joined).</summary>
    public void DisposeAll()
    {
        IDisposable[] items;
        lock (_lock)
        {
            items = _pending.Select(static p => p.Item).ToArray();
            _pending.Clear();
        }

        foreach (var item in items)
        {
            item.Dispose();
        }
    }

    private sealed record Retired(IDisposable Item, ThreadSlot[] Slots, long[] Seen)
    {
        public bool IsQuiescent()
        {
            for (var i = 0; i < Slots.Length; i++)
            {
                var seen = Seen[i];
                if ((seen & 1) != 0 && Slots[i].Counter == seen)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The critical-section counter of one engine thread: odd while it may hold connection references.</summary>
    internal sealed class ThreadSlot
    {
        // The counter sits in the middle of its own 128-byte array, so it shares no cache line with other hot data:
        // the owner writes it per batch, other threads only read it.
        private const int Cell = 8;
        private readonly long[] _line = new long[2 * Cell];

        public ThreadSlot(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public long Counter => Volatile.Read(ref _line[Cell]);

        /// <summary>True between <see cref="Enter"/> and <see cref="Leave"/>.</summary>
        public bool IsInside => (Counter & 1) != 0;

        /// <summary>Starts a critical section (owner thread only; a no-op when already inside). A full fence.</summary>
        [MethodImpl(PacketPath.Hot)]
        public void Enter()
        {
            if ((_line[Cell] & 1) == 0)
            {
                Interlocked.Increment(ref _line[Cell]);
            }
        }

        /// <summary>Ends it: the thread holds no connection or key reference after this (owner thread only).</summary>
        [MethodImpl(PacketPath.Hot)]
        public void Leave()
        {
            var counter = _line[Cell];
            if ((counter & 1) != 0)
            {
                Volatile.Write(ref _line[Cell], counter + 1);
            }
        }
    }
}
