using System.Net;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Control;

/// <summary>What kind of change a <see cref="TunnelChange"/> reports.</summary>
public enum TunnelChangeKind
{
    ConnectionAdded,
    ConnectionChanged,
    ConnectionRemoved,

    /// <summary>A connection's remote endpoint was learned, roamed, resolved or set.</summary>
    RemoteChanged,

    RouteAdded,

    /// <summary>An existing prefix now points at another mux.</summary>
    RouteChanged,

    RouteRemoved,
}

/// <summary>Which settings of a connection a <see cref="TunnelChangeKind.ConnectionChanged"/> touched.</summary>
[Flags]
public enum ConnectionProperties
{
    None = 0,
    Keys = 1,
    Remote = 2,
    WindowSize = 4,
    Sequence = 8,
}

/// <summary>Why a remote endpoint changed.</summary>
public enum RemoteChangeReason
{
    /// <summary>Set by a writer of the control surface (a literal address).</summary>
    Configured,

    /// <summary>A configured host name was resolved.</summary>
    Resolved,

    /// <summary>The first authenticated datagram of a connection whose remote was unknown.</summary>
    Learned,

    /// <summary>An authenticated datagram, newer than any before it, came from another address (anytun's roaming).</summary>
    Roamed,
}

/// <summary>
/// One change of a tunnel's tables, as published to subscribers (sync server, metrics, job log). Immutable; carries no
/// key material (a consumer that needs keys asks the control surface).
/// </summary>
public sealed record TunnelChange(TunnelChangeKind Kind, ushort Mux, EntryOrigin Origin)
{
    /// <summary>UTC time of the change.</summary>
    public DateTime TimeUtc { get; init; } = DateTime.UtcNow;

    /// <summary>The route's prefix (route changes).</summary>
    public IPPrefix? Prefix { get; init; }

    /// <summary>The new remote (RemoteChanged, ConnectionAdded with a known remote).</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>What changed (ConnectionChanged).</summary>
    public ConnectionProperties Properties { get; init; }

    /// <summary>Why the remote changed (RemoteChanged).</summary>
    public RemoteChangeReason? RemoteReason { get; init; }

    public override string ToString() => Kind switch
    {
        TunnelChangeKind.RouteAdded or TunnelChangeKind.RouteChanged or TunnelChangeKind.RouteRemoved => $"{Kind} {Prefix} -> {Mux} ({Origin})",
        TunnelChangeKind.ConnectionChanged => $"{Kind} {Mux}: {Properties} ({Origin})",
        TunnelChangeKind.RemoteChanged => $"{Kind} {Mux}: {RemoteEndPoint} ({RemoteReason})",
        _ => $"{Kind} {Mux} ({Origin})",
    };
}

/// <summary>The result of a write to the control surface: every change it made, in order; empty when nothing differed.</summary>
public sealed class ConfigurationChanges
{
    internal ConfigurationChanges(IReadOnlyList<TunnelChange> changes)
    {
        Changes = changes;
    }

    public IReadOnlyList<TunnelChange> Changes { get; }

    /// <summary>False when the tables already were in the desired state.</summary>
    public bool HasChanges => Changes.Count > 0;

    /// <summary>"no changes", or a count per kind ("1 ConnectionAdded, 2 RouteAdded").</summary>
    public override string ToString()
    {
        if (Changes.Count == 0)
        {
            return "no changes";
        }

        return string.Join(", ", Changes.GroupBy(static c => c.Kind).Select(static g => $"{g.Count()} {g.Key}"));
    }
}
