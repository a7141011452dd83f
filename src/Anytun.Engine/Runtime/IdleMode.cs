namespace Anytun.Engine.Runtime;

/// <summary>
/// How a tunnel waits under light traffic (<see cref="Tunnel.IdleMode"/>, which Start-AnytunTunnel -IdleMode sets).
/// Its default comes from the environment variable ANYTUN_IDLE_MODE (read when a tunnel is created): "warm" (default)
/// = one thread waits on the device and the socket at once and, while traffic flows, wakes every millisecond so the
/// CPU stays warm; "single" (or "cold") = the same thread, sleeping until the next packet; "pipeline" (or "0", "off")
/// = always the two-thread pipeline. Under load every mode runs the pipeline; none changes a byte on the wire.
/// </summary>
public enum IdleMode
{
    /// <summary>Sender and receiver threads always (the device reader and the socket reader hand packets over).</summary>
    Pipeline,

    /// <summary>Single-thread carrying under light traffic (the pipeline under load); the carrier sleeps until a packet comes.</summary>
    SingleThread,

    /// <summary>As <see cref="SingleThread"/>, and while packets came within the last second the carrier wakes every
    /// millisecond (<see cref="KeepWarm"/>).</summary>
    SingleThreadWarm,
}

/// <summary>Reads <see cref="IdleMode"/> from the environment.</summary>
internal static class IdleModes
{
    public const string EnvironmentVariable = "ANYTUN_IDLE_MODE";

    public static IdleMode FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static IdleMode Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "pipeline" or "0" or "off" or "false" => IdleMode.Pipeline,
        "single" or "cold" => IdleMode.SingleThread,
        _ => IdleMode.SingleThreadWarm,
    };
}
