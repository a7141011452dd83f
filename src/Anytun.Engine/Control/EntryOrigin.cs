namespace Anytun.Engine.Control;

/// <summary>Which writer put a connection or route into the tunnel's tables (shown to users; sync may filter on it).</summary>
public enum EntryOrigin
{
    /// <summary>The anytun command line of the tunnel (-r, -m, -R).</summary>
    CommandLine,

    /// <summary>Learned from the first authenticated datagram (no -r given).</summary>
    Learned,

    /// <summary>A cmdlet (Add-/Set-AnytunConnection, Add-AnytunRoute, ...).</summary>
    Cmdlet,

    /// <summary>anytun-controld or another control host (-X).</summary>
    ControlHost,

    /// <summary>A sync peer of the anycast cluster (-M).</summary>
    Sync,

    /// <summary>An imported configuration (anytun config files, a saved definition).</summary>
    Import,
}
