namespace Anytun.Engine.Runtime;

/// <summary>State of one connection (one mux).</summary>
public enum ConnectionState
{
    /// <summary>The remote endpoint is known but no authenticated datagram has arrived yet.</summary>
    Waiting,
    /// <summary>At least one authenticated datagram arrived from the peer.</summary>
    Established,
    /// <summary>The tunnel is no longer running.</summary>
    Closed,
}
