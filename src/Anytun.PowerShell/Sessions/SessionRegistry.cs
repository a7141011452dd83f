using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Process-wide table of started sessions of one kind, by case-insensitive name, shared by every runspace that
/// imported the module: Get/Stop cmdlets see them no matter which runspace started them.
/// </summary>
internal sealed class SessionRegistry<TSession>
    where TSession : class, IRegisteredSession
{
    private readonly ConcurrentDictionary<string, TSession> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _defaultNamePrefix;

    internal SessionRegistry(string defaultNamePrefix)
    {
        _defaultNamePrefix = defaultNamePrefix;
    }

    internal bool Contains(string name) => _sessions.ContainsKey(name);

    internal bool TryAdd(TSession session) => _sessions.TryAdd(session.Name, session);

    internal void Remove(TSession session) =>
        ((ICollection<KeyValuePair<string, TSession>>)_sessions).Remove(new KeyValuePair<string, TSession>(session.Name, session));

    internal bool TryGet(string name, out TSession session) => _sessions.TryGetValue(name, out session!);

    /// <summary>All sessions, ordered by name.</summary>
    internal List<TSession> All()
    {
        var list = new List<TSession>(_sessions.Values);
        list.Sort(static (a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        return list;
    }

    /// <summary>Sessions whose name matches <paramref name="pattern"/> (wildcards allowed, case-insensitive).</summary>
    internal List<TSession> Match(string pattern)
    {
        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
        var list = All();
        list.RemoveAll(session => !wildcard.IsMatch(session.Name));
        return list;
    }

    /// <summary>The lowest free "&lt;prefix&gt;&lt;N&gt;".</summary>
    internal string NextDefaultName()
    {
        for (var n = 0; ; n++)
        {
            var name = _defaultNamePrefix + n.ToString(CultureInfo.InvariantCulture);
            if (!_sessions.ContainsKey(name))
            {
                return name;
            }
        }
    }

    /// <summary>Stops every session (module removal, process exit); bounded so exit never hangs.</summary>
    internal void StopAll(TimeSpan timeout)
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
            // Best effort at exit: what failed to stop cleanly is closed by the kernel with the process.
        }
    }
}
