namespace Anytun.Engine.Control;

/// <summary>
/// Resource bounds of a <see cref="ControlServer"/>: how many clients may be connected, how long a client may take to
/// receive the table, how often a table file is checked for changes and how long a stop may take. Memory per client
/// is a socket and a small discard buffer; the table bytes are shared by all clients.
/// </summary>
public sealed record ControlServerLimits
{
    /// <summary>Clients connected at the same time; more are accepted and closed at once (and logged).</summary>
    public int MaxClients { get; init; } = 1024;

    /// <summary>Time a client has to take the whole table; a client that reads slower (or never) is disconnected.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a table file is checked for changes (a change is read once it was stable for one interval).</summary>
    public TimeSpan FilePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="ControlServer.StopAsync"/> waits for client tasks after closing their sockets.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (MaxClients < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClients), MaxClients, "At least one client must be allowed.");
        }

        if (SendTimeout <= TimeSpan.Zero || FilePollInterval <= TimeSpan.Zero || StopTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SendTimeout), "Timeouts and intervals must be positive.");
        }
    }
}
