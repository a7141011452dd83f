using System.Net;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// One route of a tunnel (Get-AnytunRoute): packets read from the tunnel device whose destination is inside
/// <see cref="DestinationPrefix"/> are sent to connection <see cref="Mux"/> (the longest matching prefix wins).
/// </summary>
public sealed class AnytunRoute
{
    internal AnytunRoute(string tunnelName, RouteEntry entry, ConnectionSnapshot? connection, bool kernelRoute)
    {
        TunnelName = tunnelName;
        DestinationPrefix = entry.Prefix;
        Mux = entry.Mux;
        Origin = EngineEnumMap.FromEngine(entry.Origin);
        HasConnection = connection is not null;
        RemoteEndPoint = connection?.RemoteEndPoint;
        KernelRoute = kernelRoute;
    }

    /// <summary>Name of the tunnel; binds to -TunnelName by property name.</summary>
    public string TunnelName { get; }

    /// <summary>The routed prefix (masked: 10.50.0.0/16); binds to Remove-AnytunRoute -DestinationPrefix.</summary>
    public IPPrefix DestinationPrefix { get; }

    /// <summary>Connection (multiplex id) the prefix is routed to.</summary>
    public ushort Mux { get; }

    /// <summary>Whether connection <see cref="Mux"/> exists; packets of a route without one are dropped as NoConnection.</summary>
    public bool HasConnection { get; }

    /// <summary>Where connection <see cref="Mux"/> currently sends (null while unknown, or without a connection).</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Who added the route: the tunnel's parameters, a cmdlet, a control host, sync or an import.</summary>
    public AnytunEntryOrigin Origin { get; }

    /// <summary>True when this module installed a matching kernel route via the tunnel device.</summary>
    public bool KernelRoute { get; }

    public override string ToString() => $"{DestinationPrefix} -> {Mux}";
}
