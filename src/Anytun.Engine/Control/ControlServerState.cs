namespace Anytun.Engine.Control;

/// <summary>Life cycle of a <see cref="ControlServer"/>.</summary>
public enum ControlServerState
{
    Created,
    Starting,
    Running,
    Stopping,
    Stopped,
}
