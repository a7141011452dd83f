using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>Debug lines about kernel offloads: what was asked, what the kernel gave, and each refusal (once).</summary>
internal static partial class OffloadLog
{
    [LoggerMessage(EventId = 1060, EventName = "OffloadsRequested", Level = LogLevel.Debug, Message = "packet path offloads: {Settings}")]
    public static partial void Requested(ILogger logger, string settings);

    [LoggerMessage(EventId = 1061, EventName = "TunOffloads", Level = LogLevel.Debug, Message = "device {Device}: tun offloads {Offloads}")]
    public static partial void TunOffloads(ILogger logger, string device, string offloads);

    [LoggerMessage(EventId = 1062, EventName = "OffloadRefused", Level = LogLevel.Debug, Message = "{Offload} refused by the kernel ({Reason}); falling back")]
    public static partial void Refused(ILogger logger, string offload, string reason);
}
