namespace Anytun.Engine.Runtime;

/// <summary>Lifecycle of a <see cref="Tunnel"/>.</summary>
public enum TunnelState
{
    /// <summary>Created, not started yet.</summary>
    Created,
    /// <summary>Opening the device and sockets.</summary>
    Starting,
    /// <summary>Device, sockets and engine threads are up.</summary>
    Running,
    /// <summary>Shutting down.</summary>
    Stopping,
    /// <summary>Stopped cleanly; everything is closed.</summary>
    Stopped,
    /// <summary>An engine thread failed; everything is closed and <see cref="Tunnel.Fault"/> says why.</summary>
    Faulted,
}
