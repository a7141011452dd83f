using System.Globalization;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// One event of a tunnel's log: what Receive-Job returns for a tunnel job and Start-AnytunTunnel -Wait writes to the
/// pipeline. Warnings and errors go to the Warning and Error streams instead, so nothing is shown twice.
/// </summary>
public sealed class AnytunLogRecord
{
    internal AnytunLogRecord(DateTime timestamp, AnytunLogLevel level, string tunnelName, string category, int eventId, string eventName, string message)
    {
        Timestamp = timestamp;
        Level = level;
        TunnelName = tunnelName;
        Category = category;
        EventId = eventId;
        EventName = eventName;
        Message = message;
    }

    /// <summary>Local time the event happened.</summary>
    public DateTime Timestamp { get; }

    public AnytunLogLevel Level { get; }

    /// <summary>The level in at most five letters, for the default table (Info, Warn, Crit; the others by name).
    /// A property rather than a script block in the view: formatting then compiles no PowerShell script, which cost
    /// a tunnel's process several hundred JIT compilations in the second after it came up.</summary>
    [Hidden]
    public string ShortLevel => Level switch
    {
        AnytunLogLevel.Trace => "Trace",
        AnytunLogLevel.Debug => "Debug",
        AnytunLogLevel.Information => "Info",
        AnytunLogLevel.Warning => "Warn",
        AnytunLogLevel.Error => "Error",
        _ => "Crit",
    };

    /// <summary>Name of the tunnel; binds to -Name / -TunnelName by property name.</summary>
    public string TunnelName { get; }

    /// <summary>Which part wrote it: the engine's class (Tunnel) or the cmdlet (Start-AnytunTunnel).</summary>
    public string Category { get; }

    /// <summary>Stable number of the event kind.</summary>
    public int EventId { get; }

    /// <summary>Stable name of the event kind, e.g. TunnelRunning, RemoteAutodetected, PacketsDropped.</summary>
    public string EventName { get; }

    public string Message { get; }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Timestamp:yyyy-MM-dd HH:mm:ss} {Level} {TunnelName}: {Message}");
}
