namespace Anytun;

/// <summary>Who put a connection or route into a tunnel's tables.</summary>
public enum AnytunEntryOrigin
{
    /// <summary>The tunnel's own parameters or anytun command line (-RemoteAddress, -Mux, -Route).</summary>
    CommandLine,

    /// <summary>Learned from the first authenticated datagram of a peer.</summary>
    Learned,

    /// <summary>A cmdlet such as Add-AnytunConnection or Add-AnytunRoute.</summary>
    Cmdlet,

    /// <summary>A control host (anytun-controld).</summary>
    ControlHost,

    /// <summary>A sync peer of an anycast cluster.</summary>
    Sync,

    /// <summary>An imported configuration.</summary>
    Import,
}
