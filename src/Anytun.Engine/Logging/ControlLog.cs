using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>Log lines of the run-time control surface and of the routing decisions on the packet path (rare events only;
/// per-packet drops are counters). Nothing here takes key material.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 1100, EventName = "ConnectionAddedUnknownRemote", Level = LogLevel.Information, Message = "added connection {Mux} ({Origin}), remote {Remote}")]
    public static partial void ConnectionAdded(ILogger logger, ushort mux, string origin, string remote);

    [LoggerMessage(EventId = 1101, EventName = "ConnectionChanged", Level = LogLevel.Information, Message = "connection {Mux} changed ({Origin}): {Properties}")]
    public static partial void ConnectionChanged(ILogger logger, ushort mux, string origin, string properties);

    [LoggerMessage(EventId = 1102, EventName = "ConnectionRemoved", Level = LogLevel.Information, Message = "removed connection {Mux} ({Origin})")]
    public static partial void ConnectionRemoved(ILogger logger, ushort mux, string origin);

    [LoggerMessage(EventId = 1103, EventName = "RouteAdded", Level = LogLevel.Information, Message = "route {Prefix} -> {Mux} ({Origin})")]
    public static partial void RouteAdded(ILogger logger, string prefix, ushort mux, string origin);

    [LoggerMessage(EventId = 1104, EventName = "RouteRemoved", Level = LogLevel.Information, Message = "route {Prefix} -> {Mux} removed ({Origin})")]
    public static partial void RouteRemoved(ILogger logger, string prefix, ushort mux, string origin);

    [LoggerMessage(EventId = 1105, EventName = "RoutingEnabled", Level = LogLevel.Information, Message = "multi connection support (routing) enabled: {Reason}")]
    public static partial void RoutingEnabled(ILogger logger, string reason);

    [LoggerMessage(EventId = 1106, EventName = "RemoteResolved", Level = LogLevel.Information, Message = "connection {Mux}: remote host {Host} resolved to {EndPoint}")]
    public static partial void RemoteResolved(ILogger logger, ushort mux, string host, string endPoint);

    [LoggerMessage(EventId = 1110, EventName = "RoutingLoop", Level = LogLevel.Warning, Message = "connection {Mux}: a packet from the device is addressed to the connection's own remote {Remote}; a route sends the tunnel's outer traffic into the tunnel. Dropping such packets (counted as RoutingLoop); fix the route to {Remote} (e.g. a host route via the underlay).")]
    public static partial void RoutingLoop(ILogger logger, ushort mux, string remote);

    [LoggerMessage(EventId = 1111, EventName = "RoamingRefused", Level = LogLevel.Debug, Message = "connection {Mux}: authenticated datagram from {Source} with sequence {Sequence} is not newer than the peer's latest; remote stays {Remote}")]
    public static partial void RoamingRefused(ILogger logger, ushort mux, string source, uint sequence, string remote);
}
