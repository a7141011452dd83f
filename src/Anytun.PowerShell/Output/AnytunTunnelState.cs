namespace Anytun;

/// <summary>Lifecycle of a tunnel as Get-AnytunTunnel reports it.</summary>
public enum AnytunTunnelState
{
    Created,
    Starting,
    Running,
    Stopping,
    Stopped,
    Faulted,
}
