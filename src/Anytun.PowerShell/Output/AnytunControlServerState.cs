namespace Anytun;

/// <summary>Lifecycle of a control server as Get-AnytunControlServer reports it.</summary>
public enum AnytunControlServerState
{
    Created,
    Starting,
    Running,
    Stopping,
    Stopped,
}
