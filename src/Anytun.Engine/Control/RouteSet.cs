using Anytun.Engine.Logging;
using Anytun.Engine.Routing;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Control;

/// <summary>
/// The control surface's routes: the entries by prefix (identity = masked network + length) and the immutable
/// <see cref="RouteTable"/> built from them, republished by <see cref="Publish"/> after a change. Not thread-safe:
/// the control surface's lock serialises writers; the packet threads read only <see cref="Table"/>.
/// </summary>
internal sealed class RouteSet
{
    private readonly Dictionary<IPPrefix, RouteEntry> _entries = new();
    private readonly ILogger _logger;
    private RouteTable _table = RouteTable.Empty;
    private bool _dirty;

    public RouteSet(IEnumerable<RouteEntry> initial, ILogger logger)
    {
        _logger = logger;
        foreach (var entry in initial)
        {
            _entries[entry.Prefix] = entry;
        }

        _table = RouteTable.Build(_entries.Values);
    }

    /// <summary>The published table (volatile read; lock-free).</summary>
    public RouteTable Table => Volatile.Read(ref _table);

    /// <summary>Number of routes (published or not).</summary>
    public int Count => _entries.Count;

    public bool TryGet(IPPrefix prefix, out RouteEntry entry) => _entries.TryGetValue(prefix, out entry!);

    /// <summary>The routes that point at <paramref name="mux"/> (a copy: the caller may remove while iterating).</summary>
    public List<RouteEntry> To(ushort mux) => _entries.Values.Where(e => e.Mux == mux).ToList();

    /// <summary>The routes whose prefix is not in <paramref name="keep"/> (a copy).</summary>
    public List<RouteEntry> Except(IReadOnlyDictionary<IPPrefix, ushort> keep) => _entries.Values.Where(e => !keep.ContainsKey(e.Prefix)).ToList();

    /// <summary>Points <paramref name="prefix"/> at <paramref name="mux"/>; records RouteAdded/RouteChanged, or nothing
    /// when it already was so.</summary>
    public void Set(IPPrefix prefix, ushort mux, EntryOrigin origin, List<TunnelChange> changes)
    {
        if (_entries.TryGetValue(prefix, out var existing) && existing.Mux == mux)
        {
            return;
        }

        _entries[prefix] = new RouteEntry(prefix, mux, origin);
        _dirty = true;
        ControlLog.RouteAdded(_logger, prefix.ToString(), mux, origin.ToString());
        changes.Add(new TunnelChange(existing is null ? TunnelChangeKind.RouteAdded : TunnelChangeKind.RouteChanged, mux, origin) { Prefix = prefix });
    }

    public void Remove(RouteEntry entry, EntryOrigin origin, List<TunnelChange> changes)
    {
        if (!_entries.Remove(entry.Prefix))
        {
            return;
        }

        _dirty = true;
        ControlLog.RouteRemoved(_logger, entry.Prefix.ToString(), entry.Mux, origin.ToString());
        changes.Add(new TunnelChange(TunnelChangeKind.RouteRemoved, entry.Mux, origin) { Prefix = entry.Prefix });
    }

    /// <summary>Builds and publishes the table if a route changed since the last call: the next packet sees it.</summary>
    public void Publish()
    {
        if (_dirty)
        {
            Volatile.Write(ref _table, RouteTable.Build(_entries.Values));
            _dirty = false;
        }
    }
}
