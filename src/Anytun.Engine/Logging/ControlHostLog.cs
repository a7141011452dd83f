using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>Log lines of the control-host client (-X) and of applying received sync commands. No key material.</summary>
internal static partial class ControlHostLog
{
    [LoggerMessage(EventId = 1250, EventName = "ControlHostConnected", Level = LogLevel.Information, Message = "sync: connected to {Host} (control host, {EndPoint})")]
    public static partial void Connected(ILogger logger, string host, string endPoint);

    [LoggerMessage(EventId = 1251, EventName = "ControlHostApplied", Level = LogLevel.Information, Message = "control host {Host}: {Commands} command(s) applied: {Changes}")]
    public static partial void Applied(ILogger logger, string host, int commands, string changes);

    [LoggerMessage(EventId = 1252, EventName = "ControlHostLost", Level = LogLevel.Warning, Message = "sync: connection to {Host} lost ({Reason}) retrying every {Seconds}sec")]
    public static partial void Lost(ILogger logger, string host, string reason, int seconds);

    [LoggerMessage(EventId = 1253, EventName = "ControlHostBadData", Level = LogLevel.Error, Message = "control host {Host}: bad sync data ({Error}); dropping the connection (the tunnel keeps running with the tables it has) and retrying every {Seconds}sec")]
    public static partial void BadData(ILogger logger, string host, string error, int seconds);

    [LoggerMessage(EventId = 1254, EventName = "ControlHostUnreachable", Level = LogLevel.Warning, Message = "control host {Host}: cannot connect ({Reason}); retrying every {Seconds}sec")]
    public static partial void Unreachable(ILogger logger, string host, string reason, int seconds);

    [LoggerMessage(EventId = 1255, EventName = "ControlHostStillUnreachable", Level = LogLevel.Debug, Message = "control host {Host}: still cannot connect ({Reason})")]
    public static partial void StillUnreachable(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 1256, EventName = "ControlHostIgnoredFrame", Level = LogLevel.Debug, Message = "control host {Host}: frame at byte offset {Offset} ignored ({Note})")]
    public static partial void IgnoredFrame(ILogger logger, string host, long offset, string note);

    [LoggerMessage(EventId = 1257, EventName = "ControlHostClientFailed", Level = LogLevel.Error, Message = "control host {Host}: the client failed unexpectedly and stops; the tunnel keeps running")]
    public static partial void ClientFailed(ILogger logger, string host, Exception exception);

    [LoggerMessage(EventId = 1258, EventName = "ControlHostStopTimeout", Level = LogLevel.Warning, Message = "control host {Host}: the client did not stop within {Milliseconds} ms")]
    public static partial void StopTimeout(ILogger logger, string host, int milliseconds);

    [LoggerMessage(EventId = 1260, EventName = "SyncKeysNotApplied", Level = LogLevel.Warning, Message = "{Source}: connection {Mux}: KeyDerivation::updateMasterKey: {Problem} ({KeyBytes} key bytes for {KeyBits} bits, {SaltBytes} salt bytes); the connection keeps its previous keys")]
    public static partial void KeysNotApplied(ILogger logger, string source, ushort mux, string problem, int keyBytes, ushort keyBits, int saltBytes);

    [LoggerMessage(EventId = 1261, EventName = "SyncWindowClamped", Level = LogLevel.Warning, Message = "{Source}: connection {Mux}: window size {Window} is above the maximum {Maximum}; using {Maximum}")]
    public static partial void WindowClamped(ILogger logger, string source, ushort mux, uint window, uint maximum);

    [LoggerMessage(EventId = 1262, EventName = "SyncRemoteFamilyExcluded", Level = LogLevel.Warning, Message = "{Source}: connection {Mux}: remote {Remote} is of an address family -4/-6 excludes; the remote stays as it was")]
    public static partial void RemoteFamilyExcluded(ILogger logger, string source, ushort mux, string remote);

    [LoggerMessage(EventId = 1263, EventName = "SyncEthernetRouteIgnored", Level = LogLevel.Debug, Message = "{Source}: Ethernet route {Route} ignored (anytun stores these but never routes by them)")]
    public static partial void EthernetRouteIgnored(ILogger logger, string source, string route);
}
