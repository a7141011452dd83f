namespace Anytun.Engine.Runtime;

/// <summary>Raised (on any thread) when a <see cref="Tunnel"/> changes its state.</summary>
public sealed class TunnelStateChangedEventArgs : EventArgs
{
    public TunnelStateChangedEventArgs(TunnelState previousState, TunnelState newState, Exception? fault)
    {
        PreviousState = previousState;
        NewState = newState;
        Fault = fault;
    }

    public TunnelState PreviousState { get; }

    public TunnelState NewState { get; }

    /// <summary>The failure when <see cref="NewState"/> is <see cref="TunnelState.Faulted"/>, else null.</summary>
    public Exception? Fault { get; }
}
