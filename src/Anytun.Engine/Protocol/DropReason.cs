namespace Anytun.Engine.Protocol;

/// <summary>
/// Why a datagram or device packet was dropped; the packet path counts drops instead of throwing. Counters are indexed
/// by the value, so new reasons are appended.
/// </summary>
public enum DropReason
{
    None,
    TooShort,
    BadTag,
    Replay,
    WrongMux,
    EmptyPayload,
    WrongPayloadType,
    NoConnection,
    NoRoute,
    DeviceError,
    Malformed,
    SendError,

    /// <summary>No socket of the remote's address family (anytun: "no suitable socket found").</summary>
    NoSocket,

    /// <summary>The connection's remote endpoint is not known yet (nothing learned, host name not resolved).</summary>
    NoRemote,

    /// <summary>An inner packet addressed to the connection's own outer remote: a route sends the tunnel into itself.</summary>
    RoutingLoop,
}
