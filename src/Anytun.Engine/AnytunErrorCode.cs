namespace Anytun.Engine;

/// <summary>Why an engine operation failed; the PowerShell layer maps each code to an ErrorId and ErrorCategory.</summary>
public enum AnytunErrorCode
{
    InvalidOption,
    NotSupportedYet,
    DeviceOpenFailed,
    PermissionDenied,
    AddressInUse,
    ResolveFailed,
    InterfaceConfigFailed,
    SocketFailed,
    PostUpScriptFailed,
    PeerTimeout,
    TunnelFaulted,
    AlreadyRunning,
}
