using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// Log lines of the control server (anytun-controld). Wording follows anytun-controld where it has one
/// ("sync server listening on", "new sync client connected from"). Nothing here takes key material.
/// </summary>
internal static partial class ControlServerLog
{
    [LoggerMessage(EventId = 1300, EventName = "ControlServerListening", Level = LogLevel.Information, Message = "sync server listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 1301, EventName = "ControlClientConnected", Level = LogLevel.Information, Message = "new sync client connected from {Remote}")]
    public static partial void ClientConnected(ILogger logger, string remote);

    [LoggerMessage(EventId = 1302, EventName = "ControlClientServed", Level = LogLevel.Debug, Message = "sent the table ({Bytes} bytes) to {Remote}; the connection stays open")]
    public static partial void ClientServed(ILogger logger, string remote, int bytes);

    [LoggerMessage(EventId = 1303, EventName = "ControlClientClosed", Level = LogLevel.Debug, Message = "sync client {Remote} disconnected ({Reason})")]
    public static partial void ClientClosed(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 1304, EventName = "ControlClientSendTimeout", Level = LogLevel.Warning, Message = "sync client {Remote} did not take the table within {Seconds} s; disconnected")]
    public static partial void ClientSendTimeout(ILogger logger, string remote, double seconds);

    [LoggerMessage(EventId = 1305, EventName = "ControlClientRefused", Level = LogLevel.Warning, Message = "refused sync client {Remote}: {Limit} clients are connected (the limit); {Refused} refused so far")]
    public static partial void ClientRefused(ILogger logger, string remote, int limit, long refused);

    [LoggerMessage(EventId = 1306, EventName = "ControlTableLoaded", Level = LogLevel.Information, Message = "serving {Source}: {Connections} connection(s), {Routes} route(s), {Bytes} bytes")]
    public static partial void TableLoaded(ILogger logger, string source, int connections, int routes, int bytes);

    [LoggerMessage(EventId = 1307, EventName = "ControlTableReloaded", Level = LogLevel.Information, Message = "{Source} changed: now {Connections} connection(s), {Routes} route(s), {Bytes} bytes for new clients; {Connected} connected client(s) keep the table they were sent")]
    public static partial void TableReloaded(ILogger logger, string source, int connections, int routes, int bytes, int connected);

    [LoggerMessage(EventId = 1308, EventName = "ControlTableReloadFailed", Level = LogLevel.Warning, Message = "{Source} changed but cannot be read ({Reason}); new clients still get the previous table")]
    public static partial void TableReloadFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 1309, EventName = "ControlTableFormatWarning", Level = LogLevel.Warning, Message = "{Source}: {Error}; served unchanged, as anytun-controld does, but clients will drop the connection there")]
    public static partial void TableFormatWarning(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 1310, EventName = "ControlAcceptFailed", Level = LogLevel.Warning, Message = "accepting on {EndPoint} failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string endPoint, string reason);

    [LoggerMessage(EventId = 1311, EventName = "ControlServerStopped", Level = LogLevel.Information, Message = "control server stopped ({Served} client(s) served, {Refused} refused)")]
    public static partial void Stopped(ILogger logger, long served, long refused);

    [LoggerMessage(EventId = 1312, EventName = "ControlServerStopTimeout", Level = LogLevel.Warning, Message = "{Count} sync client task(s) did not end within {Milliseconds} ms of the stop")]
    public static partial void StopTimeout(ILogger logger, int count, int milliseconds);
}
