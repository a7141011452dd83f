namespace Anytun;

/// <summary>
/// Process-wide table of started tunnels, shared by every runspace that imported the module,
/// so Get/Stop-AnytunTunnel see tunnels no matter which runspace started them.
/// </summary>
internal static class TunnelRegistry
{
    private static readonly SessionRegistry<TunnelSession> Sessions = new("anytun");

    internal static bool Contains(string name) => Sessions.Contains(name);

    internal static bool TryAdd(TunnelSession session) => Sessions.TryAdd(session);

    internal static void Remove(TunnelSession session) => Sessions.Remove(session);

    internal static bool TryGet(string name, out TunnelSession session) => Sessions.TryGet(name, out session);

    /// <summary>All tunnels, ordered by name.</summary>
    internal static List<TunnelSession> All() => Sessions.All();

    /// <summary>Tunnels whose name matches <paramref name="pattern"/> (wildcards allowed, case-insensitive).</summary>
    internal static List<TunnelSession> Match(string pattern) => Sessions.Match(pattern);

    /// <summary>Tunnels by exact names (piped objects) or patterns; see <see cref="SessionRegistry{TSession}.Resolve"/>.</summary>
    internal static List<TunnelSession> Resolve(System.Management.Automation.Cmdlet cmdlet, string[]? patterns, IEnumerable<string>? exactNames) =>
        Sessions.Resolve(cmdlet, patterns, exactNames, AnytunErrors.TunnelNotFound);

    /// <summary>The lowest free "anytun&lt;N&gt;".</summary>
    internal static string NextDefaultName() => Sessions.NextDefaultName();

    /// <summary>Stops every tunnel (module removal, process exit); bounded so exit never hangs.</summary>
    internal static void StopAll(TimeSpan timeout) => Sessions.StopAll(timeout);
}
