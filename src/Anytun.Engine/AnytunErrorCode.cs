namespace Anytun.Engine;

/// <summary>Machine-readable reason of an <see cref="AnytunException"/>; the PowerShell layer maps it to ErrorId and ErrorCategory.</summary>
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

    /// <summary>A sync frame or connection-table file is malformed, or a command cannot be framed.</summary>
    InvalidSyncData,

    /// <summary>The tun/tap device name is held by another program (EBUSY).</summary>
    DeviceInUse,
}
