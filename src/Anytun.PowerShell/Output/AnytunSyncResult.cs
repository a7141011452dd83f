using Anytun.Engine.Control;
using Anytun.Engine.Routing;

namespace Anytun;

/// <summary>What Sync-AnytunConnection changed on a tunnel: connections added, changed and removed, routes added and removed.</summary>
public sealed class AnytunSyncResult
{
    internal AnytunSyncResult(string tunnelName, AnytunSyncMode mode, ConfigurationChanges changes)
    {
        TunnelName = tunnelName;
        Mode = mode;
        ConnectionsAdded = Muxes(changes, TunnelChangeKind.ConnectionAdded);
        ConnectionsChanged = Muxes(changes, TunnelChangeKind.ConnectionChanged);
        ConnectionsRemoved = Muxes(changes, TunnelChangeKind.ConnectionRemoved);
        RoutesAdded = Prefixes(changes, TunnelChangeKind.RouteAdded, TunnelChangeKind.RouteChanged);
        RoutesRemoved = Prefixes(changes, TunnelChangeKind.RouteRemoved, TunnelChangeKind.RouteRemoved);
    }

    /// <summary>A plan (what -WhatIf reports) rather than changes made.</summary>
    internal AnytunSyncResult(
        string tunnelName, AnytunSyncMode mode, ushort[] added, ushort[] changed, ushort[] removed, IPPrefix[] routesAdded, IPPrefix[] routesRemoved)
    {
        TunnelName = tunnelName;
        Mode = mode;
        ConnectionsAdded = added;
        ConnectionsChanged = changed;
        ConnectionsRemoved = removed;
        RoutesAdded = routesAdded;
        RoutesRemoved = routesRemoved;
    }

    public string TunnelName { get; }

    public AnytunSyncMode Mode { get; }

    /// <summary>Muxes of the connections that were added.</summary>
    public IReadOnlyList<ushort> ConnectionsAdded { get; }

    /// <summary>Muxes of the connections changed in place (keys, remote or window size); their counters and sequence stay.</summary>
    public IReadOnlyList<ushort> ConnectionsChanged { get; }

    /// <summary>Muxes of the connections that were removed (Replace mode only).</summary>
    public IReadOnlyList<ushort> ConnectionsRemoved { get; }

    /// <summary>Prefixes that were added or now point at another connection.</summary>
    public IReadOnlyList<IPPrefix> RoutesAdded { get; }

    /// <summary>Prefixes that were removed.</summary>
    public IReadOnlyList<IPPrefix> RoutesRemoved { get; }

    /// <summary>False when the tunnel already was in the desired state.</summary>
    public bool HasChanges => ConnectionsAdded.Count + ConnectionsChanged.Count + ConnectionsRemoved.Count + RoutesAdded.Count + RoutesRemoved.Count > 0;

    public override string ToString()
    {
        if (!HasChanges)
        {
            return "no changes";
        }

        var parts = new List<string>();
        void Add<T>(string what, IReadOnlyList<T> items)
        {
            if (items.Count > 0)
            {
                parts.Add($"{what} {string.Join(", ", items)}");
            }
        }

        Add("added connection(s)", ConnectionsAdded);
        Add("changed connection(s)", ConnectionsChanged);
        Add("removed connection(s)", ConnectionsRemoved);
        Add("added route(s)", RoutesAdded);
        Add("removed route(s)", RoutesRemoved);
        return string.Join("; ", parts);
    }

    private static ushort[] Muxes(ConfigurationChanges changes, TunnelChangeKind kind) =>
        changes.Changes.Where(c => c.Kind == kind).Select(static c => c.Mux).Distinct().ToArray();

    private static IPPrefix[] Prefixes(ConfigurationChanges changes, TunnelChangeKind kind, TunnelChangeKind alsoKind) =>
        changes.Changes.Where(c => (c.Kind == kind || c.Kind == alsoKind) && c.Prefix is not null).Select(static c => c.Prefix!.Value).Distinct().ToArray();
}
