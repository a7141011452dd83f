namespace Anytun;

/// <summary>State of one connection (one mux) as Get-AnytunConnection reports it.</summary>
public enum AnytunConnectionState
{
    /// <summary>The remote endpoint is known but no authenticated datagram has arrived yet.</summary>
    Waiting,

    /// <summary>At least one authenticated datagram arrived from the peer.</summary>
    Established,

    /// <summary>The tunnel is no longer running.</summary>
    Closed,
}
