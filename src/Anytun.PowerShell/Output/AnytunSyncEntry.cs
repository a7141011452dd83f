namespace Anytun;

/// <summary>
/// One entry of a sync stream or connection table, as ConvertFrom-AnytunSyncStream returns it: a connection
/// (<see cref="AnytunSyncConnection"/>) or a route (<see cref="AnytunSyncRoute"/>), in stream order.
/// </summary>
public abstract class AnytunSyncEntry
{
    private protected AnytunSyncEntry(string kind, ushort mux, string source, long offset, int? line)
    {
        Kind = kind;
        Mux = mux;
        Source = source;
        Offset = offset;
        Line = line;
    }

    /// <summary>"Connection" or "Route".</summary>
    public string Kind { get; }

    /// <summary>The connection's mux, or the mux a route points to.</summary>
    public ushort Mux { get; }

    /// <summary>The remote endpoint ("not registered" when unknown) or the route's prefix, as anytun-showtables shows it.</summary>
    public abstract string Entry { get; }

    /// <summary>The file or host:port the entry came from.</summary>
    public string Source { get; }

    /// <summary>Byte offset of the entry's frame in the stream or file.</summary>
    public long Offset { get; }

    /// <summary>Line of the entry in a table file; null for streams.</summary>
    public int? Line { get; }
}
