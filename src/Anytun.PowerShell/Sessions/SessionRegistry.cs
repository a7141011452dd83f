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

    /// <summary>
    /// The sessions named exactly by <paramref name="exactNames"/> (objects from the pipeline) when given, else those
    /// matching <paramref name="patterns"/> (all when null), each once. A plain name that matches nothing writes the
    /// non-terminating error <paramref name="notFound"/> builds; a wildcard that matches nothing is silent.
    /// </summary>
    internal List<TSession> Resolve(Cmdlet cmdlet, string[]? patterns, IEnumerable<string>? exactNames, Func<string, ErrorRecord> notFound)
    {
        var result = new List<TSession>();
        if (exactNames is not null)
        {
            foreach (var name in exactNames)
            {
                if (TryGet(name, out var session))
                {
                    result.Add(session);
                }
                else
                {
                    cmdlet.WriteError(notFound(name));
                }
            }

            return result;
        }

        if (patterns is null)
        {
            return All();
        }

        foreach (var pattern in patterns)
        {
            var matches = Match(pattern);
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                cmdlet.WriteError(notFound(pattern));
                continue;
            }

            foreach (var session in matches)
            {
                if (!result.Contains(session))
                {
                    result.Add(session);
                }
            }
        }

        return result;
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
