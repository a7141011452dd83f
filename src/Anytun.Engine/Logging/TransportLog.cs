using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>Log lines of the socket set-up beyond anytun's (multicast options).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 1025, EventName = "MulticastOptions", Level = LogLevel.Information, Message = "multicast: datagrams to a group are sent with hop limit {Ttl} out of {Interface}")]
    public static partial void MulticastOptions(ILogger logger, string ttl, string @interface);

    [LoggerMessage(EventId = 1026, EventName = "MulticastJoined", Level = LogLevel.Information, Message = "multicast: joined group {Group} on {Interface} (socket {EndPoint})")]
    public static partial void MulticastJoined(ILogger logger, string group, string @interface, string endPoint);

    [LoggerMessage(EventId = 1027, EventName = "MulticastBoundToUnicast", Level = LogLevel.Warning, Message = "multicast: socket {EndPoint} is bound to a unicast address and never receives datagrams sent to {Group}; leave -i/-LocalAddress unset to receive from the group")]
    public static partial void MulticastBoundToUnicast(ILogger logger, string endPoint, string group);
}
