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

    /// <summary>A prefix text or value that is not IPv4/IPv6 address/length.</summary>
    InvalidPrefix,

    /// <summary>A connection with that mux exists already (add of an existing connection).</summary>
    ConnectionAlreadyExists,

    /// <summary>No connection with that mux.</summary>
    ConnectionNotFound,

    /// <summary>A route for that prefix exists already (add of an existing route).</summary>
    RouteAlreadyExists,

    /// <summary>No route for that prefix.</summary>
    RouteNotFound,

    /// <summary>The tunnel was stopped; its connections and routes can no longer change.</summary>
    TunnelStopped,
}
