namespace Anytun.Engine.Connections;

/// <summary>
/// The connections of one tunnel, keyed by mux. The packet path finds a connection with one volatile read of a
/// 65,536-slot array (no lock, no allocation, no scan); the slots are written in place, so a change copies nothing big.
/// A sorted immutable array, swapped by reference, serves enumeration and anytun's "first connection" (lowest mux,
/// used when routing is off). All writes go through one lock, taken by the control surface and, rarely, by a receiver
/// learning its first connection.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly object _writeLock = new();
    private readonly Connection?[] _byMux = new Connection?[ushort.MaxValue + 1];
    private Connection[] _sorted = Array.Empty<Connection>();

    public bool IsEmpty => Volatile.Read(ref _sorted).Length == 0;

    public int Count => Volatile.Read(ref _sorted).Length;

    /// <summary>The connection with the lowest mux, or null.</summary>
    public Connection? Primary
    {
        get
        {
            var connections = Volatile.Read(ref _sorted);
            return connections.Length == 0 ? null : connections[0];
        }
    }

    /// <summary>Every connection, sorted by mux (an immutable snapshot).</summary>
    public IReadOnlyList<Connection> All => Volatile.Read(ref _sorted);

    /// <summary>O(1), lock-free.</summary>
    public Connection? Find(ushort mux) => Volatile.Read(ref _byMux[mux]);

    /// <summary>Adds <paramref name="candidate"/> unless its mux is taken; returns the connection now in the table.</summary>
    public Connection AddOrGet(Connection candidate, out bool added)
    {
        lock (_writeLock)
        {
            var existing = _byMux[candidate.Mux];
            if (existing is not null)
            {
                added = false;
                return existing;
            }

            Volatile.Write(ref _byMux[candidate.Mux], candidate);
            var current = _sorted;
            var next = new Connection[current.Length + 1];
            var position = 0;
            while (position < current.Length && current[position].Mux < candidate.Mux)
            {
                position++;
            }

            Array.Copy(current, 0, next, 0, position);
            next[position] = candidate;
            Array.Copy(current, position, next, position + 1, current.Length - position);
            Volatile.Write(ref _sorted, next);
            added = true;
            return candidate;
        }
    }

    /// <summary>Removes the connection of <paramref name="mux"/>; returns it, or null when there was none.</summary>
    public Connection? Remove(ushort mux)
    {
        lock (_writeLock)
        {
            var existing = _byMux[mux];
            if (existing is null)
            {
                return null;
            }

            Volatile.Write(ref _byMux[mux], null);
            var current = _sorted;
            var next = new Connection[current.Length - 1];
            var index = Array.IndexOf(current, existing);
            Array.Copy(current, 0, next, 0, index);
            Array.Copy(current, index + 1, next, index, current.Length - index - 1);
            Volatile.Write(ref _sorted, next);
            return existing;
        }
    }
}
