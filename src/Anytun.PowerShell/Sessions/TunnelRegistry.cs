using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Process-wide table of started tunnels, shared by every runspace that imported the module,
/// so Get/Stop-AnytunTunnel see tunnels no matter which runspace started them.
/// </summary>
internal static class TunnelRegistry
{
    private static readonly ConcurrentDictionary<string, TunnelSession> Sessions = new(StringComparer.OrdinalIgnoreCase);

    internal static bool Contains(string name) => Sessions.ContainsKey(name);

    internal static bool TryAdd(TunnelSession session) => Sessions.TryAdd(session.Name, session);

    internal static void Remove(TunnelSession session) =>
        ((ICollection<KeyValuePair<string, TunnelSession>>)Sessions).Remove(new KeyValuePair<string, TunnelSession>(session.Name, session));

    internal static bool TryGet(string name, out TunnelSession session) => Sessions.TryGetValue(name, out session!);

    /// <summary>All tunnels, ordered by name.</summary>
    internal static List<TunnelSession> All()
    {
        var list = new List<TunnelSession>(Sessions.Values);
        list.Sort(static (a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        return list;
    }

    /// <summary>Tunnels whose name matches <paramref name="pattern"/> (wildcards allowed, case-insensitive).</summary>
    internal static List<TunnelSession> Match(string pattern)
    {
        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
        var list = All();
        list.RemoveAll(session => !wildcard.IsMatch(session.Name));
        return list;
    }

    /// <summary>The lowest free "anytun&lt;N&gt;".</summary>
    internal static string NextDefaultName()
    {
        for (var n = 0; ; n++)
        {
            var name = "anytun" + n.ToString(CultureInfo.InvariantCulture);
            if (!Sessions.ContainsKey(name))
            {
                return name;
            }
        }
    }

    /// <summary>Stops every tunnel (module removal, process exit); bounded so exit never hangs.</summary>
    internal static void StopAll(TimeSpan timeout)
    {
        var sessions = All();
        if (sessions.Count == 0)
        {
            return;
        }

        var stops = new Task[sessions.Count];
        for (var i = 0; i < sessions.Count; i++)
        {
            stops[i] = sessions[i].RequestStopAsync();
        }

        try
        {
            Task.WaitAll(stops, timeout);
        }
        catch (AggregateException)
        {
            // Best effort at exit: a tunnel that failed to stop cleanly is closed by the kernel with the process.
        }
    }
}
