namespace Anytun.Engine.Runtime;

/// <summary>
/// Connections keyed by mux. Lock-free reads of an immutable array (copy on write; connections are added rarely),
/// sorted by mux so the first entry is anytun's "first connection" used when routing is off.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly object _writeLock = new();
    private Connection[] _connections = Array.Empty<Connection>();

    public bool IsEmpty => Volatile.Read(ref _connections).Length == 0;

    /// <summary>The connection with the lowest mux, or null.</summary>
    public Connection? Primary
    {
        get
        {
            var connections = Volatile.Read(ref _connections);
            return connections.Length == 0 ? null : connections[0];
        }
    }

    public IReadOnlyList<Connection> All => Volatile.Read(ref _connections);

    public Connection? Find(ushort mux)
    {
        var connections = Volatile.Read(ref _connections);
        for (var i = 0; i < connections.Length; i++)
        {
            if (connections[i].Mux == mux)
            {
                return connections[i];
            }
        }

        return null;
    }

    /// <summary>Adds <paramref name="candidate"/> unless its mux exists; returns the connection now in the table.</summary>
    public Connection AddOrGet(Connection candidate, out bool added)
    {
        lock (_writeLock)
        {
            var existing = Find(candidate.Mux);
            if (existing is not null)
            {
                added = false;
                return existing;
            }

            var current = _connections;
            var next = new Connection[current.Length + 1];
            var position = 0;
            while (position < current.Length && current[position].Mux < candidate.Mux)
            {
                position++;
            }

            Array.Copy(current, 0, next, 0, position);
            next[position] = candidate;
            Array.Copy(current, position, next, position + 1, current.Length - position);
            Volatile.Write(ref _connections, next);
            added = true;
            return candidate;
        }
    }
}
