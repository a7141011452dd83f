namespace Anytun;

/// <summary>How a tunnel waits while traffic is light (Start-AnytunTunnel -IdleMode). Under load every mode runs the
/// two-thread pipeline; none changes a byte on the wire.</summary>
public enum AnytunIdleMode
{
    /// <summary>One thread carries a request and its answer; while packets came within the last second it wakes every
    /// millisecond so its CPU stays warm (the lowest latency, a few percent of a core while light traffic flows).</summary>
    Warm,

    /// <summary>As Warm, but the thread sleeps until the next packet (the least CPU; round trips take longer).</summary>
    Cold,

    /// <summary>A device thread and a socket thread always, handing packets over (the layout of older releases).</summary>
    Pipeline,
}
