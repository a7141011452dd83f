using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// Every log line of the tunnel runtime, source-generated (no formatting or boxing when the level is disabled).
/// Messages follow anytun's wording where anytun has one. Nothing here takes key material.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1000, EventName = "TunnelStarting", Level = LogLevel.Information, Message = "tunnel '{Tunnel}' starting: {Options}")]
    public static partial void TunnelStarting(ILogger logger, string tunnel, string options);

    [LoggerMessage(EventId = 1001, EventName = "TunnelRunning", Level = LogLevel.Information, Message = "tunnel '{Tunnel}' is up on {Device} (UDP {EndPoints})")]
    public static partial void TunnelRunning(ILogger logger, string tunnel, string device, string endPoints);

    [LoggerMessage(EventId = 1002, EventName = "TunnelStopped", Level = LogLevel.Information, Message = "tunnel '{Tunnel}' stopped")]
    public static partial void TunnelStopped(ILogger logger, string tunnel);

    [LoggerMessage(EventId = 1003, EventName = "TunnelStartFailed", Level = LogLevel.Error, Message = "tunnel '{Tunnel}' failed to start: {Reason}")]
    public static partial void TunnelStartFailed(ILogger logger, string tunnel, string reason);

    [LoggerMessage(EventId = 1004, EventName = "TunnelFaulted", Level = LogLevel.Error, Message = "tunnel '{Tunnel}': engine thread {Thread} failed")]
    public static partial void TunnelFaulted(ILogger logger, string tunnel, string thread, Exception exception);

    [LoggerMessage(EventId = 1005, EventName = "ThreadJoinTimeout", Level = LogLevel.Warning, Message = "engine thread {Thread} did not stop within {Milliseconds} ms")]
    public static partial void ThreadJoinTimeout(ILogger logger, string thread, int milliseconds);

    [LoggerMessage(EventId = 1006, EventName = "OptionWarning", Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void OptionWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1010, EventName = "DeviceOpened", Level = LogLevel.Information, Message = "dev of type '{Kind}' opened, actual name is '{Device}' (mtu {Mtu})")]
    public static partial void DeviceOpened(ILogger logger, string kind, string device, int mtu);

    [LoggerMessage(EventId = 1011, EventName = "InterfaceConfigured", Level = LogLevel.Information, Message = "configured {Device}: {Address}/{PrefixLength} mtu {Mtu} up")]
    public static partial void InterfaceConfigured(ILogger logger, string device, string address, int prefixLength, int mtu);

    [LoggerMessage(EventId = 1012, EventName = "InterfaceConfigSkipped", Level = LogLevel.Warning, Message = "-n given but device {Device} is not a Linux tun/tap device; not configured")]
    public static partial void InterfaceConfigSkipped(ILogger logger, string device);

    [LoggerMessage(EventId = 1020, EventName = "SocketOpened", Level = LogLevel.Information, Message = "opening socket: {EndPoint}")]
    public static partial void SocketOpened(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 1021, EventName = "ResolveFailed", Level = LogLevel.Warning, Message = "could not resolve '{Host}' ({Reason}); the tunnel keeps retrying every {Seconds} s")]
    public static partial void ResolveFailed(ILogger logger, string host, string reason, int seconds);

    [LoggerMessage(EventId = 1023, EventName = "ResolveStillFailing", Level = LogLevel.Debug, Message = "still cannot resolve '{Host}' (attempt {Attempt}): {Reason}")]
    public static partial void ResolveStillFailing(ILogger logger, string host, int attempt, string reason);

    [LoggerMessage(EventId = 1024, EventName = "ResolvedAfterRetries", Level = LogLevel.Information, Message = "resolved '{Host}' at attempt {Attempt}")]
    public static partial void ResolvedAfterRetries(ILogger logger, string host, int attempt);

    [LoggerMessage(EventId = 1022, EventName = "NoSuitableSocket", Level = LogLevel.Warning, Message = "no suitable socket found for remote endpoint protocol: {EndPoint} ({Count} packets dropped)")]
    public static partial void NoSuitableSocket(ILogger logger, string endPoint, long count);

    [LoggerMessage(EventId = 1030, EventName = "ConnectionAdded", Level = LogLevel.Information, Message = "added connection remote host {EndPoint} (mux {Mux})")]
    public static partial void ConnectionAdded(ILogger logger, string endPoint, ushort mux);

    [LoggerMessage(EventId = 1031, EventName = "RemoteAutodetected", Level = LogLevel.Information, Message = "autodetected remote host {EndPoint} (mux {Mux})")]
    public static partial void RemoteAutodetected(ILogger logger, string endPoint, ushort mux);

    [LoggerMessage(EventId = 1032, EventName = "RemoteChanged", Level = LogLevel.Information, Message = "connection {Mux} autodetected remote host ip changed {EndPoint}")]
    public static partial void RemoteChanged(ILogger logger, ushort mux, string endPoint);

    /// <summary><paramref name="period"/> is empty for the first line of a reason, else " in the last N s".</summary>
    [LoggerMessage(EventId = 1040, EventName = "PacketsDropped", Message = "{Direction}: dropped {Packets} ({Reason}){Period}")]
    public static partial void PacketsDropped(ILogger logger, LogLevel level, string direction, string packets, string reason, string period);

    [LoggerMessage(EventId = 1043, EventName = "AuthenticationFailing", Level = LogLevel.Warning, Message = "connection {Mux} ({Remote}): {Datagrams} failed authentication (bad tag): wrong passphrase/key or role on the peer?")]
    public static partial void ConnectionAuthenticationFailing(ILogger logger, ushort mux, string remote, string datagrams);

    [LoggerMessage(EventId = 1044, EventName = "AuthenticationFailingBeforePeer", Level = LogLevel.Warning, Message = "{Datagrams} failed authentication (bad tag) before any peer was learned: wrong passphrase/key or role on the peer?")]
    public static partial void TunnelAuthenticationFailing(ILogger logger, string datagrams);

    [LoggerMessage(EventId = 1041, EventName = "TransportError", Level = LogLevel.Warning, Message = "{Direction}: socket error {Error} ({Count} times)")]
    public static partial void TransportError(ILogger logger, string direction, string error, long count);

    [LoggerMessage(EventId = 1050, EventName = "PostUpScriptStarted", Level = LogLevel.Information, Message = "executing script '{Script}' {Device} {Node}")]
    public static partial void PostUpScriptStarted(ILogger logger, string script, string device, string node);

    [LoggerMessage(EventId = 1051, EventName = "PostUpScriptReturned", Level = LogLevel.Information, Message = "script '{Script}' returned {Status}")]
    public static partial void PostUpScriptReturned(ILogger logger, string script, int status);

    [LoggerMessage(EventId = 1052, EventName = "PostUpScriptFailed", Level = LogLevel.Error, Message = "script '{Script}' failed: {Reason}")]
    public static partial void PostUpScriptFailed(ILogger logger, string script, string reason);

    [LoggerMessage(EventId = 1053, EventName = "PostUpCallbackFailed", Level = LogLevel.Error, Message = "post-up callback of tunnel '{Tunnel}' failed")]
    public static partial void PostUpCallbackFailed(ILogger logger, string tunnel, Exception exception);
}
