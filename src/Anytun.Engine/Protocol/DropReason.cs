namespace Anytun.Engine.Protocol;

/// <summary>Why a datagram or device packet was dropped; the packet path counts drops instead of throwing.</summary>
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
}
